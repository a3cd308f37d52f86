/** YAQL syntax tree. `pos` is the 0-based offset of the node's first token in the expression. */

export type Node =
  | { k: "const"; v: unknown; pos: number }
  | { k: "kw"; name: string; pos: number }
  | { k: "var"; name: string; pos: number }
  | { k: "call"; name: string; args: Arg[]; pos: number }
  | { k: "method"; recv: Node; name: string; args: Arg[]; safe: boolean; pos: number }
  | { k: "attr"; recv: Node; rhs: Node; safe: boolean; pos: number }
  | { k: "index"; recv: Node; args: Arg[]; pos: number }
  | { k: "invoke"; callee: Node; args: Arg[]; pos: number }
  | { k: "binop"; op: string; left: Node; right: Node; pos: number }
  | { k: "unop"; op: string; arg: Node; pos: number }
  | { k: "group"; node: Node; pos: number }
  | { k: "list"; items: Node[]; pos: number }
  | { k: "dict"; entries: [Node, Node][]; pos: number };

export type Arg = { k: "pos"; node: Node } | { k: "map"; src: Node; dst: Node } | { k: "empty" };
