/**
 * yaql's system, boolean, common and branching libraries: scoping (`let`, `with`, `def`,
 * `unpack`), delegates (`lambda`, `call`, `#call`), `assert`, `coalesce`, `switch` & co.
 */

import { type Context, ContextValue } from "../context.ts";
import { pyError } from "../errors.ts";
import { applyLambda, callFunction, lambdaNode, valueArg } from "../evaluator.ts";
import {
  type FunctionDef,
  fn,
  type Lambda,
  type LazyMappingRule,
  opt,
  p,
  T,
  toArray,
} from "../registry.ts";
import { truthy, YDelegate, type YDict, YIter } from "../values.ts";

const NOT_GIVEN = Symbol("not given");

function setPositional(c: Context, args: unknown[]): void {
  if (args.length > 0) c.set("$", args[0]);
  for (const [i, a] of args.entries()) c.set(`$${i + 1}`, a);
}

export const systemFunctions: FunctionDef[] = [
  fn(
    "let",
    "function",
    [],
    (c, [args, kwargs]) => {
      const child = c.ctx.child();
      setPositional(child, args as unknown[]);
      for (const [k, v] of kwargs as Map<string, unknown>) child.set(`$${k}`, v);
      return new ContextValue(child);
    },
    { varargs: T.any, kwargs: true },
  ),
  fn(
    "with",
    "function",
    [],
    (c, [args]) => {
      const child = c.ctx.child();
      setPositional(child, args as unknown[]);
      return new ContextValue(child);
    },
    { varargs: T.any },
  ),
  fn("def", "function", [p("name", T.string), p("body", T.lambda)], (c, [name, body]) => {
    const child = c.ctx.child();
    const node = lambdaNode(body as Lambda);
    child.define({
      name: name as string,
      kind: "ext",
      params: [],
      varargs: T.any,
      kwargs: true,
      // The body runs where it is called from, so it sees itself (recursion) and the caller's $.
      impl: (call, [args]) =>
        node
          ? applyLambda(node, call.ctx, args as unknown[])
          : (body as Lambda)(...(args as unknown[])),
    });
    return new ContextValue(child);
  }),
  fn(
    "unpack",
    "method",
    [p("sequence", T.iterable)],
    (c, [seq, names]) => {
      const items = toArray(seq, c.ctx);
      const list = names as string[];
      const child = c.ctx.child();
      if (list.length === 0) {
        setPositional(child, items);
      } else {
        if (list.length !== items.length) {
          throw pyError(
            "ValueError",
            `${items.length > list.length ? "too many" : "not enough"} values to unpack (expected ${list.length})`,
          );
        }
        for (const [i, n] of list.entries()) child.set(`$${n}`, items[i]);
        child.set("$", seq);
      }
      return new ContextValue(child);
    },
    { varargs: T.string },
  ),
  fn(
    "assert",
    "method",
    [p("obj"), p("condition", T.lambda), opt("message", T.string, "Assertion failed")],
    (c, [recv, cond, msg]) => {
      // An iterator is read once by the condition and again by the caller: keep it (memorize).
      const obj = recv instanceof YIter ? toArray(recv, c.ctx) : recv;
      if (!truthy((cond as Lambda)(obj))) throw pyError("AssertionError", msg as string);
      return obj;
    },
  ),
  fn(
    "call",
    "function",
    [
      p("callable", T.oneOf(T.string, T.delegate)),
      p("args", T.sequence),
      p("kwargs", T.dict),
      opt("receiver", T.any, NOT_GIVEN),
    ],
    (c, [name, args, kwargs, recv]) => {
      const positional = (args as unknown[]).map(valueArg);
      const named = [...(kwargs as YDict).entries()].map(([k, v]) => ({
        kind: "named" as const,
        name: String(k),
        value: v,
        has: true,
      }));
      if (name instanceof YDelegate) {
        return name.call(
          args as unknown[],
          new Map([...(kwargs as YDict).entries()].map(([k, v]) => [String(k), v])),
        );
      }
      if (recv === NOT_GIVEN)
        return callFunction(c.ctx, name as string, [...positional, ...named], false);
      return callFunction(c.ctx, name as string, [valueArg(recv), ...positional, ...named], true);
    },
  ),

  fn("bool", "function", [p("value")], (_c, [v]) => truthy(v)),
  fn("isBoolean", "function", [p("value")], (_c, [v]) => typeof v === "boolean"),
  fn(
    "coalesce",
    "function",
    [],
    (_c, [args]) => {
      for (const a of args as Lambda[]) {
        const v = a();
        if (v !== null && v !== undefined) return v;
      }
      return null;
    },
    { varargs: T.lambda },
  ),

  fn(
    "switch",
    "function",
    [],
    (_c, [cases]) => {
      for (const m of cases as LazyMappingRule[]) if (truthy(m.source())) return m.destination();
      return null;
    },
    { varargs: T.lazyMapping },
  ),
  fn(
    "selectCase",
    "function",
    [],
    (_c, [conds]) => {
      const list = conds as Lambda[];
      const i = list.findIndex((f) => truthy(f()));
      return i < 0 ? list.length : i;
    },
    { varargs: T.lambda },
  ),
  fn(
    "selectAllCases",
    "function",
    [],
    (_c, [conds]) => (conds as Lambda[]).flatMap((f, i) => (truthy(f()) ? [i] : [])),
    { varargs: T.lambda },
  ),
  fn("examine", "function", [], (_c, [conds]) => (conds as Lambda[]).map((f) => truthy(f())), {
    varargs: T.lambda,
  }),
  fn(
    "switchCase",
    "method",
    [p("case", T.int)],
    (_c, [k, args]) => {
      const list = args as Lambda[];
      const i = k as number;
      const f = i >= 0 && i < list.length ? list[i] : list[list.length - 1];
      return f ? f() : null;
    },
    { varargs: T.lambda },
  ),
];

/** Delegates: only where the engine allows them (not in Orquesta). */
export const delegateFunctions: FunctionDef[] = [
  fn(
    "lambda",
    "function",
    [p("func", T.lambda)],
    (_c, [f]) => new YDelegate((args) => (f as Lambda)(...args)),
  ),
  fn(
    "#call",
    "function",
    [p("callable", T.delegate)],
    (_c, [f, args, kwargs]) =>
      (f as YDelegate).call(args as unknown[], kwargs as Map<string, unknown>),
    { varargs: T.any, kwargs: true },
  ),
];
