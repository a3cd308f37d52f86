/** yaql's math library (standard_library/math.py), with Python int/float rules. */

import { pyFloat, pyInt } from "../../python/convert.ts";
import { asYaqlError } from "../errors.ts";
import { pyCmp } from "../pyops.ts";
import { type FunctionDef, fn, opt, p, T } from "../registry.ts";
import { isInt, mkFloat, num, PyFloat } from "../values.ts";

const N = T.number;

function big(v: unknown): bigint {
  return BigInt(v as number);
}
function small(v: bigint): number {
  return Number(v);
}

/** Python's round(): half to even, digits counted in decimal. */
export function pyRound(x: number, digits: number): number {
  const factor = 10 ** digits;
  const fixed = Number(x.toFixed(Math.max(0, digits)));
  const scaled = x * factor;
  if (Math.abs(scaled - Math.trunc(scaled)) === 0.5 && digits >= 0) {
    const even =
      Math.trunc(scaled) % 2 === 0 ? Math.trunc(scaled) : Math.trunc(scaled) + Math.sign(scaled);
    return even / factor;
  }
  if (digits < 0) return Math.round(scaled) / factor;
  return fixed;
}

/** yaql's max/min of two values: null counts as the smallest value. */
function nullableCompare(a: unknown, b: unknown): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : -1) : 1;
  return pyCmp(a, b);
}

export const mathFunctions: FunctionDef[] = [
  fn("abs", "function", [p("op", N)], (_c, [a]) =>
    isInt(a) ? Math.abs(a) : mkFloat(Math.abs(num(a))),
  ),
  fn("int", "function", [p("value", T.nullable(T.oneOf(T.string, N, T.bool)))], (_c, [v]) =>
    v === null ? 0 : asYaqlError(() => pyInt(v instanceof PyFloat ? v.value : v)),
  ),
  fn("float", "function", [p("value", T.nullable(T.oneOf(T.string, N, T.bool)))], (_c, [v]) =>
    v === null
      ? new PyFloat(0)
      : mkFloat(asYaqlError(() => pyFloat(v instanceof PyFloat ? v.value : v))),
  ),
  fn("isInteger", "function", [p("value")], (_c, [v]) => isInt(v)),
  fn(
    "isNumber",
    "function",
    [p("value")],
    (_c, [v]) => typeof v === "number" || v instanceof PyFloat,
  ),
  fn(
    "pow",
    "function",
    [p("a", N), p("b", N), opt("c", T.nullable(T.int), null)],
    (_c, [a, b, c]) => {
      if (isInt(a) && isInt(b) && b >= 0) {
        let r = big(a) ** big(b);
        if (c !== null) r %= big(c);
        return small(r);
      }
      return mkFloat(num(a) ** num(b));
    },
  ),
  fn("random", "function", [], () => Math.random()),
  fn(
    "random",
    "function",
    [p("from", T.int), p("to", T.int)],
    (_c, [a, b]) => (a as number) + Math.floor(Math.random() * ((b as number) - (a as number) + 1)),
  ),
  fn("round", "function", [p("number", N), opt("ndigits", T.int, 0)], (_c, [n, d]) => {
    if (isInt(n)) return n;
    return mkFloat(pyRound(num(n), d as number));
  }),
  fn("sign", "function", [p("number", N)], (_c, [n]) => Math.sign(num(n))),
  fn("bitwiseAnd", "function", [p("a", T.int), p("b", T.int)], (_c, [a, b]) =>
    small(big(a) & big(b)),
  ),
  fn("bitwiseOr", "function", [p("a", T.int), p("b", T.int)], (_c, [a, b]) =>
    small(big(a) | big(b)),
  ),
  fn("bitwiseXor", "function", [p("a", T.int), p("b", T.int)], (_c, [a, b]) =>
    small(big(a) ^ big(b)),
  ),
  fn("bitwiseNot", "function", [p("arg", T.int)], (_c, [a]) => small(~big(a))),
  fn("shiftBitsLeft", "function", [p("value", T.int), p("bitsNumber", T.int)], (_c, [a, b]) =>
    small(big(a) << big(b)),
  ),
  fn("shiftBitsRight", "function", [p("value", T.int), p("bitsNumber", T.int)], (_c, [a, b]) =>
    small(big(a) >> big(b)),
  ),
  fn("max", "function", [p("a"), p("b")], (_c, [a, b]) => (nullableCompare(b, a) > 0 ? b : a)),
  fn("min", "function", [p("a"), p("b")], (_c, [a, b]) => (nullableCompare(b, a) < 0 ? b : a)),
];
