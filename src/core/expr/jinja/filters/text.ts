/** Jinja2's built-in string filters (jinja2/filters.py), with Python's str semantics. */

import { pyInt } from "../../python/convert.ts";
import { pyTypeError, pyValueError } from "../../python/errors.ts";
import { percentFormat } from "../../python/format.ts";
import { pyJsonDumps } from "../../python/json.ts";
import { numValue } from "../../python/number.ts";
import { pyCapitalize, pyReplace, pyStrip, pyTitle } from "../../python/strings.ts";
import { isPlainObject, makeTuple, pyRepr, pyStr, pyTruthy } from "../../python/value.ts";
import type { FilterFn } from "../evaluator.ts";
import { filter, REQUIRED } from "./common.ts";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&#34;",
  "'": "&#39;",
};

export function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function filesize(value: unknown, binary: boolean): string {
  const bytes = numValue(value) ?? Number(pyStr(value));
  const base = binary ? 1024 : 1000;
  const prefixes = binary
    ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  if (bytes === 1) return "1 Byte";
  if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
  let unit = base;
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2);
    if (bytes < unit || i === prefixes.length - 1) {
      return `${((base * bytes) / unit).toFixed(1)} ${prefixes[i]}`;
    }
  }
  return `${bytes} Bytes`;
}

function indent(text: string, width: unknown, first: boolean, blank: boolean): string {
  const pad = typeof width === "string" ? width : " ".repeat(pyInt(width));
  const lines = text.split("\n");
  return lines
    .map((line, i) => {
      if (i === 0 && !first) return line;
      if (!blank && line.trim() === "") return line;
      return pad + line;
    })
    .join("\n");
}

function truncate(
  s: string,
  length: number,
  killwords: boolean,
  end: string,
  leeway: number,
): string {
  if (length < end.length) pyValueError("expected length >= end length");
  if (leeway < 0) pyValueError("expected leeway >= 0");
  if (s.length <= length + leeway) return s;
  if (killwords) return s.slice(0, length - end.length) + end;
  const cut = s.slice(0, length - end.length);
  const space = cut.lastIndexOf(" ");
  return (space >= 0 ? cut.slice(0, space) : cut) + end;
}

function wordwrap(
  s: string,
  width: number,
  breakLong: boolean,
  wrapstring: string,
  breakOnHyphens: boolean,
): string {
  const out: string[] = [];
  for (const para of s.split(/\r\n|\r|\n/)) {
    const words = para.split(/\s+/).filter((w) => w !== "");
    let line = "";
    for (let w of words) {
      while (breakLong && w.length > width) {
        if (line !== "") {
          out.push(line);
          line = "";
        }
        out.push(w.slice(0, width));
        w = w.slice(width);
      }
      if (line === "") line = w;
      else if (line.length + 1 + w.length <= width) line += ` ${w}`;
      else {
        out.push(line);
        line = w;
      }
    }
    out.push(line);
  }
  void breakOnHyphens;
  return out.join(wrapstring);
}

function urlQuote(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, "/");
}

function urlencode(value: unknown): string {
  if (typeof value === "string") return urlQuote(value);
  const pairs = isPlainObject(value)
    ? Object.entries(value)
    : Array.isArray(value)
      ? value.map((p) => (Array.isArray(p) ? [p[0], p[1]] : [p, ""]))
      : null;
  if (pairs === null) return urlQuote(pyStr(value));
  return pairs
    .map(
      ([k, v]) =>
        `${urlQuote(pyStr(k)).replace(/\//g, "%2F")}=${urlQuote(pyStr(v)).replace(/\//g, "%2F")}`,
    )
    .join("&");
}

function xmlattr(value: unknown, autospace: boolean): string {
  if (!isPlainObject(value)) pyTypeError("xmlattr expects a dict");
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    if (/[\s/>=]/.test(k)) pyValueError(`Invalid character in attribute name: ${pyRepr(k)}`);
    parts.push(`${htmlEscape(k)}="${htmlEscape(pyStr(v))}"`);
  }
  const text = parts.join(" ");
  return autospace && text !== "" ? ` ${text}` : text;
}

/** Jinja's `tojson`: sorted keys and `<>&'` escaped so the output is safe inside HTML. */
export function tojson(value: unknown, indentArg: unknown): string {
  const ind =
    indentArg === null ? null : typeof indentArg === "string" ? indentArg : pyInt(indentArg);
  return pyJsonDumps(value, { indent: ind, sortKeys: true })
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("'", "\\u0027");
}

export const TEXT_FILTERS: Array<[string, FilterFn]> = [
  filter("capitalize", [], (v) => pyCapitalize(pyStr(v))),
  filter("center", [["width", 80]], (v, [w]) => {
    const s = pyStr(v);
    const n = pyInt(w) - [...s].length;
    if (n <= 0) return s;
    const left = Math.floor(n / 2) + (n & pyInt(w) & 1);
    return " ".repeat(left) + s + " ".repeat(n - left);
  }),
  filter("escape", [], (v) => htmlEscape(pyStr(v))),
  filter("e", [], (v) => htmlEscape(pyStr(v))),
  filter("forceescape", [], (v) => htmlEscape(pyStr(v))),
  filter("filesizeformat", [["binary", false]], (v, [b]) => filesize(v, pyTruthy(b))),
  [
    "format",
    (v, args, kwargs) => {
      if (args.length > 0 && Object.keys(kwargs).length > 0) {
        pyValueError("can't handle positional and keyword arguments at the same time");
      }
      return percentFormat(pyStr(v), Object.keys(kwargs).length > 0 ? kwargs : makeTuple(args));
    },
  ],
  filter(
    "indent",
    [
      ["width", 4],
      ["first", false],
      ["blank", false],
    ],
    (v, [w, f, b]) => indent(pyStr(v), w, pyTruthy(f), pyTruthy(b)),
  ),
  filter("lower", [], (v) => pyStr(v).toLowerCase()),
  filter("upper", [], (v) => pyStr(v).toUpperCase()),
  filter("pprint", [], (v) => pyRepr(v)),
  filter(
    "replace",
    [
      ["old", REQUIRED],
      ["new", REQUIRED],
      ["count", null],
    ],
    (v, [o, n, c]) => pyReplace(pyStr(v), pyStr(o), pyStr(n), c === null ? null : pyInt(c)),
  ),
  filter("safe", [], (v) => v),
  filter("string", [], (v) => pyStr(v)),
  filter("striptags", [], (v) =>
    pyStr(v)
      .replace(/<!--[\s\S]*?-->|<[^>]*>/g, "")
      .replace(/\s+/g, " ")
      .trim()
      .replace(/&amp;/g, "&")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&#34;|&quot;/g, '"')
      .replace(/&#39;/g, "'"),
  ),
  filter("title", [], (v) => pyTitle(pyStr(v))),
  filter("trim", [["chars", null]], (v, [c]) => pyStrip(pyStr(v), c, "both")),
  filter(
    "truncate",
    [
      ["length", 255],
      ["killwords", false],
      ["end", "..."],
      ["leeway", 5],
    ],
    (v, [l, k, e, lw]) => truncate(pyStr(v), pyInt(l), pyTruthy(k), pyStr(e), pyInt(lw)),
  ),
  filter("urlencode", [], (v) => urlencode(v)),
  filter("urlize", [], (v) =>
    htmlEscape(pyStr(v)).replace(
      /\bhttps?:\/\/[^\s<]+/g,
      (url) => `<a href="${url}" rel="noopener">${url}</a>`,
    ),
  ),
  filter("wordcount", [], (v) => (pyStr(v).match(/\w+/gu) ?? []).length),
  filter(
    "wordwrap",
    [
      ["width", 79],
      ["break_long_words", true],
      ["wrapstring", null],
      ["break_on_hyphens", true],
    ],
    (v, [w, b, ws, h]) =>
      wordwrap(pyStr(v), pyInt(w), pyTruthy(b), ws === null ? "\n" : pyStr(ws), pyTruthy(h)),
  ),
  filter("xmlattr", [["autospace", true]], (v, [a]) => xmlattr(v, pyTruthy(a))),
  filter("tojson", [["indent", null]], (v, [i]) => tojson(v, i)),
];
