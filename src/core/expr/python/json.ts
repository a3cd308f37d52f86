/**
 * Python's `json.dumps`, byte for byte: StackStorm's `to_complex`, `to_json_string`,
 * `json_escape` and Jinja's `tojson` all produce it, and users diff or embed that text.
 */

import { PythonError } from "./errors.ts";
import { PyFloat, pyNumberRepr } from "./number.ts";
import { isPlainObject, pyTypeName } from "./value.ts";

export interface PyJsonOptions {
  indent?: number | string | null;
  sortKeys?: boolean;
  /** [item separator, key separator]; Python's default depends on `indent`. */
  separators?: readonly [string, string] | null;
  ensureAscii?: boolean;
}

const NAMED: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

function encodeString(text: string, ensureAscii: boolean): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? "";
    const code = text.charCodeAt(i);
    const named = NAMED[ch];
    if (named !== undefined) out += named;
    else if (code < 0x20 || (ensureAscii && code > 0x7e)) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return `${out}"`;
}

function encodeNumber(value: number | PyFloat): string {
  const n = value instanceof PyFloat ? value.value : value;
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "Infinity";
  if (n === Number.NEGATIVE_INFINITY) return "-Infinity";
  return pyNumberRepr(value);
}

export function pyJsonDumps(value: unknown, options: PyJsonOptions = {}): string {
  const ensureAscii = options.ensureAscii ?? true;
  const indent =
    options.indent === null || options.indent === undefined
      ? null
      : typeof options.indent === "number"
        ? " ".repeat(Math.max(0, options.indent))
        : options.indent;
  const [itemSep, keySep] = options.separators ?? (indent === null ? [", ", ": "] : [",", ": "]);

  const encode = (v: unknown, level: number): string => {
    if (v === null) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "number" || v instanceof PyFloat) return encodeNumber(v);
    if (typeof v === "string") return encodeString(v, ensureAscii);
    let items: string[];
    let open: string;
    let close: string;
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      items = v.map((x) => encode(x, level + 1));
      open = "[";
      close = "]";
    } else if (isPlainObject(v)) {
      let keys = Object.keys(v);
      if (keys.length === 0) return "{}";
      if (options.sortKeys) keys = [...keys].sort();
      items = keys.map((k) => `${encodeString(k, ensureAscii)}${keySep}${encode(v[k], level + 1)}`);
      open = "{";
      close = "}";
    } else {
      throw new PythonError(
        "TypeError",
        `Object of type ${pyTypeName(v)} is not JSON serializable`,
      );
    }
    if (indent === null) return `${open}${items.join(itemSep)}${close}`;
    const inner = `\n${indent.repeat(level + 1)}`;
    return `${open}${inner}${items.join(itemSep + inner)}\n${indent.repeat(level)}${close}`;
  };
  return encode(value, 0);
}
