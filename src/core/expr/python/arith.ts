/**
 * Python arithmetic over the number representation in number.ts: int op int stays int (with an
 * OverflowError past 2^53), anything with a float gives a float, bool counts as int. Sequence
 * forms (`str + str`, `list * n`) and printf-style `str % args` are included because Python
 * dispatches them through the same operators.
 */

import { PythonError, pyTypeError } from "./errors.ts";
import { percentFormat } from "./format.ts";
import { checkInt, isPyFloat, makeFloat, numValue, type PyFloat } from "./number.ts";
import { isTuple, makeTuple, pyTypeName, Undefined } from "./value.ts";

export type PyNumber = number | PyFloat;

function defined(v: unknown): unknown {
  if (v instanceof Undefined) v.fail();
  return v;
}

function unsupported(op: string, a: unknown, b: unknown): never {
  return pyTypeError(
    `unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`,
  );
}

/** Both operands as numbers, and whether the result is a float. */
function operands(op: string, a: unknown, b: unknown): [number, number, boolean] {
  const x = numValue(defined(a));
  const y = numValue(defined(b));
  if (x === null || y === null) unsupported(op, a, b);
  return [x as number, y as number, isPyFloat(a) || isPyFloat(b)];
}

function result(value: number, float: boolean, what: string): PyNumber {
  return float ? makeFloat(value) : checkInt(value, what);
}

/** Repetition count for `seq * n`: Python allows only ints (and bools). */
function repeatCount(n: unknown): number | null {
  if (typeof n === "boolean") return n ? 1 : 0;
  return typeof n === "number" && Number.isInteger(n) ? Math.max(0, n) : null;
}

const MAX_SEQUENCE = 10_000_000;

function repeat(seq: unknown, n: number): unknown {
  const size = (typeof seq === "string" ? seq.length : (seq as unknown[]).length) * n;
  if (size > MAX_SEQUENCE) {
    throw new PythonError("OverflowError", `repeated sequence would hold ${size} items`);
  }
  if (typeof seq === "string") return seq.repeat(n);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(...(seq as unknown[]));
  return isTuple(seq) ? makeTuple(out) : out;
}

export function pyAdd(a: unknown, b: unknown): unknown {
  defined(a);
  defined(b);
  if (typeof a === "string" && typeof b === "string") return a + b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (isTuple(a) !== isTuple(b)) unsupported("+", a, b);
    const joined = [...a, ...b];
    return isTuple(a) ? makeTuple(joined) : joined;
  }
  const [x, y, f] = operands("+", a, b);
  return result(x + y, f, "addition");
}

export function pySub(a: unknown, b: unknown): PyNumber {
  const [x, y, f] = operands("-", a, b);
  return result(x - y, f, "subtraction");
}

export function pyMul(a: unknown, b: unknown): unknown {
  defined(a);
  defined(b);
  if (typeof a === "string" || Array.isArray(a)) {
    const n = repeatCount(b);
    if (n === null)
      return pyTypeError(`can't multiply sequence by non-int of type '${pyTypeName(b)}'`);
    return repeat(a, n);
  }
  if (typeof b === "string" || Array.isArray(b)) return pyMul(b, a);
  const [x, y, f] = operands("*", a, b);
  return result(x * y, f, "multiplication");
}

/** `/`: always a float. */
export function pyTrueDiv(a: unknown, b: unknown): PyNumber {
  const [x, y] = operands("/", a, b);
  if (y === 0) throw new PythonError("ZeroDivisionError", "division by zero");
  return makeFloat(x / y);
}

export function pyFloorDiv(a: unknown, b: unknown): PyNumber {
  const [x, y, f] = operands("//", a, b);
  if (y === 0) {
    throw new PythonError(
      "ZeroDivisionError",
      f ? "float floor division by zero" : "integer division or modulo by zero",
    );
  }
  return result(Math.floor(x / y), f, "floor division");
}

/** `%`: modulo with the sign of the divisor, or printf-style formatting when `a` is a str. */
export function pyMod(a: unknown, b: unknown): unknown {
  if (typeof defined(a) === "string") return percentFormat(a as string, defined(b));
  const [x, y, f] = operands("%", a, b);
  if (y === 0) {
    throw new PythonError(
      "ZeroDivisionError",
      f ? "float modulo" : "integer division or modulo by zero",
    );
  }
  let m = x % y;
  if (m !== 0 && m < 0 !== y < 0) m += y;
  if (m === 0) m = y < 0 ? -0 : 0;
  return f ? makeFloat(m) : checkInt(m);
}

const MAX_POWER_RESULT = 2 ** 53;

export function pyPow(a: unknown, b: unknown): PyNumber {
  const [x, y, f] = operands("**", a, b);
  if (x === 0 && y < 0) {
    throw new PythonError(
      "ZeroDivisionError",
      f ? "0.0 cannot be raised to a negative power" : "0 cannot be raised to a negative power",
    );
  }
  if (!f && y >= 0) {
    // Checked before computing so that `10 ** 10 ** 9` fails at once instead of yielding Infinity.
    if (Math.abs(x) > 1 && y * Math.log2(Math.abs(x)) > Math.log2(MAX_POWER_RESULT)) {
      throw new PythonError("OverflowError", `integer result of ${x} ** ${y} is too large`);
    }
    return checkInt(x ** y, "power");
  }
  if (x < 0 && !Number.isInteger(y)) {
    return pyTypeError("negative number raised to a fractional power gives a complex number");
  }
  const v = x ** y;
  if (!Number.isFinite(v) && Number.isFinite(x) && Number.isFinite(y)) {
    throw new PythonError("OverflowError", "(34, 'Numerical result out of range')");
  }
  return makeFloat(v);
}

export function pyNeg(a: unknown): PyNumber {
  const x = numValue(defined(a));
  if (x === null) return pyTypeError(`bad operand type for unary -: '${pyTypeName(a)}'`);
  return isPyFloat(a) ? makeFloat(-x) : checkInt(-x);
}

export function pyPos(a: unknown): PyNumber {
  const x = numValue(defined(a));
  if (x === null) return pyTypeError(`bad operand type for unary +: '${pyTypeName(a)}'`);
  return isPyFloat(a) ? makeFloat(x) : x;
}

export function pyAbs(a: unknown): PyNumber {
  const x = numValue(defined(a));
  if (x === null) return pyTypeError(`bad operand type for abs(): '${pyTypeName(a)}'`);
  return isPyFloat(a) ? makeFloat(Math.abs(x)) : Math.abs(x);
}

/** Python's round(): banker's rounding to `ndigits`; ints stay ints, floats stay floats. */
export function pyRound(a: unknown, ndigits: number | null = null): PyNumber {
  const x = numValue(defined(a));
  if (x === null) return pyTypeError(`type ${pyTypeName(a)} doesn't define __round__ method`);
  if (!isPyFloat(a)) return ndigits === null || ndigits >= 0 ? x : roundHalfEven(x, ndigits);
  const r = roundHalfEven(x, ndigits ?? 0);
  return ndigits === null ? checkInt(r) : makeFloat(r);
}

function roundHalfEven(x: number, ndigits: number): number {
  if (!Number.isFinite(x) || ndigits > 300) return x;
  if (ndigits >= 0 && ndigits <= 40) {
    // toFixed works on the exact binary value, as Python does (round(2.675, 2) is 2.67 because
    // 2.675 is stored as 2.67499...); only an exact tie needs Python's half-to-even rule.
    const exact = Math.abs(x).toFixed(Math.min(100, ndigits + 60));
    const cut = exact.indexOf(".") + 1 + ndigits;
    if (/^50*$/.test(exact.slice(cut))) {
      const scale = 10 ** ndigits;
      const floor = Math.floor(Math.abs(x) * scale);
      const even = floor % 2 === 0 ? floor : floor + 1;
      return Math.sign(x) * (even / scale);
    }
    return Number(x.toFixed(ndigits));
  }
  const scale = 10 ** Math.abs(ndigits);
  const scaled = ndigits >= 0 ? x * scale : x / scale;
  const floor = Math.floor(scaled);
  const r = scaled - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled);
  return ndigits >= 0 ? r / scale : r * scale;
}
