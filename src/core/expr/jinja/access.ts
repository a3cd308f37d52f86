/**
 * Attribute and item access under Jinja's SandboxedEnvironment rules. Only data (dict keys, list
 * items), the Python methods in methods.ts and engine objects' allow-listed attributes are
 * reachable. Names starting with `_` are unsafe (Jinja's `is_safe_attribute`), and JavaScript
 * properties (`constructor`, `__proto__`, prototype methods) are never read: dict keys are
 * checked with Object.hasOwn and methods come from Maps.
 */

import { pyInt } from "../python/convert.ts";
import { PythonError } from "../python/errors.ts";
import { numValue } from "../python/number.ts";
import {
  isPlainObject,
  isTuple,
  makeTuple,
  pyRepr,
  pyStr,
  pyTypeName,
  Undefined,
} from "../python/value.ts";
import { TemplateProxy } from "../template.ts";
import { boundMethod } from "./methods.ts";
import { isAttrSource } from "./runtime.ts";

function jinjaTypeName(value: unknown): string {
  return `${pyTypeName(value)} object`;
}

function unsafe(where: string, obj: unknown, name: string): Undefined {
  return new Undefined(
    where,
    `access to attribute '${name}' of '${pyTypeName(obj)}' object is unsafe (sandbox)`,
  );
}

/** `obj.name` (Jinja: Python attribute first, then item). */
export function getAttr(obj: unknown, name: string, where: string): unknown {
  if (obj instanceof Undefined) obj.fail();
  if (name.startsWith("_")) {
    // Jinja2's sandbox refuses private attributes, but `d._id` on a dict falls back to the item
    // `d['_id']` (a dict has no such attribute). Dunder names are always refused: on a dict
    // they name real Python attributes (`__class__`, `__init__`…).
    if (/^__.*__$/.test(name) || !isPlainObject(obj) || !Object.hasOwn(obj, name))
      return unsafe(where, obj, name);
    return obj[name];
  }
  if (obj instanceof TemplateProxy) return obj.attr(name);
  const method = boundMethod(obj, name, formatField);
  if (method !== null) return method;
  if (isPlainObject(obj) && Object.hasOwn(obj, name)) return obj[name];
  if (isAttrSource(obj)) {
    const v = obj.readAttr(name);
    if (v !== undefined) return v;
  }
  return new Undefined(where, `'${jinjaTypeName(obj)}' has no attribute '${name}'`);
}

function index(items: { length: number }, key: unknown): number | null {
  if (typeof key === "boolean") return Number(key);
  if (typeof key === "number" && Number.isInteger(key)) {
    return key < 0 ? items.length + key : key;
  }
  return null;
}

/** `obj[key]` (Jinja: item first, then attribute for string keys). */
export function getItem(obj: unknown, key: unknown, where: string): unknown {
  if (obj instanceof Undefined) obj.fail();
  if (key instanceof Undefined) key.fail();
  if (obj instanceof TemplateProxy) return obj.attr(pyStr(key));
  if (isPlainObject(obj)) {
    const k = typeof key === "string" ? key : numValue(key) !== null ? pyStr(key) : null;
    if (k !== null && Object.hasOwn(obj, k)) return obj[k];
  } else if (Array.isArray(obj) || typeof obj === "string") {
    const items = typeof obj === "string" ? [...obj] : obj;
    const i = index(items, key);
    if (i !== null) {
      if (i >= 0 && i < items.length) return items[i];
      return new Undefined(where, `${pyTypeName(obj)} index out of range`);
    }
  }
  if (typeof key === "string") return getAttr(obj, key, where);
  return new Undefined(where, `'${jinjaTypeName(obj)}' has no attribute ${pyRepr(key)}`);
}

function sliceBound(v: unknown, what: string): number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Undefined) v.fail();
  if (typeof v === "boolean" || (typeof v === "number" && Number.isInteger(v))) return pyInt(v);
  throw new PythonError(
    "TypeError",
    `slice ${what} must be integers or None, not ${pyTypeName(v)}`,
  );
}

/** Python `seq[start:stop:step]` on str, list and tuple. */
export function getSlice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (obj instanceof Undefined) obj.fail();
  const st = sliceBound(step, "indices") ?? 1;
  if (st === 0) throw new PythonError("ValueError", "slice step cannot be zero");
  if (typeof obj !== "string" && !Array.isArray(obj)) {
    throw new PythonError("TypeError", `'${pyTypeName(obj)}' object is not subscriptable`);
  }
  const items = typeof obj === "string" ? [...obj] : obj;
  const n = items.length;
  const norm = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    const x = v < 0 ? v + n : v;
    return st > 0 ? Math.min(Math.max(x, 0), n) : Math.min(Math.max(x, -1), n - 1);
  };
  const a = norm(sliceBound(start, "indices"), st > 0 ? 0 : n - 1);
  const b = norm(sliceBound(stop, "indices"), st > 0 ? n : -1);
  const out: unknown[] = [];
  for (let i = a; st > 0 ? i < b : i > b; i += st) out.push(items[i]);
  if (typeof obj === "string") return out.join("");
  return isTuple(obj) ? makeTuple(out) : out;
}

/** `{0.attr}` and `{0[key]}` in str.format resolve like template access, sandbox included. */
function formatField(value: unknown, key: string, isIndex: boolean): unknown {
  const v = isIndex
    ? getItem(value, /^\d+$/.test(key) ? Number(key) : key, key)
    : getAttr(value, key, key);
  if (v instanceof Undefined) v.fail();
  return v;
}
