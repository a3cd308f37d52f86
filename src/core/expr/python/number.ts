/**
 * Python numbers in JavaScript. Python keeps `int` and `float` apart (`4 / 2` prints `2.0`,
 * `1 == 1.0`, `type(2.0)` is float) while a JS number cannot tell 2 from 2.0. The representation:
 *
 * - an `int` is a plain integral JS number (always a safe integer, see `checkInt`);
 * - a `float` with a fractional part, NaN or ±inf is a plain JS number;
 * - a `float` whose value is integral is a `PyFloat` box, so it still prints as `2.0`.
 *
 * Ints are not arbitrary precision: a result beyond ±2^53 raises OverflowError instead of silently
 * losing digits (StackStorm content does not compute with such integers; BigInt everywhere would
 * slow every lookup down for nothing). JSON input has no float/int distinction for integral values,
 * so `2.0` in JSON arrives as the int 2, exactly as Python's json module would not: documented.
 */

import { PythonError } from "./errors.ts";

/** A Python float whose value is integral (`2.0`, `-0.0`, `1e16`). */
export class PyFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toJSON(): number {
    return this.value;
  }
}

/** Builds the Python float `value`: boxed when integral, a plain number otherwise. */
export function makeFloat(value: number): number | PyFloat {
  return Number.isInteger(value) ? new PyFloat(value) : value;
}

export function isPyFloat(value: unknown): value is number | PyFloat {
  return value instanceof PyFloat || (typeof value === "number" && !Number.isInteger(value));
}

/** A Python int (bool excluded, as `type(True) is bool`). */
export function isPyInt(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

/** int, float or bool: what Python arithmetic accepts as a number. */
export function isPyNumber(value: unknown): value is number | PyFloat | boolean {
  return typeof value === "number" || typeof value === "boolean" || value instanceof PyFloat;
}

/** The numeric value of an int/float/bool, or null for anything else. */
export function numValue(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (value instanceof PyFloat) return value.value;
  if (typeof value === "boolean") return value ? 1 : 0;
  return null;
}

/** Unboxes PyFloat to a JS number; other values unchanged. */
export function unboxNumber<T>(value: T | PyFloat): T | number {
  return value instanceof PyFloat ? value.value : value;
}

/** Refuses ints that JS numbers cannot hold exactly (see the module comment). */
export function checkInt(value: number, what = "integer result"): number {
  if (!Number.isSafeInteger(value)) {
    throw new PythonError(
      "OverflowError",
      `${what} is too large to be represented exactly (limit ±${Number.MAX_SAFE_INTEGER})`,
    );
  }
  return value === 0 ? 0 : value;
}

/** Python's float repr: shortest round-trip digits, fixed for exponents in [-4, 16). */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Number.POSITIVE_INFINITY) return "inf";
  if (value === Number.NEGATIVE_INFINITY) return "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa = "", expText = "0"] = value.toExponential().split("e");
  const exp = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
  }
  const frac = digits.slice(1);
  const expOut = `${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return `${sign}${digits[0]}${frac === "" ? "" : `.${frac}`}e${expOut}`;
}

/** repr of an int, float or PyFloat. */
export function pyNumberRepr(value: number | PyFloat): string {
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (Number.isInteger(value)) return BigInt(value).toString();
  return pyFloatRepr(value);
}
