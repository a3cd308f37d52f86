/**
 * Python's `int()` and `float()` conversions, shared by Jinja's `int` filter and StackStorm's
 * parameter casts (util/casts.py), so both accept and reject exactly the inputs Python does.
 */

import { TemplateProxy } from "../template.ts";
import { PythonError } from "./errors.ts";
import { makeFloat, PyFloat } from "./number.ts";
import { pyRepr, pyTypeName } from "./value.ts";

export type { PyErrorType } from "./errors.ts";

/** A conversion Python would refuse, with the Python exception type it would raise. */
export class PyConversionError extends PythonError {
  override readonly code: string = "python_conversion_error";
}

const INT_TEXT = /^[+-]?\d(?:_?\d)*$/;
const FLOAT_TEXT =
  /^[+-]?(?:(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?|inf|infinity|nan)$/i;

function checkSafe(value: number, text: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new PyConversionError(
      "OverflowError",
      `integer ${text} is too large to be represented exactly (limit ±${Number.MAX_SAFE_INTEGER})`,
    );
  }
  return value;
}

/** Python `int(x)` (base 10). */
export function pyInt(input: unknown): number {
  // KeyValueLookup.__int__ is int(float(str(self))).
  if (input instanceof TemplateProxy) return truncate(pyFloat(input.str()));
  const value = input;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return truncate(value);
  if (value instanceof PyFloat) return truncate(value.value);
  if (typeof value === "string") {
    const text = value.trim();
    if (!INT_TEXT.test(text)) {
      throw new PyConversionError(
        "ValueError",
        `invalid literal for int() with base 10: ${pyRepr(value)}`,
      );
    }
    const digits = text.replaceAll("_", "");
    return checkSafe(Number(digits), digits);
  }
  throw new PyConversionError(
    "TypeError",
    `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`,
  );
}

function truncate(value: number): number {
  if (Number.isNaN(value)) {
    throw new PyConversionError("ValueError", "cannot convert float NaN to integer");
  }
  if (!Number.isFinite(value)) {
    throw new PyConversionError("OverflowError", "cannot convert float infinity to integer");
  }
  const t = Math.trunc(value);
  return checkSafe(t === 0 ? 0 : t, String(t));
}

/** Python `float(x)`. */
export function pyFloat(input: unknown): number {
  if (input instanceof TemplateProxy) return pyFloat(input.str());
  if (typeof input === "boolean") return input ? 1 : 0;
  if (typeof input === "number") return input;
  if (input instanceof PyFloat) return input.value;
  if (typeof input === "string") {
    const text = input.trim();
    if (!FLOAT_TEXT.test(text)) {
      throw new PyConversionError(
        "ValueError",
        `could not convert string to float: ${pyRepr(input)}`,
      );
    }
    const lower = text.toLowerCase().replaceAll("_", "");
    const sign = lower.startsWith("-") ? -1 : 1;
    const body = lower.replace(/^[+-]/, "");
    if (body === "nan") return Number.NaN;
    if (body === "inf" || body === "infinity") return sign * Number.POSITIVE_INFINITY;
    return Number(lower);
  }
  throw new PyConversionError(
    "TypeError",
    `float() argument must be a string or a real number, not '${pyTypeName(input)}'`,
  );
}

/** Python `float(x)` as a Python value (a PyFloat when integral). */
export function pyFloatValue(input: unknown): number | PyFloat {
  return makeFloat(pyFloat(input));
}
