/** yaql's generators and slicing (queries.py): range, sequence, repeat, generate, slice… */

import { pyError } from "../errors.ts";
import { type FunctionDef, fn, type Lambda, opt, p, T, toArray } from "../registry.ts";
import { hashKey, truthy, YIter } from "../values.ts";

const IT = T.iterable;
const L = T.lambda;

function lazy(gen: () => Generator<unknown>): YIter {
  return new YIter(gen());
}

function* count(start: number, step: number): Generator<number> {
  for (let i = start; ; i += step) yield i;
}

function* pyRange(start: number, stop: number, step: number): Generator<number> {
  if (step === 0) throw pyError("ValueError", "range() arg 3 must not be zero");
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) yield i;
}

export const sequenceFunctions: FunctionDef[] = [
  fn(
    "range",
    "function",
    [p("stop", T.int)],
    (_c, [stop]) => new YIter(pyRange(0, stop as number, 1)),
  ),
  fn(
    "range",
    "function",
    [p("start", T.int), p("stop", T.int), opt("step", T.int, 1)],
    (_c, [a, b, s]) => new YIter(pyRange(a as number, b as number, s as number)),
  ),
  fn(
    "sequence",
    "function",
    [opt("start", T.int, 0), opt("step", T.int, 1)],
    (_c, [a, s]) => new YIter(count(a as number, s as number)),
  ),
  fn("repeat", "method", [p("value"), opt("times", T.int, -1)], (_c, [v, n]) =>
    lazy(function* () {
      for (let i = 0; (n as number) < 0 || i < (n as number); i++) yield v;
    }),
  ),
  fn("cycle", "method", [p("collection", IT)], (c, [s]) =>
    lazy(function* () {
      const items = toArray(s, c.ctx);
      if (items.length === 0) return;
      for (;;) yield* items;
    }),
  ),
  fn(
    "generate",
    "function",
    [
      p("initial"),
      p("predicate", L),
      p("producer", L),
      opt("selector", L, null),
      opt("decycle", T.bool, false),
    ],
    (_c, [init, pred, prod, sel, decycle]) =>
      lazy(function* () {
        const seen = new Set<string>();
        let v = init;
        while (truthy((pred as Lambda)(v))) {
          if (decycle) {
            const k = hashKey(v);
            if (seen.has(k)) break;
            seen.add(k);
          }
          yield sel ? (sel as Lambda)(v) : v;
          v = (prod as Lambda)(v);
        }
      }),
  ),
  fn(
    "generateMany",
    "function",
    [
      p("initial"),
      p("producer", L),
      opt("selector", L, null),
      opt("decycle", T.bool, false),
      opt("depthFirst", T.bool, false),
    ],
    (c, [init, prod, sel, decycle, dfs]) =>
      lazy(function* () {
        const queue: unknown[] = [init];
        const seen = new Set<string>();
        while (queue.length > 0) {
          const v = queue.shift();
          if (decycle) {
            const k = hashKey(v);
            if (seen.has(k)) continue;
            seen.add(k);
          }
          yield sel ? (sel as Lambda)(v) : v;
          const produced = toArray((prod as Lambda)(v), c.ctx);
          if (dfs) queue.unshift(...produced);
          else queue.push(...produced);
        }
      }),
  ),
  fn("slice", "method", [p("collection", IT), p("length", T.int)], (c, [s, n]) => {
    const items = toArray(s, c.ctx);
    const size = Math.max(1, n as number);
    const out: unknown[] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
  }),
  fn("sliceWhere", "method", [p("collection", IT), p("predicate", L)], (c, [s, f]) => {
    const out: unknown[][] = [];
    let current: unknown[] = [];
    let prev: boolean | undefined;
    for (const x of toArray(s, c.ctx)) {
      const k = truthy((f as Lambda)(x));
      if (prev !== undefined && k !== prev) {
        out.push(current);
        current = [];
      }
      current.push(x);
      prev = k;
    }
    if (current.length > 0) out.push(current);
    return out;
  }),
  fn("splitAt", "method", [p("collection", IT), p("index", T.int)], (c, [s, n]) => {
    const items = toArray(s, c.ctx);
    return [items.slice(0, n as number), items.slice(n as number)];
  }),
  fn("splitWhere", "method", [p("collection", IT), p("predicate", L)], (c, [s, f]) => {
    const out: unknown[][] = [];
    let current: unknown[] = [];
    for (const x of toArray(s, c.ctx)) {
      if (truthy((f as Lambda)(x))) {
        out.push(current);
        current = [];
      } else current.push(x);
    }
    if (current.length > 0) out.push(current);
    return out;
  }),
  fn("memorize", "method", [p("collection", IT)], (c, [s]) => toArray(s, c.ctx)),
];
