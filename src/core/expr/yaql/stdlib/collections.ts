/** yaql's collections library (standard_library/collections.py): lists, dicts and sets. */

import { pyError } from "../errors.ts";
import {
  type FunctionDef,
  fn,
  type Lambda,
  type MappingRule,
  opt,
  p,
  T,
  toArray,
} from "../registry.ts";
import { isIterableValue, pyEq, YDict, YIter, YSet } from "../values.ts";

/** yaql's list()/set() flatten iterator arguments, never lists (`list(1, list(2))`). */
function* flattenIterators(args: unknown[]): Generator<unknown> {
  for (const a of args) {
    if (a instanceof YIter) yield* a;
    else yield a;
  }
}

function dictFromPairs(items: unknown[]): YDict {
  const d = new YDict();
  for (const item of items) {
    if (!Array.isArray(item) || item.length !== 2) {
      throw pyError("ValueError", "dictionary update sequence element has wrong length");
    }
    d.set(item[0], item[1]);
  }
  return d;
}

type Merger = (a: unknown, b: unknown) => unknown;

function mergeDicts(
  to: YDict,
  from: YDict,
  listMerger: Merger,
  itemMerger: Merger,
  maxLevels: number,
  level: number,
): YDict {
  const out = to.copy();
  for (const [k, v] of from.entries()) {
    if (!out.has(k)) {
      out.set(k, v);
      continue;
    }
    const old = out.get(k);
    if (maxLevels > 0 && level >= maxLevels) out.set(k, itemMerger(old, v));
    else if (old instanceof YDict && v instanceof YDict) {
      out.set(k, mergeDicts(old, v, listMerger, itemMerger, maxLevels, level + 1));
    } else if (Array.isArray(old) && Array.isArray(v)) out.set(k, listMerger(old, v));
    else out.set(k, itemMerger(old, v));
  }
  return out;
}

function distinctConcat(a: unknown, b: unknown): unknown[] {
  const out: unknown[] = [];
  for (const x of [...(a as unknown[]), ...(b as unknown[])])
    if (!out.some((y) => pyEq(x, y))) out.push(x);
  return out;
}

/**
 * yaql's replace/replaceMany: from `start`, `count` items (all when negative) give way to what
 * `insert` yields. `insert` runs only when `start` is reached, as yaql's generator does.
 */
function replaceRange(
  items: Iterable<unknown>,
  start: number,
  count: number,
  insert: () => Iterable<unknown>,
): YIter {
  return new YIter(
    (function* () {
      let i = -1;
      for (const x of items) {
        i++;
        if (i === start) yield* insert();
        if (i >= start && (count < 0 || i < start + count)) continue;
        yield x;
      }
    })(),
  );
}

const IT = T.iterable;

export const collectionFunctions: FunctionDef[] = [
  fn(
    "list",
    "function",
    [],
    (c, [args]) => toArray(new YIter(flattenIterators(args as unknown[])), c.ctx),
    { varargs: T.any },
  ),
  fn(
    "set",
    "function",
    [],
    (c, [args]) => YSet.from(toArray(new YIter(flattenIterators(args as unknown[])), c.ctx)),
    { varargs: T.any },
  ),
  fn("toList", "method", [p("collection", IT)], (c, [x]) => [...toArray(x, c.ctx)]),
  fn("toSet", "method", [p("collection", IT)], (c, [x]) => YSet.from(toArray(x, c.ctx))),
  fn("isList", "function", [p("arg")], (_c, [x]) => Array.isArray(x)),
  fn("isSet", "function", [p("arg")], (_c, [x]) => x instanceof YSet),
  fn("isDict", "function", [p("arg")], (_c, [x]) => x instanceof YDict),
  fn("isIterable", "function", [p("arg")], (c, [x]) =>
    isIterableValue(x, c.ctx.engine.iterableDicts),
  ),

  fn("dict", "function", [p("items", IT)], (c, [x]) => dictFromPairs(toArray(x, c.ctx))),
  fn(
    "dict",
    "function",
    [],
    (_c, [rules]) => YDict.from((rules as MappingRule[]).map((r) => [r.source, r.destination])),
    { varargs: T.mapping },
  ),
  fn("dict", "function", [], (_c, [kw]) => YDict.from(kw as Map<string, unknown>), {
    kwargs: true,
  }),
  fn(
    "toDict",
    "method",
    [p("collection", IT), p("keySelector", T.lambda), opt("valueSelector", T.lambda, null)],
    (c, [x, ks, vs]) =>
      YDict.from(toArray(x, c.ctx).map((i) => [(ks as Lambda)(i), vs ? (vs as Lambda)(i) : i])),
  ),
  fn(
    "get",
    "method",
    [p("d", T.dict), p("key"), opt("default", T.any, null)],
    (_c, [d, k, dflt]) => {
      const dict = d as YDict;
      return dict.has(k) ? dict.get(k) : dflt;
    },
  ),
  fn("keys", "method", [p("d", T.dict)], (_c, [d]) => new YIter((d as YDict).keys())),
  fn("values", "method", [p("d", T.dict)], (_c, [d]) => new YIter((d as YDict).values())),
  fn("items", "method", [p("d", T.dict)], (_c, [d]) => new YIter([...(d as YDict).entries()])),
  fn("containsKey", "method", [p("d", T.dict), p("key")], (_c, [d, k]) => (d as YDict).has(k)),
  fn("containsValue", "method", [p("d", T.dict), p("value")], (_c, [d, v]) =>
    (d as YDict).values().some((x) => pyEq(x, v)),
  ),
  fn("set", "method", [p("d", T.dict), p("key"), p("value")], (_c, [d, k, v]) => {
    const out = (d as YDict).copy();
    out.set(k, v);
    return out;
  }),
  fn("set", "method", [p("d", T.dict), p("replacements", T.dict)], (_c, [d, r]) =>
    YDict.from([...(d as YDict).entries(), ...(r as YDict).entries()]),
  ),
  fn(
    "set",
    "method",
    [p("d", T.dict)],
    (_c, [d, rules]) =>
      YDict.from([
        ...(d as YDict).entries(),
        ...(rules as MappingRule[]).map((r) => [r.source, r.destination] as const),
      ]),
    { varargs: T.mapping, noKwargs: true },
  ),
  fn(
    "delete",
    "method",
    [p("d", T.dict)],
    (_c, [d, keys]) => {
      const out = (d as YDict).copy();
      for (const k of keys as unknown[]) out.delete(k);
      return out;
    },
    { varargs: T.any },
  ),
  fn("deleteAll", "method", [p("d", T.dict), p("keys", IT)], (c, [d, keys]) => {
    const out = (d as YDict).copy();
    for (const k of toArray(keys, c.ctx)) out.delete(k);
    return out;
  }),
  fn("len", "ext", [p("sequence", T.dict)], (_c, [d]) => (d as YDict).size),
  fn("len", "ext", [p("sequence", T.set)], (_c, [d]) => (d as YSet).size),
  fn(
    "mergeWith",
    "method",
    [
      p("d", T.dict),
      p("another", T.dict),
      opt("listMerger", T.lambda, null),
      opt("itemMerger", T.lambda, null),
      opt("maxLevels", T.int, 0),
    ],
    (_c, [d, o, lm, im, ml]) =>
      mergeDicts(
        d as YDict,
        o as YDict,
        lm ? (a, b) => (lm as Lambda)(a, b) : distinctConcat,
        im ? (a, b) => (im as Lambda)(a, b) : (_a, b) => b,
        ml as number,
        1,
      ),
  ),

  fn(
    "add",
    "method",
    [p("s", T.set)],
    (_c, [s, vals]) => YSet.from([...(s as YSet), ...(vals as unknown[])]),
    { varargs: T.any },
  ),
  fn(
    "remove",
    "method",
    [p("s", T.set)],
    (_c, [s, vals]) => {
      const out = YSet.from(s as YSet);
      for (const v of vals as unknown[]) out.delete(v);
      return out;
    },
    { varargs: T.any },
  ),
  fn(
    "union",
    "method",
    [p("s", T.set)],
    (_c, [s, others]) => YSet.from([s as YSet, ...(others as YSet[])].flatMap((x) => [...x])),
    { varargs: T.set },
  ),
  fn(
    "intersect",
    "method",
    [p("s", T.set)],
    (_c, [s, others]) =>
      YSet.from([...(s as YSet)].filter((x) => (others as YSet[]).every((o) => o.has(x)))),
    { varargs: T.set },
  ),
  fn(
    "difference",
    "method",
    [p("s", T.set)],
    (_c, [s, others]) =>
      YSet.from([...(s as YSet)].filter((x) => (others as YSet[]).every((o) => !o.has(x)))),
    { varargs: T.set },
  ),
  fn("symmetricDifference", "method", [p("s", T.set), p("other", T.set)], (_c, [s, o]) =>
    YSet.from([
      ...[...(s as YSet)].filter((x) => !(o as YSet).has(x)),
      ...[...(o as YSet)].filter((x) => !(s as YSet).has(x)),
    ]),
  ),

  fn(
    "insert",
    "method",
    [p("collection", T.sequence), p("position", T.int), p("value")],
    (_c, [s, pos, v]) => {
      const out = [...(s as unknown[])];
      let i = pos as number;
      if (i < 0) i = Math.max(0, out.length + i);
      out.splice(Math.min(i, out.length), 0, v);
      return out;
    },
  ),
  fn(
    "insert",
    "method",
    [p("collection", T.iterableNoSet), p("position", T.int), p("value")],
    (_c, [s, pos, v]) =>
      new YIter(
        (function* () {
          let i = -1;
          for (const x of s as Iterable<unknown>) {
            i++;
            if (i === pos) yield v;
            yield x;
          }
          if ((pos as number) > i) yield v;
        })(),
      ),
  ),
  fn(
    "insertMany",
    "method",
    [p("collection", T.iterableNoSet), p("position", T.int), p("values", IT)],
    (c, [s, pos, vals]) =>
      new YIter(
        (function* () {
          const values = toArray(vals, c.ctx);
          let i = -1;
          if ((pos as number) < 0) yield* values;
          for (const x of s as Iterable<unknown>) {
            i++;
            if (i === pos) yield* values;
            yield x;
          }
          if ((pos as number) > i) yield* values;
        })(),
      ),
  ),
  fn(
    "replace",
    "method",
    [p("collection", IT), p("position", T.int), p("value"), opt("count", T.int, 1)],
    (_c, [s, pos, v, n]) =>
      replaceRange(s as Iterable<unknown>, pos as number, n as number, () => [v]),
  ),
  fn(
    "replaceMany",
    "method",
    [p("collection", IT), p("position", T.int), p("values", IT), opt("count", T.int, 1)],
    (c, [s, pos, vals, n]) =>
      replaceRange(s as Iterable<unknown>, pos as number, n as number, () => toArray(vals, c.ctx)),
  ),
  fn(
    "delete",
    "method",
    [p("collection", IT), p("position", T.int), opt("count", T.int, 1)],
    (_c, [s, pos, n]) =>
      new YIter(
        (function* () {
          let i = -1;
          const start = pos as number;
          const count = n as number;
          for (const x of s as Iterable<unknown>) {
            i++;
            if (i >= start && (count < 0 || i < start + count)) continue;
            yield x;
          }
        })(),
      ),
  ),
  fn("contains", "method", [p("collection", IT), p("value")], (_c, [s, v]) => {
    for (const x of s as Iterable<unknown>) if (pyEq(x, v)) return true;
    return false;
  }),
];
