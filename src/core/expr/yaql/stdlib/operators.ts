/**
 * yaql's operators (common.py, boolean.py and the arithmetic of math.py, strings.py,
 * collections.py): every operator is a function named `#operator_<op>` so overloads pick the
 * behaviour by argument type, as in yaql.
 */

import { pyError } from "../errors.ts";
import { arith, divide, modulo, pyCmp } from "../pyops.ts";
import { type FunctionDef, fn, type Lambda, opt, p, T, toArray } from "../registry.ts";
import { isInt, mkFloat, num, pyEq, truthy, YDateTime, YDict, YSet, YTimespan } from "../values.ts";
import { regexMatches } from "./regex.ts";

const op = (name: string) => `#operator_${name}`;

function setLess(a: YSet, b: YSet, orEqual: boolean): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return orEqual || a.size < b.size;
}

/** yaql orders null below everything else. */
function compare(opName: string, a: unknown, b: unknown): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn ? 0 : an ? -1 : 1;
  return pyCmp(a, b, opName);
}

const cmpOps: [string, (c: number) => boolean, (a: YSet, b: YSet) => boolean][] = [
  ["<", (c) => c < 0, (a, b) => setLess(a, b, false)],
  ["<=", (c) => c <= 0, (a, b) => setLess(a, b, true)],
  [">", (c) => c > 0, (a, b) => setLess(b, a, false)],
  [">=", (c) => c >= 0, (a, b) => setLess(b, a, true)],
];

function repeatList(items: unknown[], times: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < times; i++) out.push(...items);
  return out;
}

const N = T.number;

export const operatorFunctions: FunctionDef[] = [
  fn(op("="), "function", [p("left"), p("right")], (_c, [a, b]) => pyEq(a, b)),
  fn(op("!="), "function", [p("left"), p("right")], (_c, [a, b]) => !pyEq(a, b)),
  ...cmpOps.flatMap(([name, test, sets]) => [
    fn(op(name), "function", [p("left", T.set), p("right", T.set)], (_c, [a, b]) =>
      sets(a as YSet, b as YSet),
    ),
    fn(op(name), "function", [p("left"), p("right")], (_c, [a, b]) => test(compare(name, a, b))),
  ]),
  fn(op("and"), "function", [p("left"), p("right", T.lambda)], (_c, [a, b]) =>
    truthy(a) ? (b as Lambda)() : a,
  ),
  fn(op("or"), "function", [p("left"), p("right", T.lambda)], (_c, [a, b]) =>
    truthy(a) ? a : (b as Lambda)(),
  ),
  fn("#unary_operator_not", "function", [p("arg")], (_c, [a]) => !truthy(a)),

  fn(op("+"), "function", [p("left", N), p("right", N)], (_c, [a, b]) => arith("+", a, b)),
  fn(op("+"), "function", [p("left", T.string), p("right", T.string)], (_c, [a, b]) => `${a}${b}`),
  fn(op("+"), "function", [p("left", T.sequence), p("right", T.sequence)], (_c, [a, b]) => [
    ...(a as unknown[]),
    ...(b as unknown[]),
  ]),
  fn(op("+"), "function", [p("left", T.dict), p("right", T.dict)], (_c, [a, b]) =>
    YDict.from([...(a as YDict).entries(), ...(b as YDict).entries()]),
  ),
  fn(op("+"), "function", [p("left", T.set), p("right", T.set)], (_c, [a, b]) =>
    YSet.from([...(a as YSet), ...(b as YSet)]),
  ),
  fn(op("+"), "function", [p("left", T.iterable), p("right", T.iterable)], (c, [a, b]) => [
    ...toArray(a, c.ctx),
    ...toArray(b, c.ctx),
  ]),
  fn(
    op("+"),
    "function",
    [p("left", T.datetime), p("right", T.timespan)],
    (_c, [a, b]) =>
      new YDateTime((a as YDateTime).ms + (b as YTimespan).ms, (a as YDateTime).offsetMinutes),
  ),
  fn(
    op("+"),
    "function",
    [p("left", T.timespan), p("right", T.datetime)],
    (_c, [a, b]) =>
      new YDateTime((b as YDateTime).ms + (a as YTimespan).ms, (b as YDateTime).offsetMinutes),
  ),
  fn(
    op("+"),
    "function",
    [p("left", T.timespan), p("right", T.timespan)],
    (_c, [a, b]) => new YTimespan((a as YTimespan).ms + (b as YTimespan).ms),
  ),

  fn(op("-"), "function", [p("left", N), p("right", N)], (_c, [a, b]) => arith("-", a, b)),
  fn(op("-"), "function", [p("left", T.set), p("right", T.set)], (_c, [a, b]) =>
    YSet.from([...(a as YSet)].filter((x) => !(b as YSet).has(x))),
  ),
  fn(
    op("-"),
    "function",
    [p("left", T.datetime), p("right", T.datetime)],
    (_c, [a, b]) => new YTimespan((a as YDateTime).ms - (b as YDateTime).ms),
  ),
  fn(
    op("-"),
    "function",
    [p("left", T.datetime), p("right", T.timespan)],
    (_c, [a, b]) =>
      new YDateTime((a as YDateTime).ms - (b as YTimespan).ms, (a as YDateTime).offsetMinutes),
  ),
  fn(
    op("-"),
    "function",
    [p("left", T.timespan), p("right", T.timespan)],
    (_c, [a, b]) => new YTimespan((a as YTimespan).ms - (b as YTimespan).ms),
  ),

  fn(op("*"), "function", [p("left", N), p("right", N)], (_c, [a, b]) => arith("*", a, b)),
  fn(op("*"), "function", [p("left", T.string), p("right", T.int)], (_c, [a, b]) =>
    (a as string).repeat(Math.max(0, b as number)),
  ),
  fn(op("*"), "function", [p("left", T.int), p("right", T.string)], (_c, [a, b]) =>
    (b as string).repeat(Math.max(0, a as number)),
  ),
  fn(op("*"), "function", [p("left", T.sequence), p("right", T.int)], (_c, [a, b]) =>
    repeatList(a as unknown[], b as number),
  ),
  fn(op("*"), "function", [p("left", T.int), p("right", T.sequence)], (_c, [a, b]) =>
    repeatList(b as unknown[], a as number),
  ),
  fn(
    op("*"),
    "function",
    [p("left", T.timespan), p("right", N)],
    (_c, [a, b]) => new YTimespan((a as YTimespan).ms * num(b)),
  ),

  fn(op("/"), "function", [p("left", N), p("right", N)], (_c, [a, b]) => divide(a, b)),
  fn(
    op("/"),
    "function",
    [p("left", T.timespan), p("right", N)],
    (_c, [a, b]) => new YTimespan((a as YTimespan).ms / num(b)),
  ),
  fn(op("mod"), "function", [p("left", N), p("right", N)], (_c, [a, b]) => modulo(a, b)),

  fn("#unary_operator_-", "function", [p("arg", N)], (_c, [a]) =>
    isInt(a) ? (a === 0 ? 0 : -a) : mkFloat(-num(a)),
  ),
  fn(
    "#unary_operator_-",
    "function",
    [p("arg", T.timespan)],
    (_c, [a]) => new YTimespan(-(a as YTimespan).ms),
  ),
  fn("#unary_operator_+", "function", [p("arg", N)], (_c, [a]) => a),
  fn("#unary_operator_+", "function", [p("arg", T.timespan)], (_c, [a]) => a),

  fn(op("in"), "function", [p("left"), p("right", T.string)], (_c, [a, b]) => {
    if (typeof a !== "string") {
      throw pyError("TypeError", "'in <string>' requires string as left operand");
    }
    return (b as string).includes(a);
  }),
  fn(op("in"), "function", [p("left"), p("right", T.dict)], (_c, [a, b]) => (b as YDict).has(a)),
  fn(op("in"), "function", [p("left"), p("right", T.set)], (_c, [a, b]) => (b as YSet).has(a)),
  fn(op("in"), "function", [p("left"), p("right", T.iterable)], (_c, [a, b]) => {
    for (const x of b as Iterable<unknown>) if (pyEq(x, a)) return true;
    return false;
  }),

  fn(
    op("=~"),
    "function",
    [p("left", T.string), p("right", T.oneOf(T.regex, T.string))],
    (_c, [a, b]) => regexMatches(b, a as string),
  ),
  fn(
    op("!~"),
    "function",
    [p("left", T.string), p("right", T.oneOf(T.regex, T.string))],
    (_c, [a, b]) => !regexMatches(b, a as string),
  ),

  fn("#indexer", "function", [p("collection", T.sequence), p("index", T.int)], (_c, [s, i]) => {
    const arr = s as unknown[];
    const idx = (i as number) < 0 ? arr.length + (i as number) : (i as number);
    if (idx < 0 || idx >= arr.length) throw pyError("IndexError", "list index out of range");
    return arr[idx];
  }),
  fn("#indexer", "function", [p("collection", T.string), p("index", T.int)], (_c, [s, i]) => {
    const chars = [...(s as string)];
    const idx = (i as number) < 0 ? chars.length + (i as number) : (i as number);
    if (idx < 0 || idx >= chars.length) throw pyError("IndexError", "string index out of range");
    return chars[idx];
  }),
  fn("#indexer", "function", [p("collection", T.dict), p("key")], (_c, [d, k]) => {
    const dict = d as YDict;
    if (!dict.has(k)) throw pyError("KeyError", String(k));
    return dict.get(k);
  }),
  fn(
    "#indexer",
    "function",
    [p("collection", T.dict), p("key"), opt("default", T.any, null)],
    (_c, [d, k, dflt]) => {
      const dict = d as YDict;
      return dict.has(k) ? dict.get(k) : dflt;
    },
  ),
];
