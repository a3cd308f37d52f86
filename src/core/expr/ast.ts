/** Syntax tree for the supported Jinja subset. */

export type Expr =
  | { type: "literal"; value: unknown }
  | { type: "name"; name: string }
  | { type: "getattr"; object: Expr; name: string }
  | { type: "getitem"; object: Expr; key: Expr }
  | { type: "call"; callee: Expr; args: Expr[]; kwargs: Record<string, Expr> }
  | { type: "filter"; value: Expr; name: string; args: Expr[]; kwargs: Record<string, Expr> }
  | { type: "test"; value: Expr; name: string; args: Expr[]; negated: boolean }
  | { type: "unary"; op: "-" | "+" | "not"; operand: Expr }
  | { type: "binary"; op: string; left: Expr; right: Expr }
  | { type: "compare"; first: Expr; rest: Array<{ op: string; value: Expr }> }
  | { type: "logical"; op: "and" | "or"; left: Expr; right: Expr }
  | { type: "cond"; test: Expr; whenTrue: Expr; otherwise: Expr | null }
  | { type: "list" | "tuple"; items: Expr[] }
  | { type: "dict"; entries: Array<{ key: Expr; value: Expr }> };

export type Stmt =
  | { type: "text"; text: string }
  | { type: "print"; expr: Expr }
  | { type: "if"; branches: Array<{ test: Expr; body: Stmt[] }>; otherwise: Stmt[] }
  | { type: "for"; targets: string[]; iter: Expr; body: Stmt[]; otherwise: Stmt[] }
  | { type: "set"; targets: string[]; value: Expr };

/** Source-like text of an expression, for naming it in errors. */
export function describe(expr: Expr): string {
  switch (expr.type) {
    case "name":
      return expr.name;
    case "getattr":
      return `${describe(expr.object)}.${expr.name}`;
    case "getitem": {
      const key = expr.key;
      const inner =
        key.type === "literal"
          ? typeof key.value === "string"
            ? `'${key.value}'`
            : String(key.value)
          : describe(key);
      return `${describe(expr.object)}[${inner}]`;
    }
    case "call":
      return `${describe(expr.callee)}(...)`;
    case "filter":
      return `${describe(expr.value)} | ${expr.name}`;
    case "literal":
      return typeof expr.value === "string" ? `'${expr.value}'` : String(expr.value);
    default:
      return "expression";
  }
}
