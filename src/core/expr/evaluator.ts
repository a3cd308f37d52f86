/** Evaluates the parsed Jinja subset against a context, with StrictUndefined semantics. */

import { RenderError } from "../errors.ts";
import { describe, type Expr, type Stmt } from "./ast.ts";
import { applyFilter, applyTest, pyIterate } from "./filters.ts";
import { callMethod, DICT_METHODS } from "./methods.ts";
import {
  isPlainObject,
  isTuple,
  makeTuple,
  pyCompare,
  pyContains,
  pyEquals,
  pyStr,
  pyTruthy,
  pyTypeName,
  Undefined,
} from "./pyvalue.ts";
import { TemplateProxy, UnsupportedTemplateError } from "./template.ts";

/** Variable scopes, innermost last; the root is the caller's context, never mutated. */
export class Scope {
  private readonly frames: Array<Map<string, unknown>> = [new Map()];
  constructor(private readonly root: Readonly<Record<string, unknown>>) {}

  lookup(name: string): unknown {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const frame = this.frames[i];
      if (frame?.has(name)) return frame.get(name);
    }
    if (Object.hasOwn(this.root, name)) return this.root[name];
    return new Undefined(name, "no such variable in the context");
  }

  set(name: string, value: unknown): void {
    this.frames[this.frames.length - 1]?.set(name, value);
  }

  push(): void {
    this.frames.push(new Map());
  }

  pop(): void {
    this.frames.pop();
  }
}

function typeError(op: string, a: unknown, b: unknown): never {
  throw new RenderError(
    `unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`,
  );
}

function asNumber(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return null;
}

function exactInt(value: number, what: string): number {
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new UnsupportedTemplateError(`${what} overflows exact integer range; not supported yet`);
  }
  return value;
}

function arith(op: string, a: unknown, b: unknown): unknown {
  if (a instanceof Undefined) a.fail();
  if (b instanceof Undefined) b.fail();
  if (op === "~") return pyStr(a) + pyStr(b);
  const x = asNumber(a);
  const y = asNumber(b);
  const ints = x !== null && y !== null && Number.isInteger(x) && Number.isInteger(y);
  switch (op) {
    case "+":
      if (x !== null && y !== null) return exactInt(x + y, "addition");
      if (typeof a === "string" && typeof b === "string") return a + b;
      if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
        const joined = [...a, ...b];
        return isTuple(a) ? makeTuple(joined) : joined;
      }
      return typeError(op, a, b);
    case "-":
      if (x !== null && y !== null) return exactInt(x - y, "subtraction");
      return typeError(op, a, b);
    case "*":
      if (x !== null && y !== null) return exactInt(x * y, "multiplication");
      if (typeof a === "string" && y !== null && Number.isInteger(y))
        return a.repeat(Math.max(0, y));
      if (typeof b === "string" && x !== null && Number.isInteger(x))
        return b.repeat(Math.max(0, x));
      return typeError(op, a, b);
    case "//":
    case "%":
      if (x === null || y === null) {
        if (op === "%" && typeof a === "string") {
          throw new UnsupportedTemplateError(
            "printf-style string formatting (%) is not supported yet",
          );
        }
        return typeError(op, a, b);
      }
      if (!ints) {
        throw new UnsupportedTemplateError(`'${op}' on floats is not supported yet`);
      }
      if (y === 0) throw new RenderError("integer division or modulo by zero");
      return op === "//" ? Math.floor(x / y) : ((x % y) + y) % y;
    case "**":
      if (ints && x !== null && y !== null && y >= 0) return exactInt(x ** y, "power");
      throw new UnsupportedTemplateError(
        "'**' is only supported for non-negative integer exponents",
      );
    case "/":
      // Python's true division always yields a float, which prints as `2.0`; JS numbers cannot
      // carry that distinction, so refuse rather than print `2`.
      throw new UnsupportedTemplateError("'/' (true division) is not supported yet; use '//'");
  }
  throw new UnsupportedTemplateError(`operator '${op}' is not supported yet`);
}

function compareOp(op: string, a: unknown, b: unknown): boolean {
  if (a instanceof Undefined) a.fail();
  if (b instanceof Undefined) b.fail();
  switch (op) {
    case "==":
      return pyEquals(a, b);
    case "!=":
      return !pyEquals(a, b);
    case "in":
      return pyContains(b, a);
    case "not in":
      return !pyContains(b, a);
    case "<":
      return pyCompare(a, b, op) < 0;
    case ">":
      return pyCompare(a, b, op) > 0;
    case "<=":
      return pyCompare(a, b, op) <= 0;
    default:
      return pyCompare(a, b, op) >= 0;
  }
}

function getItem(expr: Expr, obj: unknown, key: unknown): unknown {
  if (obj instanceof Undefined) obj.fail();
  if (key instanceof Undefined) key.fail();
  const where = describe(expr);
  if (obj instanceof TemplateProxy) return obj.attr(pyStr(key));
  if (isPlainObject(obj)) {
    if (typeof key === "string" && Object.hasOwn(obj, key)) return obj[key];
    return new Undefined(where, `'dict object' has no attribute ${pyStr(key)}`);
  }
  if (Array.isArray(obj) || typeof obj === "string") {
    const items = typeof obj === "string" ? [...obj] : obj;
    const index = typeof key === "boolean" ? Number(key) : key;
    if (typeof index === "number" && Number.isInteger(index)) {
      const i = index < 0 ? items.length + index : index;
      if (i >= 0 && i < items.length) return items[i];
      return new Undefined(where, `${pyTypeName(obj)} index ${index} out of range`);
    }
  }
  return new Undefined(where, `'${pyTypeName(obj)} object' has no attribute ${pyStr(key)}`);
}

function getAttr(expr: Expr & { type: "getattr" }, obj: unknown): unknown {
  if (obj instanceof Undefined) obj.fail();
  if (obj instanceof TemplateProxy) return obj.attr(expr.name);
  if (isPlainObject(obj)) {
    if (DICT_METHODS.has(expr.name)) {
      throw new UnsupportedTemplateError(
        `'${describe(expr)}' names a dict method in Jinja; use ${describe(expr.object)}['${expr.name}'] for the key`,
      );
    }
    if (Object.hasOwn(obj, expr.name)) return obj[expr.name];
  }
  return new Undefined(
    describe(expr),
    `'${pyTypeName(obj)} object' has no attribute '${expr.name}'`,
  );
}

export function evaluate(expr: Expr, scope: Scope): unknown {
  switch (expr.type) {
    case "literal":
      return expr.value;
    case "name":
      return scope.lookup(expr.name);
    case "getattr":
      return getAttr(expr, evaluate(expr.object, scope));
    case "getitem":
      return getItem(expr, evaluate(expr.object, scope), evaluate(expr.key, scope));
    case "call": {
      const callee = expr.callee;
      if (callee.type !== "getattr") {
        throw new UnsupportedTemplateError(`calling ${describe(callee)}() is not supported yet`);
      }
      const target = evaluate(callee.object, scope);
      if (target instanceof Undefined) target.fail();
      const args = expr.args.map((a) => evaluate(a, scope));
      const kwargs = Object.fromEntries(
        Object.entries(expr.kwargs).map(([k, v]) => [k, evaluate(v, scope)]),
      );
      return callMethod(target, callee.name, args, kwargs);
    }
    case "filter": {
      const args = expr.args.map((a) => evaluate(a, scope));
      const kwargs = Object.fromEntries(
        Object.entries(expr.kwargs).map(([k, v]) => [k, evaluate(v, scope)]),
      );
      return applyFilter(expr.name, evaluate(expr.value, scope), { args, kwargs });
    }
    case "test": {
      const args = expr.args.map((a) => evaluate(a, scope));
      const result = applyTest(expr.name, evaluate(expr.value, scope), args);
      return expr.negated ? !result : result;
    }
    case "unary": {
      const v = evaluate(expr.operand, scope);
      if (expr.op === "not") return !pyTruthy(v);
      if (v instanceof Undefined) v.fail();
      const n = asNumber(v);
      if (n === null)
        throw new RenderError(`bad operand type for unary ${expr.op}: '${pyTypeName(v)}'`);
      return expr.op === "-" ? (n === 0 ? 0 : -n) : n;
    }
    case "binary":
      return arith(expr.op, evaluate(expr.left, scope), evaluate(expr.right, scope));
    case "compare": {
      let left = evaluate(expr.first, scope);
      for (const { op, value } of expr.rest) {
        const right = evaluate(value, scope);
        if (!compareOp(op, left, right)) return false;
        left = right;
      }
      return true;
    }
    case "logical": {
      const left = evaluate(expr.left, scope);
      if (expr.op === "and") return pyTruthy(left) ? evaluate(expr.right, scope) : left;
      return pyTruthy(left) ? left : evaluate(expr.right, scope);
    }
    case "cond":
      if (pyTruthy(evaluate(expr.test, scope))) return evaluate(expr.whenTrue, scope);
      return expr.otherwise
        ? evaluate(expr.otherwise, scope)
        : new Undefined("inline if", "the condition was false and there is no else branch");
    case "list":
      return expr.items.map((i) => evaluate(i, scope));
    case "tuple":
      return makeTuple(expr.items.map((i) => evaluate(i, scope)));
    case "dict": {
      const out: Record<string, unknown> = {};
      for (const { key, value } of expr.entries) {
        const k = evaluate(key, scope);
        if (typeof k !== "string") {
          throw new UnsupportedTemplateError(
            "dict literals with non-string keys are not supported yet",
          );
        }
        out[k] = evaluate(value, scope);
      }
      return out;
    }
  }
}

function assign(scope: Scope, targets: string[], value: unknown): void {
  const [first] = targets;
  if (targets.length === 1 && first !== undefined) {
    scope.set(first, value);
    return;
  }
  const items = pyIterate(value);
  if (items.length !== targets.length) {
    throw new RenderError(
      `cannot unpack ${items.length} values into ${targets.length} names (${targets.join(", ")})`,
    );
  }
  targets.forEach((t, i) => {
    scope.set(t, items[i]);
  });
}

export function execute(stmts: Stmt[], scope: Scope, out: string[]): void {
  for (const stmt of stmts) {
    switch (stmt.type) {
      case "text":
        out.push(stmt.text);
        break;
      case "print":
        out.push(pyStr(evaluate(stmt.expr, scope)));
        break;
      case "set":
        assign(scope, stmt.targets, evaluate(stmt.value, scope));
        break;
      case "if": {
        const branch = stmt.branches.find((b) => pyTruthy(evaluate(b.test, scope)));
        execute(branch ? branch.body : stmt.otherwise, scope, out);
        break;
      }
      case "for": {
        const items = pyIterate(evaluate(stmt.iter, scope));
        if (items.length === 0) {
          execute(stmt.otherwise, scope, out);
          break;
        }
        items.forEach((item, i) => {
          scope.push();
          try {
            assign(scope, stmt.targets, item);
            scope.set("loop", {
              index: i + 1,
              index0: i,
              revindex: items.length - i,
              revindex0: items.length - i - 1,
              first: i === 0,
              last: i === items.length - 1,
              length: items.length,
            });
            execute(stmt.body, scope, out);
          } finally {
            scope.pop();
          }
        });
        break;
      }
    }
  }
}
