/** yaql's string library (standard_library/strings.py). */

import { pyStrY } from "../pyops.ts";
import { type FunctionDef, fn, opt, p, T, toArray } from "../registry.ts";
import type { YDict } from "../values.ts";

/** yaql's `str()`: like Python's, but null and booleans print the yaql way. */
export function yaqlStr(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  return pyStrY(v);
}

const WS = " \t\n\r\v\f";
/** A run of Python's ASCII whitespace (str.split() with no separator). */
const WS_RUN = /[ \t\n\r\v\f]+/;

function strip(s: string, chars: string | null, left: boolean, right: boolean): string {
  const set = chars ?? WS;
  const cs = [...s];
  let a = 0;
  let b = cs.length;
  if (left) while (a < b && set.includes(cs[a] as string)) a++;
  if (right) while (b > a && set.includes(cs[b - 1] as string)) b--;
  return cs.slice(a, b).join("");
}

const rev = (x: string): string => [...x].reverse().join("");

/** Python's str.split / str.rsplit (rsplit is split over the reversed text). */
export function pySplit(
  s: string,
  sep: string | null,
  maxSplit: number,
  fromRight: boolean,
): string[] {
  if (fromRight) {
    return pySplit(rev(s), sep === null ? null : rev(sep), maxSplit, false)
      .map(rev)
      .reverse();
  }
  if (sep === null) {
    const out: string[] = [];
    let rest = strip(s, null, true, false);
    while (rest !== "") {
      if (maxSplit >= 0 && out.length >= maxSplit) {
        out.push(rest);
        return out;
      }
      const m = WS_RUN.exec(rest);
      if (!m) break;
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    if (rest !== "") out.push(rest);
    return out;
  }
  const all = s.split(sep);
  if (maxSplit < 0 || all.length <= maxSplit + 1) return all;
  return [...all.slice(0, maxSplit), all.slice(maxSplit).join(sep)];
}

function pyReplace(s: string, old: string, repl: string, count: number): string {
  if (count < 0) return s.split(old).join(repl);
  let out = s;
  let from = 0;
  for (let i = 0; i < count; i++) {
    const at = out.indexOf(old, from);
    if (at < 0) break;
    out = out.slice(0, at) + repl + out.slice(at + old.length);
    from = at + repl.length + (old === "" ? 1 : 0);
  }
  return out;
}

function normIndex(i: number, len: number): number {
  return i < 0 ? Math.max(0, len + i) : Math.min(i, len);
}

/** indexOf/lastIndexOf's (start, length) window; a negative length runs to the end. */
function searchWindow(str: string, start: number, length: number): { start: number; end: number } {
  const from = normIndex(start, str.length);
  return { start: from, end: length < 0 ? str.length : Math.min(str.length, from + length) };
}

const S = T.string;
const NS = T.nullable(T.string);

export const stringFunctions: FunctionDef[] = [
  fn("str", "function", [p("value")], (_c, [v]) => yaqlStr(v)),
  fn("isString", "function", [p("arg")], (_c, [v]) => typeof v === "string"),
  fn("concat", "function", [], (_c, [args]) => (args as string[]).join(""), { varargs: S }),
  fn("len", "ext", [p("string", S)], (_c, [s]) => [...(s as string)].length),
  fn("toUpper", "method", [p("string", S)], (_c, [s]) => (s as string).toUpperCase()),
  fn("toLower", "method", [p("string", S)], (_c, [s]) => (s as string).toLowerCase()),
  fn("toCharArray", "method", [p("string", S)], (_c, [s]) => [...(s as string)]),
  fn("characters", "method", [p("string", S)], (_c, [s]) => [...(s as string)]),
  fn("trim", "method", [p("string", S), opt("chars", NS, null)], (_c, [s, ch]) =>
    strip(s as string, ch as string | null, true, true),
  ),
  fn("trimLeft", "method", [p("string", S), opt("chars", NS, null)], (_c, [s, ch]) =>
    strip(s as string, ch as string | null, true, false),
  ),
  fn("trimRight", "method", [p("string", S), opt("chars", NS, null)], (_c, [s, ch]) =>
    strip(s as string, ch as string | null, false, true),
  ),
  fn("norm", "function", [p("string", NS)], (_c, [s]) => {
    if (s === null) return null;
    const t = strip(s as string, null, true, true);
    return t === "" ? null : t;
  }),
  fn(
    "isEmpty",
    "ext",
    [p("string", NS)],
    (_c, [s]) => s === null || strip(s as string, null, true, true) === "",
  ),
  fn(
    "startsWith",
    "method",
    [p("string", S)],
    (_c, [s, pre]) => (pre as string[]).some((x) => (s as string).startsWith(x)),
    { varargs: S },
  ),
  fn(
    "endsWith",
    "method",
    [p("string", S)],
    (_c, [s, suf]) => (suf as string[]).some((x) => (s as string).endsWith(x)),
    { varargs: S },
  ),
  fn("hex", "function", [p("num", T.int)], (_c, [n]) => {
    const v = n as number;
    return `${v < 0 ? "-" : ""}0x${Math.abs(v).toString(16)}`;
  }),
  fn(
    "indexOf",
    "method",
    [p("string", S), p("sub", S), opt("start", T.int, 0), opt("length", T.int, -1)],
    (_c, [s, sub, st, ln]) => {
      const str = s as string;
      const { start, end } = searchWindow(str, st as number, ln as number);
      return str.slice(0, end).indexOf(sub as string, start);
    },
  ),
  fn(
    "lastIndexOf",
    "method",
    [p("string", S), p("sub", S), opt("start", T.int, 0), opt("length", T.int, -1)],
    (_c, [s, sub, st, ln]) => {
      const str = s as string;
      const { start, end } = searchWindow(str, st as number, ln as number);
      const at = str.slice(start, end).lastIndexOf(sub as string);
      return at < 0 ? -1 : at + start;
    },
  ),
  fn(
    "substring",
    "method",
    [p("string", S), opt("start", T.int, 0), opt("length", T.int, -1)],
    (_c, [s, st, ln]) => {
      const chars = [...(s as string)];
      const start = normIndex(st as number, chars.length);
      const end = (ln as number) < 0 ? chars.length : start + (ln as number);
      return chars.slice(start, end).join("");
    },
  ),
  fn(
    "replace",
    "method",
    [p("string", S), p("old", S), p("new", S), opt("count", T.int, -1)],
    (_c, [s, o, n, c]) => pyReplace(s as string, o as string, n as string, c as number),
  ),
  fn(
    "replace",
    "method",
    [p("string", S), p("replacements", T.dict), opt("count", T.int, -1)],
    (_c, [s, d, c]) => {
      let out = s as string;
      for (const [k, v] of (d as YDict).entries())
        out = pyReplace(out, yaqlStr(k), yaqlStr(v), c as number);
      return out;
    },
  ),
  fn(
    "split",
    "method",
    [p("string", S), opt("separator", NS, null), opt("maxSplits", T.int, -1)],
    (_c, [s, sep, n]) => pySplit(s as string, sep as string | null, n as number, false),
  ),
  fn(
    "rightSplit",
    "method",
    [p("string", S), opt("separator", NS, null), opt("maxSplits", T.int, -1)],
    (_c, [s, sep, n]) => pySplit(s as string, sep as string | null, n as number, true),
  ),
  fn("join", "method", [p("sequence", T.iterable), p("separator", S)], (c, [seq, sep]) =>
    toArray(seq, c.ctx)
      .map(yaqlStr)
      .join(sep as string),
  ),
  fn("join", "method", [p("separator", S), p("sequence", T.iterable)], (c, [sep, seq]) =>
    toArray(seq, c.ctx)
      .map(yaqlStr)
      .join(sep as string),
  ),
];
