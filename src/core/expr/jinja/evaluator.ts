/** Evaluates Jinja expressions with Python semantics and StrictUndefined. */

import { RenderError } from "../../errors.ts";
import {
  pyAdd,
  pyFloorDiv,
  pyMod,
  pyMul,
  pyNeg,
  pyPos,
  pyPow,
  pySub,
  pyTrueDiv,
} from "../python/arith.ts";
import { pyTypeError } from "../python/errors.ts";
import {
  dictSet,
  makeTuple,
  pyCompare,
  pyContains,
  pyEquals,
  pyStr,
  pyTruthy,
  pyTypeName,
  Undefined,
} from "../python/value.ts";
import { getAttr, getItem, getSlice } from "./access.ts";
import { describe, type Expr } from "./ast.ts";
import { type Kwargs, PyFunction, type RenderBudget, type Scope } from "./runtime.ts";

export type FilterFn = (value: unknown, args: unknown[], kwargs: Kwargs, env: Env) => unknown;
export type TestFn = (value: unknown, args: unknown[], kwargs: Kwargs, env: Env) => boolean;

/** What evaluation needs from the engine for one render. */
export interface Env {
  readonly filters: ReadonlyMap<string, FilterFn>;
  readonly tests: ReadonlyMap<string, TestFn>;
  readonly budget: RenderBudget;
}

/** Filters and tests that look at an undefined value instead of failing on it. */
const UNDEFINED_FILTERS = new Set(["default", "d"]);
const UNDEFINED_TESTS = new Set(["defined", "undefined"]);

export function defined<T>(value: T): T {
  if (value instanceof Undefined) value.fail();
  return value;
}

/** Calls a template callable (global, method, macro, registered function). */
export function callValue(
  env: Env,
  callee: unknown,
  args: unknown[],
  kwargs: Kwargs,
  where = "",
): unknown {
  if (callee instanceof Undefined) callee.fail();
  if (!(callee instanceof PyFunction)) {
    return pyTypeError(
      `'${pyTypeName(callee)}' object is not callable${where ? ` (${where})` : ""}`,
    );
  }
  return env.budget.enter(() => callee.fn(args, kwargs));
}

export function applyFilter(
  env: Env,
  name: string,
  value: unknown,
  args: unknown[],
  kwargs: Kwargs,
): unknown {
  const filter = env.filters.get(name);
  if (filter === undefined) throw new RenderError(`no filter named '${name}'`);
  if (!UNDEFINED_FILTERS.has(name)) {
    defined(value);
    for (const a of args) defined(a);
    for (const a of Object.values(kwargs)) defined(a);
  }
  return filter(value, args, kwargs, env);
}

export function applyTest(
  env: Env,
  name: string,
  value: unknown,
  args: unknown[],
  kwargs: Kwargs,
): boolean {
  const test = env.tests.get(name);
  if (test === undefined) throw new RenderError(`no test named '${name}'`);
  if (!UNDEFINED_TESTS.has(name)) {
    defined(value);
    for (const a of args) defined(a);
  }
  return test(value, args, kwargs, env);
}

function binary(op: string, a: unknown, b: unknown): unknown {
  defined(a);
  defined(b);
  switch (op) {
    case "+":
      return pyAdd(a, b);
    case "-":
      return pySub(a, b);
    case "*":
      return pyMul(a, b);
    case "/":
      return pyTrueDiv(a, b);
    case "//":
      return pyFloorDiv(a, b);
    case "%":
      return pyMod(a, b);
    case "**":
      return pyPow(a, b);
    case "~":
      return pyStr(a) + pyStr(b);
  }
  throw new RenderError(`unknown operator '${op}'`);
}

export function compareOp(op: string, a: unknown, b: unknown): boolean {
  defined(a);
  defined(b);
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

function evalArgs(
  env: Env,
  scope: Scope,
  args: Expr[],
  kwargs: Record<string, Expr>,
): [unknown[], Kwargs] {
  const kw: Kwargs = {};
  for (const [k, v] of Object.entries(kwargs)) dictSet(kw, k, evaluate(env, scope, v));
  return [args.map((a) => evaluate(env, scope, a)), kw];
}

export function evaluate(env: Env, scope: Scope, expr: Expr): unknown {
  switch (expr.type) {
    case "literal":
      return expr.value;
    case "name":
      return scope.lookup(expr.name);
    case "getattr":
      return getAttr(evaluate(env, scope, expr.object), expr.name, describe(expr));
    case "getitem":
      return getItem(
        evaluate(env, scope, expr.object),
        evaluate(env, scope, expr.key),
        describe(expr),
      );
    case "slice": {
      const part = (e: Expr | null) => (e === null ? null : evaluate(env, scope, e));
      return getSlice(
        evaluate(env, scope, expr.object),
        part(expr.start),
        part(expr.stop),
        part(expr.step),
      );
    }
    case "call": {
      const callee = evaluate(env, scope, expr.callee);
      const [args, kwargs] = evalArgs(env, scope, expr.args, expr.kwargs);
      return callValue(env, callee, args, kwargs, describe(expr.callee));
    }
    case "filter": {
      const value = evaluate(env, scope, expr.value);
      const [args, kwargs] = evalArgs(env, scope, expr.args, expr.kwargs);
      return applyFilter(env, expr.name, value, args, kwargs);
    }
    case "test": {
      const value = evaluate(env, scope, expr.value);
      const [args, kwargs] = evalArgs(env, scope, expr.args, expr.kwargs);
      const result = applyTest(env, expr.name, value, args, kwargs);
      return expr.negated ? !result : result;
    }
    case "unary": {
      const v = evaluate(env, scope, expr.operand);
      if (expr.op === "not") return !pyTruthy(v);
      return expr.op === "-" ? pyNeg(v) : pyPos(v);
    }
    case "binary":
      return binary(expr.op, evaluate(env, scope, expr.left), evaluate(env, scope, expr.right));
    case "compare": {
      let left = evaluate(env, scope, expr.first);
      for (const { op, value } of expr.rest) {
        const right = evaluate(env, scope, value);
        if (!compareOp(op, left, right)) return false;
        left = right;
      }
      return true;
    }
    case "logical": {
      const left = evaluate(env, scope, expr.left);
      if (expr.op === "and") return pyTruthy(left) ? evaluate(env, scope, expr.right) : left;
      return pyTruthy(left) ? left : evaluate(env, scope, expr.right);
    }
    case "cond":
      if (pyTruthy(evaluate(env, scope, expr.test))) return evaluate(env, scope, expr.whenTrue);
      return expr.otherwise
        ? evaluate(env, scope, expr.otherwise)
        : new Undefined(describe(expr.whenTrue), "the inline if was false and has no else");
    case "list":
      return expr.items.map((i) => evaluate(env, scope, i));
    case "tuple":
      return makeTuple(expr.items.map((i) => evaluate(env, scope, i)));
    case "dict": {
      const out: Record<string, unknown> = {};
      for (const { key, value } of expr.entries) {
        const k = defined(evaluate(env, scope, key));
        dictSet(out, typeof k === "string" ? k : pyStr(k), evaluate(env, scope, value));
      }
      return out;
    }
  }
}
