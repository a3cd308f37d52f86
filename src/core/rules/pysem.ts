/**
 * The slice of Python value semantics that StackStorm's criteria operators rely on: `==`, `in`,
 * `<`/`>` and the exceptions Python raises for unsupported type pairs. Operators run in Python in
 * StackStorm, so a payload that makes Python raise must make Squall raise too (StackStorm turns
 * the exception into a failed rule enforcement, never into a silent `false`).
 *
 * Value mapping: null/undefined = None, boolean = bool (an int subclass, so `True == 1`),
 * number = int/float, string = str, array = list, Uint8Array = bytes, plain object = dict.
 */

import { SquallError } from "../errors.ts";
import { TemplateProxy } from "../expr/template.ts";

/**
 * A Python exception raised while applying an operator (TypeError, AttributeError, ValueError,
 * re.error). The message is what Python's `str(exc)` would print.
 */
export class OperatorError extends SquallError {
  override readonly code: string = "operator_error";
  constructor(
    readonly pythonType: "TypeError" | "AttributeError" | "ValueError" | "re.error" | "KeyError",
    message: string,
  ) {
    super(message);
  }
}

export function isDict(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Python's `type(x).__name__`, used in error messages that mirror Python's. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "bigint") return "int";
  if (typeof value === "string") return "str";
  if (Array.isArray(value)) return "list";
  if (value instanceof Uint8Array) return "bytes";
  if (value instanceof TemplateProxy) return "KeyValueLookup";
  if (isDict(value)) return "dict";
  return typeof value;
}

function isNumeric(value: unknown): value is number | boolean {
  return typeof value === "number" || typeof value === "boolean";
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Python `a == b`. */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const aNone = a === null || a === undefined;
  const bNone = b === null || b === undefined;
  if (aNone || bNone) return aNone && bNone;
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b);
  if (typeof a === "string" || typeof b === "string") return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => pyEquals(item, b[i]));
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return bytesEqual(a, b);
  if (isDict(a) && isDict(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && pyEquals(a[k], b[k]));
  }
  return false;
}

function isHashable(value: unknown): boolean {
  return !(Array.isArray(value) || isDict(value));
}

/** Python `item in container`. */
export function pyContains(container: unknown, item: unknown): boolean {
  if (typeof container === "string") {
    if (typeof item !== "string") {
      throw new OperatorError(
        "TypeError",
        `'in <string>' requires string as left operand, not ${pyTypeName(item)}`,
      );
    }
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((el) => el === item || pyEquals(el, item));
  if (isDict(container)) {
    if (!isHashable(item))
      throw new OperatorError("TypeError", `unhashable type: '${pyTypeName(item)}'`);
    // JSON objects only have string keys; a number never equals a str key in Python.
    return typeof item === "string" && Object.hasOwn(container, item);
  }
  if (container instanceof Uint8Array) {
    if (typeof item === "number" && Number.isInteger(item)) {
      if (item < 0 || item > 255)
        throw new OperatorError("ValueError", "byte must be in range(0, 256)");
      return container.includes(item);
    }
    if (item instanceof Uint8Array) return bytesIncludes(container, item);
    throw new OperatorError(
      "TypeError",
      `a bytes-like object is required, not '${pyTypeName(item)}'`,
    );
  }
  throw new OperatorError(
    "TypeError",
    `argument of type '${pyTypeName(container)}' is not iterable`,
  );
}

function bytesIncludes(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Compares strings by code point, as Python does (JS `<` compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

/**
 * Python `a < b` (op "<") or `a > b` (op ">"). Raises TypeError for the pairs Python 3 refuses to
 * order: None, dicts, and mixed kinds such as str vs int.
 */
export function pyOrder(a: unknown, b: unknown, op: "<" | ">"): boolean {
  const c = pyCompare(a, b, op);
  return op === "<" ? c < 0 : c > 0;
}

function pyCompare(a: unknown, b: unknown, op: "<" | ">"): number {
  if (isNumeric(a) && isNumeric(b)) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      // Python finds the first unequal pair with ==, then orders just that pair.
      if (!pyEquals(a[i], b[i])) return pyCompare(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i] ?? 0;
      const y = b[i] ?? 0;
      if (x !== y) return x - y;
    }
    return a.length - b.length;
  }
  throw new OperatorError(
    "TypeError",
    `'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`,
  );
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

/** Python `float(x)` for the inputs a criteria pattern can hold. */
export function pyFloat(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const text = value.trim().replace(/(?<=\d)_(?=\d)/g, "");
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
    const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
    if (special) {
      if (special[2]?.toLowerCase() === "nan") return Number.NaN;
      return special[1] === "-" ? -Infinity : Infinity;
    }
    throw new OperatorError("ValueError", `could not convert string to float: ${pyRepr(value)}`);
  }
  throw new OperatorError(
    "TypeError",
    `float() argument must be a string or a real number, not '${pyTypeName(value)}'`,
  );
}

/** Python `str(x)` for JSON-like values (used where StackStorm calls `str()` itself). */
export function pyStr(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof TemplateProxy) return value.str();
  return pyRepr(value);
}

function floatRepr(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  const s = String(n);
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

/** Python `repr(x)`, for explanations and error messages. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : floatRepr(value);
  if (typeof value === "string") {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value
      .replaceAll("\\", "\\\\")
      .replaceAll("\n", "\\n")
      .replaceAll("\r", "\\r")
      .replaceAll("\t", "\\t");
    return quote + (quote === "'" ? body.replaceAll("'", "\\'") : body) + quote;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (value instanceof Uint8Array) {
    return `b'${Array.from(value, (b) => (b >= 32 && b < 127 && b !== 39 && b !== 92 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("")}'`;
  }
  if (value instanceof TemplateProxy) return "<KeyValueLookup>";
  if (isDict(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(", ")}}`;
  }
  return String(value);
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
