/**
 * yaql.legacy: the YAQL 0.2 compatibility functions Mistral-era content relies on. They are
 * added over the standard library (yaql's legacy context does the same).
 */

import { makeTuple } from "../../python/value.ts";
import { pyError } from "../errors.ts";
import {
  type FunctionDef,
  fn,
  type Lambda,
  type LazyMappingRule,
  p,
  T,
  toArray,
} from "../registry.ts";
import { isInt, truthy, YDict, YIter } from "../values.ts";

/** Names yaql.legacy also makes callable as methods (`x.bool()`, `[…].sum()`). */
export const LEGACY_METHOD_NAMES = [
  "get",
  "list",
  "bool",
  "int",
  "float",
  "select",
  "where",
  "join",
  "sum",
  "takeWhile",
  "dict",
];

function* count(start: number): Generator<number> {
  for (let i = start; ; i++) yield i;
}

export const legacyFunctions: FunctionDef[] = [
  fn(
    "#indexer",
    "function",
    [p("collection", T.iterable), p("index", T.lambda)],
    (_c, [coll, idx]) => {
      const f = idx as Lambda;
      if (Array.isArray(coll)) {
        const i = f();
        if (isInt(i)) {
          const at = i < 0 ? coll.length + i : i;
          if (at < 0 || at >= coll.length) throw pyError("IndexError", "tuple index out of range");
          return coll[at];
        }
      }
      return new YIter(
        (function* () {
          for (const x of coll as Iterable<unknown>) if (truthy(f(x))) yield x;
        })(),
      );
    },
  ),
  fn("range", "ext", [p("start", T.int)], (_c, [a]) => new YIter(count(a as number))),
  fn(
    "range",
    "ext",
    [p("start", T.int), p("stop", T.int)],
    (_c, [a, b]) =>
      new YIter(
        (function* () {
          for (let i = a as number; i < (b as number); i++) yield i;
        })(),
      ),
  ),
  fn(
    "switch",
    "function",
    [p("value")],
    (_c, [v, cases]) => {
      for (const m of cases as LazyMappingRule[]) if (truthy(m.source(v))) return m.destination(v);
      return null;
    },
    { varargs: T.lazyMapping },
  ),
  fn(
    "as",
    "method",
    [p("receiver")],
    (c, [recv, rules]) => {
      for (const m of rules as LazyMappingRule[]) {
        const name = m.destination(recv);
        c.ctx.set(`$${String(name)}`, m.source(recv));
      }
      return recv;
    },
    { varargs: T.lazyMapping },
  ),
  fn("tuple", "function", [], (_c, [args]) => makeTuple([...(args as unknown[])]), {
    varargs: T.any,
  }),
  fn("list", "method", [p("collection", T.iterable)], (c, [x]) => toArray(x, c.ctx)),
  fn(
    "dict",
    "function",
    [],
    (_c, [pairs]) => YDict.from((pairs as unknown[][]).map((t) => [t[0], t[1]])),
    { varargs: T.sequence },
  ),
];
