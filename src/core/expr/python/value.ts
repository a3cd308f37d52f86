/**
 * Python value semantics for template values and runner arguments. StackStorm renders through
 * Python and builds shell arguments and query strings with `str(value)`, so text output must
 * match `str()`/`repr()` and comparisons must follow Python rules, not JavaScript ones.
 * Values are plain JSON-like data: null is None, arrays are lists (or tuples, see makeTuple).
 * An absent value (JS undefined) is None too, as `dict.get` would return it in StackStorm.
 * Floats with an integral value are PyFloat boxes (see number.ts).
 *
 * Dicts are plain JS objects (prototype Object or null) everywhere, at the boundary and inside
 * the engines: contexts arrive from JSON.parse, which already orders integer-like keys first, so
 * a Map-based dict inside could not restore the original order anyway. The one divergence is
 * therefore that integer-like string keys ("1", "2") iterate before the others. Keys are always
 * strings; a non-string key in a dict literal is converted with `str()` (documented gap).
 * Set keys with `dictSet`, which is safe for the key "__proto__".
 */

import { RenderError } from "../../errors.ts";
import { TemplateProxy, UnsupportedTemplateError } from "../template.ts";
import { PythonError } from "./errors.ts";
import { numValue, PyFloat, pyFloatRepr, pyNumberRepr } from "./number.ts";

/** Use of an undefined value (Jinja's UndefinedError under StrictUndefined). */
export class UndefinedError extends RenderError {
  override readonly code: string = "undefined_error";
  constructor(
    message: string,
    /** The message Jinja2 itself would give (`'dict object' has no attribute 'y'`). */
    readonly jinjaMessage: string = message,
  ) {
    super(message);
  }
}

/** Jinja's StrictUndefined: carries what was looked up so the error can name it. */
export class Undefined {
  constructor(
    readonly expr: string,
    readonly reason: string,
  ) {}
  fail(): never {
    throw new UndefinedError(
      `'${this.expr}' is undefined: ${this.reason}`,
      this.reason.startsWith("'") ? this.reason : `'${this.expr}' is undefined`,
    );
  }
}

/**
 * A non-data Python object an engine exposes (functions, namespaces, loop objects). Attribute
 * access on it goes through the engine's sandbox; here it only needs a type name and a repr.
 */
export abstract class PyObject {
  abstract pyTypeName(): string;
  pyRepr(): string {
    return `<${this.pyTypeName()} object>`;
  }
}

const tuples = new WeakSet<readonly unknown[]>();

/** Marks an array as a Python tuple so it prints as `(a, b)`. */
export function makeTuple(items: unknown[]): unknown[] {
  tuples.add(items);
  return items;
}

export function isTuple(value: unknown): boolean {
  return Array.isArray(value) && tuples.has(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  if (value instanceof TemplateProxy || value instanceof Undefined) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Python's type name, for error messages that read like StackStorm's. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "bigint") return "int";
  if (value instanceof PyFloat) return "float";
  if (typeof value === "string") return "str";
  if (Array.isArray(value)) return isTuple(value) ? "tuple" : "list";
  if (value instanceof Uint8Array) return "bytes";
  if (value instanceof TemplateProxy) return "KeyValueLookup";
  if (value instanceof Undefined) return "StrictUndefined";
  if (value instanceof PyObject) return value.pyTypeName();
  if (isPlainObject(value)) return "dict";
  return typeof value;
}

/**
 * repr of a plain JS number: integral numbers are ints (see number.ts), others floats.
 * Kept for existing callers; `pyNumberRepr` also takes PyFloat.
 */
export function pyNumber(value: number): string {
  return Number.isInteger(value) ? BigInt(value).toString() : pyFloatRepr(value);
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function escapeCodePoint(cp: number): string {
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, "0")}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\U${cp.toString(16).padStart(8, "0")}`;
}

/** Python's `repr()` of a str. */
export function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && NON_PRINTABLE.test(ch)) out += escapeCodePoint(cp);
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of bytes (rule payloads may carry them; templates never do). */
function pyBytesRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(39) && !bytes.includes(34) ? '"' : "'";
  const named: Record<number, string> = { 9: "\\t", 10: "\\n", 13: "\\r", 92: "\\\\" };
  let out = "";
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (named[b] !== undefined) out += named[b];
    else if (ch === quote) out += `\\${ch}`;
    else if (b >= 32 && b < 127) out += ch;
    else out += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return `b${quote}${out}${quote}`;
}

export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number" || value instanceof PyFloat) return pyNumberRepr(value);
  if (typeof value === "string") return pyStringRepr(value);
  if (Array.isArray(value)) {
    const items = value.map(pyRepr);
    if (isTuple(value)) return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
    return `[${items.join(", ")}]`;
  }
  if (value instanceof Uint8Array) return pyBytesRepr(value);
  if (value instanceof Undefined) value.fail();
  if (value instanceof TemplateProxy) {
    throw new UnsupportedTemplateError(
      "a datastore lookup inside a list or dict cannot be printed; render it on its own",
    );
  }
  if (value instanceof PyObject) return value.pyRepr();
  if (isPlainObject(value)) {
    const parts = Object.entries(value).map(([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v)}`);
    return `{${parts.join(", ")}}`;
  }
  throw new RenderError(`cannot print a value of type ${typeof value}`);
}

/** Python's `str()`. */
export function pyStr(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof TemplateProxy) return value.str();
  return pyRepr(value);
}

/** Python truthiness; StrictUndefined refuses to be tested. */
export function pyTruthy(value: unknown): boolean {
  if (value instanceof Undefined) value.fail();
  if (value instanceof TemplateProxy) return value.str() !== "";
  if (value === null || value === undefined || value === false || value === 0 || value === "") {
    return false;
  }
  if (value instanceof PyFloat) return value.value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

const numeric = numValue;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
 * Python `==` (1 == True, lists and dicts compare structurally). The same object equals itself
 * even when it holds a NaN, as Python's identity shortcut in container comparison makes it.
 */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof TemplateProxy) return pyEquals(a.str(), b);
  if (b instanceof TemplateProxy) return pyEquals(a, b.str());
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== null || nb !== null) return na !== null && nb !== null && na === nb;
  // undefined is an absent value, i.e. None.
  if (a === null || a === undefined || b === null || b === undefined) {
    return (a === null || a === undefined) && (b === null || b === undefined);
  }
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return bytesEqual(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (isTuple(a) !== isTuple(b) || a.length !== b.length) return false;
    return a.every((item, i) => pyEquals(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && pyEquals(a[k], b[k]));
  }
  return a === b;
}

/** Python ordering (`<`): numbers, strings, and lists lexicographically; anything else is a TypeError. */
export function pyCompare(a: unknown, b: unknown, op: string): number {
  const left = a instanceof TemplateProxy ? a.str() : a;
  const right = b instanceof TemplateProxy ? b.str() : b;
  const na = numeric(left);
  const nb = numeric(right);
  if (na !== null && nb !== null) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof left === "string" && typeof right === "string") return compareCodePoints(left, right);
  if (Array.isArray(left) && Array.isArray(right) && isTuple(left) === isTuple(right)) {
    const n = Math.min(left.length, right.length);
    for (let i = 0; i < n; i++) {
      // Python finds the first unequal pair with ==, then orders just that pair.
      if (!pyEquals(left[i], right[i])) return pyCompare(left[i], right[i], op);
    }
    return left.length - right.length;
  }
  if (left instanceof Uint8Array && right instanceof Uint8Array) {
    const n = Math.min(left.length, right.length);
    for (let i = 0; i < n; i++) {
      const x = left[i] ?? 0;
      const y = right[i] ?? 0;
      if (x !== y) return x - y;
    }
    return left.length - right.length;
  }
  throw new PythonError(
    "TypeError",
    `'${op}' not supported between instances of '${pyTypeName(left)}' and '${pyTypeName(right)}'`,
  );
}

/** Python `in`. */
export function pyContains(container: unknown, item: unknown): boolean {
  const box = container instanceof TemplateProxy ? container.str() : container;
  const needle = item instanceof TemplateProxy ? item.str() : item;
  if (typeof box === "string") {
    if (typeof needle !== "string") {
      throw new PythonError(
        "TypeError",
        `'in <string>' requires string as left operand, not ${pyTypeName(needle)}`,
      );
    }
    return box.includes(needle);
  }
  if (Array.isArray(box)) return box.some((x) => pyEquals(x, needle));
  if (isPlainObject(box)) {
    if ((Array.isArray(needle) && !isTuple(needle)) || isPlainObject(needle)) {
      throw new PythonError("TypeError", `unhashable type: '${pyTypeName(needle)}'`);
    }
    // Dict keys are strings here; a number never equals a str key in Python.
    return typeof needle === "string" && Object.hasOwn(box, needle);
  }
  if (box instanceof Uint8Array) {
    if (typeof needle === "number" && Number.isInteger(needle)) {
      if (needle < 0 || needle > 255)
        throw new PythonError("ValueError", "byte must be in range(0, 256)");
      return box.includes(needle);
    }
    if (needle instanceof Uint8Array) return bytesIncludes(box, needle);
    throw new PythonError(
      "TypeError",
      `a bytes-like object is required, not '${pyTypeName(needle)}'`,
    );
  }
  throw new PythonError("TypeError", `argument of type '${pyTypeName(box)}' is not iterable`);
}

/** Sets a dict key; plain assignment of "__proto__" would change the prototype instead. */
export function dictSet(dict: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(dict, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Iterates like Python's `for x in value` (a dict yields its keys, a str its characters). */
export function pyIterate(value: unknown): unknown[] {
  if (value instanceof Undefined) value.fail();
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  throw new PythonError("TypeError", `'${pyTypeName(value)}' object is not iterable`);
}

/** Python `len()`. */
export function pyLen(value: unknown): number {
  if (value instanceof Undefined) value.fail();
  if (typeof value === "string") return [...value].length;
  if (Array.isArray(value)) return value.length;
  if (isPlainObject(value)) return Object.keys(value).length;
  throw new PythonError("TypeError", `object of type '${pyTypeName(value)}' has no len()`);
}

/**
 * A string key equal for values Python considers equal and hashable (1, 1.0 and True share one),
 * for sets, `unique` and `groupby`. Lists and dicts are unhashable in Python: TypeError.
 */
export function pyHashKey(value: unknown): string {
  if (value instanceof TemplateProxy) return pyHashKey(value.str());
  const n = numeric(value);
  if (n !== null) return `n:${n}`;
  if (value === null || value === undefined) return "None";
  if (typeof value === "string") return `s:${value}`;
  if (isTuple(value)) return `t:(${(value as unknown[]).map(pyHashKey).join(",")})`;
  throw new PythonError("TypeError", `unhashable type: '${pyTypeName(value)}'`);
}

/**
 * Plain JSON data for the world outside the engines: PyFloat unboxed, tuples become arrays,
 * dicts are copied as plain objects. StrictUndefined refuses.
 */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof PyFloat) return value.value;
  if (value === undefined) return null;
  if (value instanceof Undefined) value.fail();
  if (value instanceof TemplateProxy) return value.str();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) dictSet(out, k, toJsonValue(v));
    return out;
  }
  return value;
}

/** Python `bool(x)` as a value. */
export function pyBool(value: unknown): boolean {
  return pyTruthy(value);
}
