/**
 * Python `re` on top of JavaScript RegExp. StackStorm's regex filters and YAQL's regex functions
 * take Python patterns, so the syntax that differs is translated: `(?P<n>…)`, `(?P=n)`, `\A`,
 * `\Z`, leading inline flags `(?aiLmsux)`, and Python's `$` (which also matches before a final
 * newline). Replacement templates use `\1`, `\g<1>`, `\g<name>`. Patterns JavaScript cannot
 * express (scoped flags `(?i:…)`, conditionals `(?(1)…)`) raise `re.error` as PythonError.
 */

import { PythonError } from "./errors.ts";
import { makeTuple } from "./value.ts";

export interface PyRegexFlags {
  ignoreCase?: boolean;
  multiline?: boolean;
  dotAll?: boolean;
}

const MAX_PATTERN = 10_000;
const cache = new Map<string, RegExp>();

function reError(message: string): never {
  throw new PythonError("ValueError", `re.error: ${message}`);
}

function stripVerbose(src: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (ch === "\\") {
      out += ch + (src[i + 1] ?? "");
      i++;
    } else if (inClass) {
      if (ch === "]") inClass = false;
      out += ch;
    } else if (ch === "[") {
      inClass = true;
      out += ch;
    } else if (ch === "#") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (!/\s/.test(ch)) out += ch;
  }
  return out;
}

/** Translates a Python pattern into JavaScript RegExp source and flags. */
export function translatePattern(pattern: string, flags: PyRegexFlags = {}): RegExp {
  if (pattern.length > MAX_PATTERN) reError(`pattern longer than ${MAX_PATTERN} characters`);
  const key = `${flags.ignoreCase ? "i" : ""}${flags.multiline ? "m" : ""}${flags.dotAll ? "s" : ""}/${pattern}`;
  const hit = cache.get(key);
  if (hit) return new RegExp(hit.source, hit.flags);
  let src = pattern;
  let ignoreCase = flags.ignoreCase ?? false;
  let multiline = flags.multiline ?? false;
  let dotAll = flags.dotAll ?? false;
  let verbose = false;
  for (let m = /^\(\?([aiLmsux]+)\)/.exec(src); m; m = /^\(\?([aiLmsux]+)\)/.exec(src)) {
    const f = m[1] ?? "";
    ignoreCase ||= f.includes("i");
    multiline ||= f.includes("m");
    dotAll ||= f.includes("s");
    verbose ||= f.includes("x");
    src = src.slice(m[0].length);
  }
  if (verbose) src = stripVerbose(src);
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (ch === "\\") {
      const next = src[i + 1] ?? "";
      i++;
      if (inClass) out += `\\${next}`;
      else if (next === "A") out += "(?<![\\s\\S])";
      else if (next === "Z") out += "(?![\\s\\S])";
      else out += `\\${next}`;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      out += ch;
      continue;
    }
    if (ch === "[") {
      inClass = true;
      out += ch;
      if (src[i + 1] === "^") out += src[++i];
      if (src[i + 1] === "]") out += `\\${src[++i]}`;
      continue;
    }
    if (ch === "(" && src[i + 1] === "?") {
      const rest = src.slice(i + 2);
      const named = /^P<([A-Za-z_]\w*)>/.exec(rest);
      const backref = /^P=([A-Za-z_]\w*)\)/.exec(rest);
      if (named) {
        out += `(?<${named[1]}>`;
        i += 1 + named[0].length;
        continue;
      }
      if (backref) {
        out += `\\k<${backref[1]}>`;
        i += 1 + backref[0].length;
        continue;
      }
      if (/^[aiLmsux-]+[:)]/.test(rest))
        reError("scoped or non-leading inline flags are not supported");
      if (rest.startsWith("(")) reError("conditional groups are not supported");
      if (rest.startsWith("#")) {
        const end = src.indexOf(")", i);
        i = end < 0 ? src.length : end;
        continue;
      }
    }
    if (ch === "$" && !multiline) {
      out += "(?=\\n?(?![\\s\\S]))";
      continue;
    }
    out += ch;
  }
  let re: RegExp;
  try {
    re = new RegExp(out, `${ignoreCase ? "i" : ""}${multiline ? "m" : ""}${dotAll ? "s" : ""}`);
  } catch (e) {
    return reError((e as Error).message);
  }
  if (cache.size > 500) cache.clear();
  cache.set(key, re);
  return new RegExp(re.source, re.flags);
}

function withFlags(re: RegExp, extra: string): RegExp {
  return new RegExp(re.source, re.flags + extra);
}

/** `re.match`: a match anchored at the start, or null. */
export function pyReMatch(
  pattern: string,
  text: string,
  flags?: PyRegexFlags,
): RegExpExecArray | null {
  const re = withFlags(translatePattern(pattern, flags), "y");
  re.lastIndex = 0;
  return re.exec(text);
}

/** `re.search`. */
export function pyReSearch(
  pattern: string,
  text: string,
  flags?: PyRegexFlags,
): RegExpExecArray | null {
  return translatePattern(pattern, flags).exec(text);
}

/** `re.findall`: whole matches, the one group's text, or tuples of groups. */
export function pyReFindall(pattern: string, text: string, flags?: PyRegexFlags): unknown[] {
  const re = withFlags(translatePattern(pattern, flags), "g");
  const out: unknown[] = [];
  for (const m of text.matchAll(re)) {
    if (m.length === 1) out.push(m[0]);
    else if (m.length === 2) out.push(m[1] ?? "");
    else out.push(makeTuple(m.slice(1).map((g) => g ?? "")));
  }
  return out;
}

/** Expands a Python replacement template (`\1`, `\g<name>`, `\n`) for one match. */
export function expandTemplate(repl: string, m: RegExpExecArray | RegExpMatchArray): string {
  return repl.replace(
    /\\(g<([^>]*)>|\d{1,2}|[\\nrtfvab'"]|.)/gs,
    (all, body: string, g: string | undefined) => {
      let ref: string | undefined = g;
      if (ref === undefined && /^\d+$/.test(body)) ref = body;
      if (ref !== undefined) {
        if (/^\d+$/.test(ref)) {
          const n = Number(ref);
          if (n >= m.length) reError(`invalid group reference ${n}`);
          return m[n] ?? "";
        }
        if (!m.groups || !Object.hasOwn(m.groups, ref)) reError(`unknown group name '${ref}'`);
        return m.groups?.[ref] ?? "";
      }
      const esc: Record<string, string> = {
        "\\": "\\",
        n: "\n",
        r: "\r",
        t: "\t",
        f: "\f",
        v: "\v",
        a: "\x07",
        b: "\b",
      };
      if (Object.hasOwn(esc, body)) return esc[body] as string;
      if (/[A-Za-z]/.test(body)) reError(`bad escape \\${body}`);
      return all;
    },
  );
}

/** `re.sub(pattern, repl, text, count)`. */
export function pyReSub(
  pattern: string,
  repl: string,
  text: string,
  count = 0,
  flags?: PyRegexFlags,
): string {
  const re = withFlags(translatePattern(pattern, flags), "g");
  let n = 0;
  return text.replace(re, (...args: unknown[]) => {
    if (count > 0 && n >= count) return args[0] as string;
    n++;
    const groupsObj =
      typeof args.at(-1) === "object" ? (args.at(-1) as Record<string, string>) : undefined;
    const nums = args.slice(0, groupsObj ? -3 : -2) as string[];
    const m = Object.assign([...nums], { groups: groupsObj }) as unknown as RegExpMatchArray;
    return expandTemplate(repl, m);
  });
}
