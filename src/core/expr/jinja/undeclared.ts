/**
 * Jinja's `meta.find_undeclared_variables`: names a template reads without binding them itself.
 * Loop targets and `loop` are bound inside their loop only; `set` binds from that point on.
 */

import { type Expr, type FilterCall, type Param, type Stmt, targetNames } from "./ast.ts";

function walkExpr(expr: Expr, bound: ReadonlySet<string>, out: Set<string>): void {
  switch (expr.type) {
    case "literal":
      return;
    case "name":
      if (!bound.has(expr.name)) out.add(expr.name);
      return;
    case "getattr":
      walkExpr(expr.object, bound, out);
      return;
    case "getitem":
      walkExpr(expr.object, bound, out);
      walkExpr(expr.key, bound, out);
      return;
    case "slice":
      walkExpr(expr.object, bound, out);
      for (const e of [expr.start, expr.stop, expr.step]) if (e) walkExpr(e, bound, out);
      return;
    case "call":
      walkExpr(expr.callee, bound, out);
      for (const a of expr.args) walkExpr(a, bound, out);
      for (const a of Object.values(expr.kwargs)) walkExpr(a, bound, out);
      return;
    case "filter":
    case "test":
      walkExpr(expr.value, bound, out);
      for (const a of expr.args) walkExpr(a, bound, out);
      for (const a of Object.values(expr.kwargs)) walkExpr(a, bound, out);
      return;
    case "unary":
      walkExpr(expr.operand, bound, out);
      return;
    case "binary":
    case "logical":
      walkExpr(expr.left, bound, out);
      walkExpr(expr.right, bound, out);
      return;
    case "compare":
      walkExpr(expr.first, bound, out);
      for (const r of expr.rest) walkExpr(r.value, bound, out);
      return;
    case "cond":
      walkExpr(expr.test, bound, out);
      walkExpr(expr.whenTrue, bound, out);
      if (expr.otherwise) walkExpr(expr.otherwise, bound, out);
      return;
    case "list":
    case "tuple":
      for (const i of expr.items) walkExpr(i, bound, out);
      return;
    case "dict":
      for (const e of expr.entries) {
        walkExpr(e.key, bound, out);
        walkExpr(e.value, bound, out);
      }
      return;
  }
}

function walkFilters(filters: FilterCall[], bound: ReadonlySet<string>, out: Set<string>): void {
  for (const f of filters) {
    for (const a of f.args) walkExpr(a, bound, out);
    for (const a of Object.values(f.kwargs)) walkExpr(a, bound, out);
  }
}

function walkCallable(
  params: Param[],
  body: Stmt[],
  bound: ReadonlySet<string>,
  out: Set<string>,
  extra: string[],
): void {
  for (const p of params) if (p.default) walkExpr(p.default, bound, out);
  walkStmts(body, new Set([...bound, ...params.map((p) => p.name), ...extra]), out);
}

export function walkStmts(stmts: Stmt[], outer: ReadonlySet<string>, out: Set<string>): void {
  const bound = new Set(outer);
  for (const stmt of stmts) {
    switch (stmt.type) {
      case "text":
        break;
      case "print":
      case "do":
        walkExpr(stmt.expr, bound, out);
        break;
      case "set":
        walkExpr(stmt.value, bound, out);
        for (const t of targetNames(stmt.target)) bound.add(t);
        break;
      case "setblock":
        walkFilters(stmt.filters, bound, out);
        walkStmts(stmt.body, bound, out);
        for (const t of targetNames(stmt.target)) bound.add(t);
        break;
      case "if":
        for (const b of stmt.branches) {
          walkExpr(b.test, bound, out);
          walkStmts(b.body, bound, out);
        }
        walkStmts(stmt.otherwise, bound, out);
        break;
      case "for": {
        walkExpr(stmt.iter, bound, out);
        const inner = new Set([...bound, ...targetNames(stmt.target), "loop"]);
        if (stmt.filter) walkExpr(stmt.filter, inner, out);
        walkStmts(stmt.body, inner, out);
        walkStmts(stmt.otherwise, bound, out);
        break;
      }
      case "macro":
        bound.add(stmt.name);
        walkCallable(stmt.params, stmt.body, bound, out, ["varargs", "kwargs", "caller"]);
        break;
      case "callblock":
        walkExpr(stmt.call, bound, out);
        walkCallable(stmt.params, stmt.body, bound, out, ["varargs", "kwargs"]);
        break;
      case "with": {
        for (const a of stmt.assignments) walkExpr(a.value, bound, out);
        const names = stmt.assignments.flatMap((a) => targetNames(a.target));
        walkStmts(stmt.body, new Set([...bound, ...names]), out);
        break;
      }
      case "filterblock":
        walkFilters(stmt.filters, bound, out);
        walkStmts(stmt.body, bound, out);
        break;
    }
  }
}
