/** yaql's queries library (standard_library/queries.py): lazy LINQ-style operations. */

import type { Context } from "../context.ts";
import { pyError, YaqlException, YaqlPythonError } from "../errors.ts";
import { callWithValues } from "../evaluator.ts";
import { pyCmp, sortValues } from "../pyops.ts";
import { type FunctionDef, fn, type Lambda, opt, p, T, toArray } from "../registry.ts";
import { hashKey, pyEq, truthy, YDict, YIter, YSet } from "../values.ts";

const IT = T.iterable;
const L = T.lambda;

function lazy(gen: () => Generator<unknown>): YIter {
  return new YIter(gen());
}

function stopIteration(): never {
  throw pyError("StopIteration", "");
}

/** Sort order kept by orderBy so thenBy can refine it. */
const orderings = new WeakMap<unknown[], { items: unknown[]; keys: [Lambda, boolean][] }>();

function ordered(items: unknown[], keys: [Lambda, boolean][]): unknown[] {
  let out = items;
  for (let i = keys.length - 1; i >= 0; i--) {
    const [k, desc] = keys[i] as [Lambda, boolean];
    out = sortValues(out, (x) => k(x), desc);
  }
  orderings.set(out, { items, keys });
  return out;
}

function thenBy(c: Context, coll: unknown, key: Lambda, desc: boolean): unknown[] {
  const spec = Array.isArray(coll) ? orderings.get(coll) : undefined;
  if (!spec) return ordered(toArray(coll, c), [[key, desc]]);
  return ordered(spec.items, [...spec.keys, [key, desc]]);
}

function add(c: Context, a: unknown, b: unknown): unknown {
  return callWithValues(c, "#operator_+", [a, b]);
}

function aggregate(c: Context, coll: unknown, f: Lambda, seed: unknown, hasSeed: boolean): unknown {
  const items = toArray(coll, c);
  if (!hasSeed && items.length === 0) {
    throw pyError("TypeError", "reduce() of empty iterable with no initial value");
  }
  let acc = hasSeed ? seed : items[0];
  for (const x of hasSeed ? items : items.slice(1)) acc = f(acc, x);
  return acc;
}

const NO = Symbol("no value");

function extreme(c: Context, coll: unknown, init: unknown, sign: number): unknown {
  const items = [...toArray(coll, c)];
  if (init !== NO) items.unshift(init);
  if (items.length === 0) throw pyError("TypeError", "max() arg is an empty sequence");
  let best = items[0];
  for (const x of items.slice(1)) {
    const d = pyCmp(x, best);
    if (sign > 0 ? d > 0 : d < 0) best = x;
  }
  return best;
}

function isFallbackError(err: unknown): boolean {
  if (err instanceof YaqlPythonError)
    return ["TypeError", "ValueError", "KeyError", "IndexError"].includes(err.pythonName);
  return err instanceof YaqlException && err.constructor.name.startsWith("NoMatching");
}

export const queryFunctions: FunctionDef[] = [
  fn("where", "method", [p("collection", IT), p("predicate", L)], (_c, [s, f]) =>
    lazy(function* () {
      for (const x of s as Iterable<unknown>) if (truthy((f as Lambda)(x))) yield x;
    }),
  ),
  fn("filter", "method", [p("collection", IT), p("predicate", L)], (_c, [s, f]) =>
    lazy(function* () {
      for (const x of s as Iterable<unknown>) if (truthy((f as Lambda)(x))) yield x;
    }),
  ),
  ...["select", "map"].map((name) =>
    fn(name, "method", [p("collection", IT), p("selector", L)], (_c, [s, f]) =>
      lazy(function* () {
        for (const x of s as Iterable<unknown>) yield (f as Lambda)(x);
      }),
    ),
  ),
  fn(
    "append",
    "ext",
    [p("collection", IT)],
    (_c, [s, extra]) =>
      lazy(function* () {
        yield* s as Iterable<unknown>;
        yield* extra as unknown[];
      }),
    { varargs: T.any },
  ),
  fn("selectMany", "method", [p("collection", IT), p("selector", L)], (c, [s, f]) =>
    lazy(function* () {
      for (const x of s as Iterable<unknown>) {
        const r = (f as Lambda)(x);
        if (Array.isArray(r) || r instanceof YIter || r instanceof YSet) yield* toArray(r, c.ctx);
        else yield r;
      }
    }),
  ),
  fn("skip", "method", [p("collection", IT), p("count", T.int)], (_c, [s, n]) =>
    lazy(function* () {
      let i = 0;
      for (const x of s as Iterable<unknown>) if (i++ >= (n as number)) yield x;
    }),
  ),
  ...["take", "limit"].map((name) =>
    fn(name, "method", [p("collection", IT), p("count", T.int)], (_c, [s, n]) =>
      lazy(function* () {
        if ((n as number) <= 0) return;
        let i = 0;
        for (const x of s as Iterable<unknown>) {
          yield x;
          if (++i >= (n as number)) return;
        }
      }),
    ),
  ),
  fn("skipWhile", "method", [p("collection", IT), p("predicate", L)], (_c, [s, f]) =>
    lazy(function* () {
      let skipping = true;
      for (const x of s as Iterable<unknown>) {
        if (skipping && truthy((f as Lambda)(x))) continue;
        skipping = false;
        yield x;
      }
    }),
  ),
  fn("takeWhile", "method", [p("collection", IT), p("predicate", L)], (_c, [s, f]) =>
    lazy(function* () {
      for (const x of s as Iterable<unknown>) {
        if (!truthy((f as Lambda)(x))) return;
        yield x;
      }
    }),
  ),
  fn("first", "method", [p("collection", IT), opt("default", T.any, NO)], (_c, [s, d]) => {
    for (const x of s as Iterable<unknown>) return x;
    return d === NO ? stopIteration() : d;
  }),
  fn("last", "method", [p("collection", IT), opt("default", T.any, NO)], (c, [s, d]) => {
    const items = toArray(s, c.ctx);
    if (items.length > 0) return items[items.length - 1];
    return d === NO ? stopIteration() : d;
  }),
  fn("single", "method", [p("collection", IT)], (c, [s]) => {
    const items = toArray(s, c.ctx);
    if (items.length !== 1) stopIteration();
    return items[0];
  }),
  fn("all", "method", [p("collection", IT), opt("predicate", L, null)], (_c, [s, f]) => {
    for (const x of s as Iterable<unknown>) if (!truthy(f ? (f as Lambda)(x) : x)) return false;
    return true;
  }),
  fn("any", "method", [p("collection", IT), opt("predicate", L, null)], (_c, [s, f]) => {
    for (const x of s as Iterable<unknown>) if (!f || truthy((f as Lambda)(x))) return true;
    return false;
  }),
  fn(
    "concat",
    "ext",
    [],
    (c, [colls]) =>
      lazy(function* () {
        for (const s of colls as unknown[]) yield* toArray(s, c.ctx);
      }),
    { varargs: IT },
  ),
  fn("defaultIfEmpty", "method", [p("collection", IT), p("default")], (c, [s, d]) => {
    const items = toArray(s, c.ctx);
    return items.length === 0 ? d : items;
  }),
  fn("distinct", "ext", [p("collection", IT), opt("keySelector", L, null)], (_c, [s, f]) =>
    lazy(function* () {
      const seen = new Set<string>();
      for (const x of s as Iterable<unknown>) {
        const k = hashKey(f ? (f as Lambda)(x) : x);
        if (seen.has(k)) continue;
        seen.add(k);
        yield x;
      }
    }),
  ),
  fn("enumerate", "ext", [p("collection", IT), opt("start", T.int, 0)], (_c, [s, start]) =>
    lazy(function* () {
      let i = start as number;
      for (const x of s as Iterable<unknown>) yield [i++, x];
    }),
  ),
  fn("indexOf", "method", [p("collection", T.sequence), p("item")], (_c, [s, v]) =>
    (s as unknown[]).findIndex((x) => pyEq(x, v)),
  ),
  fn("lastIndexOf", "method", [p("collection", T.sequence), p("item")], (_c, [s, v]) =>
    (s as unknown[]).findLastIndex((x) => pyEq(x, v)),
  ),
  fn("indexWhere", "method", [p("collection", IT), p("predicate", L)], (c, [s, f]) =>
    toArray(s, c.ctx).findIndex((x) => truthy((f as Lambda)(x))),
  ),
  fn("lastIndexWhere", "method", [p("collection", IT), p("predicate", L)], (c, [s, f]) =>
    toArray(s, c.ctx).findLastIndex((x) => truthy((f as Lambda)(x))),
  ),
  fn("len", "ext", [p("sequence", IT)], (c, [s]) => toArray(s, c.ctx).length),
  fn("count", "method", [p("collection", IT)], (c, [s]) => toArray(s, c.ctx).length),
  fn("max", "method", [p("collection", IT), opt("initial", T.any, NO)], (c, [s, i]) =>
    extreme(c.ctx, s, i, 1),
  ),
  fn("min", "method", [p("collection", IT), opt("initial", T.any, NO)], (c, [s, i]) =>
    extreme(c.ctx, s, i, -1),
  ),
  fn("sum", "method", [p("collection", IT), opt("initial", T.any, NO)], (c, [s, i]) => {
    const items = toArray(s, c.ctx);
    if (i === NO && items.length === 0) return 0;
    return items
      .slice(i === NO ? 1 : 0)
      .reduce((acc, x) => add(c.ctx, acc, x), i === NO ? items[0] : i);
  }),
  fn("reverse", "method", [p("collection", IT)], (c, [s]) => [...toArray(s, c.ctx)].reverse()),
  fn("orderBy", "method", [p("collection", IT), p("selector", L)], (c, [s, f]) =>
    ordered(toArray(s, c.ctx), [[f as Lambda, false]]),
  ),
  fn("orderByDescending", "method", [p("collection", IT), p("selector", L)], (c, [s, f]) =>
    ordered(toArray(s, c.ctx), [[f as Lambda, true]]),
  ),
  fn("thenBy", "method", [p("collection", IT), p("selector", L)], (c, [s, f]) =>
    thenBy(c.ctx, s, f as Lambda, false),
  ),
  fn("thenByDescending", "method", [p("collection", IT), p("selector", L)], (c, [s, f]) =>
    thenBy(c.ctx, s, f as Lambda, true),
  ),
  fn(
    "groupBy",
    "method",
    [
      p("collection", IT),
      p("keySelector", L),
      opt("valueSelector", L, null),
      opt("aggregator", L, null),
    ],
    (c, [s, ks, vs, ag]) => {
      const groups = new YDict();
      for (const x of toArray(s, c.ctx)) {
        const k = (ks as Lambda)(x);
        const v = vs ? (vs as Lambda)(x) : x;
        const list = (groups.get(k) as unknown[] | undefined) ?? [];
        if (!groups.has(k)) groups.set(k, list);
        list.push(v);
      }
      return [...groups.entries()].map(([k, vals]) => {
        if (!ag) return [k, vals];
        try {
          return (ag as Lambda)([k, vals]);
        } catch (err) {
          // yaql's backward compatibility: old-style aggregators take only the values.
          if (!isFallbackError(err)) throw err;
          return [k, (ag as Lambda)(vals)];
        }
      });
    },
  ),
  fn(
    "join",
    "method",
    [p("collection1", IT), p("collection2", IT), p("predicate", L), p("selector", L)],
    (c, [a, b, pred, sel]) => {
      const right = toArray(b, c.ctx);
      return lazy(function* () {
        for (const x of a as Iterable<unknown>) {
          for (const y of right) if (truthy((pred as Lambda)(x, y))) yield (sel as Lambda)(x, y);
        }
      });
    },
  ),
  fn(
    "zip",
    "method",
    [p("collection", IT)],
    (c, [s, others]) => {
      const lists = [toArray(s, c.ctx), ...(others as unknown[]).map((o) => toArray(o, c.ctx))];
      const n = Math.min(...lists.map((l) => l.length));
      return Array.from({ length: n }, (_v, i) => lists.map((l) => l[i]));
    },
    { varargs: IT },
  ),
  fn(
    "zipLongest",
    "method",
    [p("collection", IT)],
    (c, [s, others, kw]) => {
      const lists = [toArray(s, c.ctx), ...(others as unknown[]).map((o) => toArray(o, c.ctx))];
      const dflt = (kw as Map<string, unknown>).get("default") ?? null;
      const n = Math.max(...lists.map((l) => l.length));
      return Array.from({ length: n }, (_v, i) => lists.map((l) => (i < l.length ? l[i] : dflt)));
    },
    { varargs: IT, kwargs: true },
  ),
  fn(
    "aggregate",
    "method",
    [p("collection", IT), p("selector", L), opt("seed", T.any, NO)],
    (c, [s, f, seed]) => aggregate(c.ctx, s, f as Lambda, seed, seed !== NO),
  ),
  fn(
    "reduce",
    "method",
    [p("collection", IT), p("selector", L), opt("seed", T.any, NO)],
    (c, [s, f, seed]) => aggregate(c.ctx, s, f as Lambda, seed, seed !== NO),
  ),
  fn(
    "accumulate",
    "method",
    [p("collection", IT), p("selector", L), opt("seed", T.any, NO)],
    (c, [s, f, seed]) => {
      const items = toArray(s, c.ctx);
      const out: unknown[] = [];
      let acc: unknown;
      let rest = items;
      if (seed !== NO) acc = seed;
      else if (items.length > 0) [acc, ...rest] = items;
      else return out;
      out.push(acc);
      for (const x of rest) {
        acc = (f as Lambda)(acc, x);
        out.push(acc);
      }
      return out;
    },
  ),
];
