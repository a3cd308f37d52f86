/** Syntax tree of Jinja templates. */

export type Expr =
  | { type: "literal"; value: unknown }
  | { type: "name"; name: string }
  | { type: "getattr"; object: Expr; name: string }
  | { type: "getitem"; object: Expr; key: Expr }
  | { type: "slice"; object: Expr; start: Expr | null; stop: Expr | null; step: Expr | null }
  | { type: "call"; callee: Expr; args: Expr[]; kwargs: Record<string, Expr> }
  | { type: "filter"; value: Expr; name: string; args: Expr[]; kwargs: Record<string, Expr> }
  | {
      type: "test";
      value: Expr;
      name: string;
      args: Expr[];
      kwargs: Record<string, Expr>;
      negated: boolean;
    }
  | { type: "unary"; op: "-" | "+" | "not"; operand: Expr }
  | { type: "binary"; op: string; left: Expr; right: Expr }
  | { type: "compare"; first: Expr; rest: Array<{ op: string; value: Expr }> }
  | { type: "logical"; op: "and" | "or"; left: Expr; right: Expr }
  | { type: "cond"; test: Expr; whenTrue: Expr; otherwise: Expr | null }
  | { type: "list" | "tuple"; items: Expr[] }
  | { type: "dict"; entries: Array<{ key: Expr; value: Expr }> };

/** Assignment target: a name, a tuple of targets, or `ns.attr` (namespace, `set` only). */
export type Target =
  | { kind: "name"; name: string }
  | { kind: "tuple"; items: Target[] }
  | { kind: "attr"; object: string; attr: string };

export interface Param {
  name: string;
  default: Expr | null;
}

export interface FilterCall {
  name: string;
  args: Expr[];
  kwargs: Record<string, Expr>;
}

export type Stmt =
  | { type: "text"; text: string }
  | { type: "print"; expr: Expr }
  | { type: "if"; branches: Array<{ test: Expr; body: Stmt[] }>; otherwise: Stmt[] }
  | {
      type: "for";
      target: Target;
      iter: Expr;
      filter: Expr | null;
      recursive: boolean;
      body: Stmt[];
      otherwise: Stmt[];
    }
  | { type: "set"; target: Target; value: Expr }
  | { type: "setblock"; target: Target; filters: FilterCall[]; body: Stmt[] }
  | { type: "macro"; name: string; params: Param[]; body: Stmt[] }
  | { type: "callblock"; call: Expr; params: Param[]; body: Stmt[] }
  | { type: "with"; assignments: Array<{ target: Target; value: Expr }>; body: Stmt[] }
  | { type: "filterblock"; filters: FilterCall[]; body: Stmt[] }
  | { type: "do"; expr: Expr };

/** Source-like text of an expression, for naming it in errors. */
export function describe(expr: Expr): string {
  switch (expr.type) {
    case "name":
      return expr.name;
    case "getattr":
      return `${describe(expr.object)}.${expr.name}`;
    case "getitem":
      return `${describe(expr.object)}[${describe(expr.key)}]`;
    case "slice":
      return `${describe(expr.object)}[...]`;
    case "call":
      return `${describe(expr.callee)}(${expr.args.map(describe).join(", ")})`;
    case "filter":
      return `${describe(expr.value)} | ${expr.name}`;
    case "literal":
      return typeof expr.value === "string" ? `'${expr.value}'` : String(expr.value);
    default:
      return "expression";
  }
}

export function targetNames(target: Target, out: string[] = []): string[] {
  if (target.kind === "name") out.push(target.name);
  else if (target.kind === "tuple") for (const t of target.items) targetNames(t, out);
  return out;
}
