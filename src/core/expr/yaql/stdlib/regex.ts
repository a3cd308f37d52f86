/**
 * yaql's regex library (standard_library/regex.py) over JavaScript RegExp, with the shared Python
 * `re` semantics: patterns through python/regex-translate.ts, replacement templates (`\1`,
 * `\g<name>`) expanded by python/regex.ts.
 */

import { OperatorError } from "../../python/errors.ts";
import { expandTemplate } from "../../python/regex.ts";
import { compilePythonRegex } from "../../python/regex-translate.ts";
import { asYaqlError, pyError } from "../errors.ts";
import { type FunctionDef, fn, type Lambda, opt, p, T } from "../registry.ts";
import { YDict, YIter, YRegex } from "../values.ts";

/** yaql's `regex(pattern, ...)`: flags are the letters i, m and s (re.I, re.M, re.S). */
export function compileRegex(pattern: string, flags = ""): YRegex {
  try {
    const re = compilePythonRegex(pattern, {
      ignoreCase: flags.includes("i"),
      multiline: flags.includes("m"),
      dotAll: flags.includes("s"),
    });
    return new YRegex(pattern, flags, new RegExp(re.source, re.flags));
  } catch (err) {
    if (!(err instanceof OperatorError)) throw err;
    throw pyError("ValueError", `invalid regular expression ${pattern}: ${err.message}`);
  }
}

function asRegex(v: unknown): YRegex {
  return v instanceof YRegex ? v : compileRegex(v as string);
}

function globalRe(r: YRegex): RegExp {
  return new RegExp(r.re.source, `${r.re.flags}g`);
}

export function regexMatches(r: unknown, text: string): boolean {
  return asRegex(r).re.test(text);
}

/** Python's re.sub(pattern, repl, text, count); count 0 replaces all. */
export function regexReplace(
  r: YRegex,
  text: string,
  repl: string | ((m: RegExpExecArray) => string),
  count = 0,
): string {
  let n = 0;
  const re = globalRe(r);
  let out = "";
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (count > 0 && n >= count) break;
    n++;
    out += text.slice(last, m.index);
    out += typeof repl === "string" ? asYaqlError(() => expandTemplate(repl, m)) : repl(m);
    last = m.index + m[0].length;
    if (m[0].length === 0) re.lastIndex++;
  }
  return out + text.slice(last);
}

function matchDict(m: RegExpExecArray): YDict {
  return YDict.from([
    ["value", m[0]],
    ["start", m.index],
    ["end", m.index + m[0].length],
  ]);
}

/** Python's re.split, captured groups included; maxsplit 0 means no limit. */
export function regexSplit(r: YRegex, text: string, maxSplit = 0): string[] {
  const re = globalRe(r);
  const out: string[] = [];
  let last = 0;
  let n = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (maxSplit > 0 && n >= maxSplit) break;
    if (m[0].length === 0) {
      re.lastIndex++;
      if (m.index === 0 || m.index >= text.length) continue;
    }
    n++;
    out.push(text.slice(last, m.index), ...m.slice(1).map((g) => g ?? (null as unknown as string)));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

const RS = T.oneOf(T.regex, T.string);

export const regexFunctions: FunctionDef[] = [
  fn(
    "regex",
    "function",
    [
      p("pattern", T.string),
      opt("ignoreCase", T.bool, false),
      opt("multiLine", T.bool, false),
      opt("dotAll", T.bool, false),
    ],
    (_c, [pat, i, m, s]) =>
      compileRegex(pat as string, `${i ? "i" : ""}${m ? "m" : ""}${s ? "s" : ""}`),
  ),
  fn("isRegex", "function", [p("value")], (_c, [v]) => v instanceof YRegex),
  fn("escapeRegex", "function", [p("value", T.string)], (_c, [v]) =>
    (v as string).replace(/[^A-Za-z0-9_]/g, (ch) => `\\${ch}`),
  ),
  fn("matches", "method", [p("regexp", T.regex), p("string", T.string)], (_c, [r, s]) =>
    regexMatches(r, s as string),
  ),
  fn("matches", "method", [p("string", T.string), p("regexp", RS)], (_c, [s, r]) =>
    regexMatches(r, s as string),
  ),
  fn(
    "search",
    "method",
    [p("regexp", T.regex), p("string", T.string), opt("selector", T.lambda, null)],
    (_c, [r, s, sel]) => {
      const m = (r as YRegex).re.exec(s as string);
      if (!m) return null;
      return sel ? (sel as Lambda)(matchDict(m)) : m[0];
    },
  ),
  fn(
    "searchAll",
    "method",
    [p("regexp", T.regex), p("string", T.string), opt("selector", T.lambda, null)],
    (_c, [r, s, sel]) => {
      const re = globalRe(r as YRegex);
      const out: unknown[] = [];
      for (let m = re.exec(s as string); m; m = re.exec(s as string)) {
        out.push(sel ? (sel as Lambda)(matchDict(m)) : m[0]);
        if (m[0].length === 0) re.lastIndex++;
      }
      return new YIter(out);
    },
  ),
  fn(
    "split",
    "method",
    [p("regexp", T.regex), p("string", T.string), opt("maxSplit", T.int, 0)],
    (_c, [r, s, n]) => regexSplit(r as YRegex, s as string, n as number),
  ),
  fn(
    "split",
    "method",
    [p("string", T.string), p("separator", T.regex), opt("maxSplit", T.int, 0)],
    (_c, [s, r, n]) => regexSplit(r as YRegex, s as string, n as number),
  ),
  fn(
    "replace",
    "method",
    [p("regexp", T.regex), p("string", T.string), p("repl", T.string), opt("count", T.int, 0)],
    (_c, [r, s, repl, n]) => regexReplace(r as YRegex, s as string, repl as string, n as number),
  ),
  fn(
    "replace",
    "method",
    [p("string", T.string), p("regexp", T.regex), p("repl", T.string), opt("count", T.int, 0)],
    (_c, [s, r, repl, n]) => regexReplace(r as YRegex, s as string, repl as string, n as number),
  ),
  fn(
    "replaceBy",
    "method",
    [p("regexp", T.regex), p("string", T.string), p("repl", T.lambda), opt("count", T.int, 0)],
    (_c, [r, s, repl, n]) =>
      regexReplace(
        r as YRegex,
        s as string,
        (m) => String((repl as Lambda)(matchDict(m))),
        n as number,
      ),
  ),
  fn(
    "replaceBy",
    "method",
    [p("string", T.string), p("regexp", T.regex), p("repl", T.lambda), opt("count", T.int, 0)],
    (_c, [s, r, repl, n]) =>
      regexReplace(
        r as YRegex,
        s as string,
        (m) => String((repl as Lambda)(matchDict(m))),
        n as number,
      ),
  ),
];
