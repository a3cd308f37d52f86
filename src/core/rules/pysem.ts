/**
 * The operator-only corner of Python semantics that StackStorm's criteria operators rely on:
 * ordering as a boolean, `str.lower()`/`startswith`/`endswith` on possibly non-str values, and
 * the UTF-8 decoding of bytes. Everything else (`==`, `in`, `<`, repr/str, float(), type names)
 * is the shared Python value model in src/core/expr/python. Operators run in Python in
 * StackStorm, so a payload that makes Python raise must make Squall raise too (OperatorError).
 *
 * Value mapping: null/undefined = None, boolean = bool (an int subclass, so `True == 1`),
 * number = int/float, string = str, array = list, Uint8Array = bytes, plain object = dict.
 */

import { OperatorError } from "../expr/python/errors.ts";
import { pyCompare, pyTypeName } from "../expr/python/value.ts";

/**
 * Python `a < b` (op "<") or `a > b` (op ">"). Raises TypeError for the pairs Python 3 refuses to
 * order: None, dicts, and mixed kinds such as str vs int.
 */
export function pyOrder(a: unknown, b: unknown, op: "<" | ">"): boolean {
  const c = pyCompare(a, b, op);
  return op === "<" ? c < 0 : c > 0;
}

/** `x.lower()`: only str has it (bytes are decoded before operators run). */
export function pyLower(value: unknown): string {
  if (typeof value !== "string") {
    throw new OperatorError(
      "AttributeError",
      `'${pyTypeName(value)}' object has no attribute 'lower'`,
    );
  }
  return value.toLowerCase();
}

/** `value.startswith(prefix)` / `value.endswith(suffix)`. */
export function pyAffix(value: unknown, affix: unknown, which: "startswith" | "endswith"): boolean {
  if (typeof value !== "string") {
    throw new OperatorError(
      "AttributeError",
      `'${pyTypeName(value)}' object has no attribute '${which}'`,
    );
  }
  if (typeof affix !== "string") {
    throw new OperatorError(
      "TypeError",
      `${which} first arg must be str or a tuple of str, not ${pyTypeName(affix)}`,
    );
  }
  return which === "startswith" ? value.startsWith(affix) : value.endsWith(affix);
}

/** StackStorm's `ensure_operators_are_strings`: bytes become str (strict UTF-8). */
export function decodeBytes(value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return value;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(value);
  } catch {
    throw new OperatorError("ValueError", "'utf-8' codec can't decode bytes: invalid UTF-8");
  }
}
