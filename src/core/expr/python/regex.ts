/**
 * Python `re` on top of JavaScript RegExp. StackStorm's regex filters and YAQL's regex functions
 * take Python patterns; regex-translate.ts turns them into RegExps with Python's semantics.
 * Replacement templates use `\1`, `\g<1>`, `\g<name>`. Patterns JavaScript cannot express
 * (a scoped change of case `(?i:…)`, conditionals `(?(1)…)`) raise `re.error` as PythonError.
 */

import { OperatorError, PythonError } from "./errors.ts";
import { compilePythonRegex, type PyRegexFlags } from "./regex-translate.ts";
import { makeTuple } from "./value.ts";

export type { PyRegexFlags } from "./regex-translate.ts";

const MAX_PATTERN = 10_000;

function reError(message: string): never {
  throw new PythonError("ValueError", `re.error: ${message}`);
}

/**
 * A Python pattern as a fresh JavaScript RegExp (callers add `g`/`y`). Template engines report a
 * bad pattern as the ValueError StackStorm's filters print (`re.error: ...`).
 */
export function translatePattern(pattern: string, flags: PyRegexFlags = {}): RegExp {
  if (pattern.length > MAX_PATTERN) reError(`pattern longer than ${MAX_PATTERN} characters`);
  let re: RegExp;
  try {
    re = compilePythonRegex(pattern, flags);
  } catch (e) {
    if (e instanceof OperatorError) reError(e.message);
    throw e;
  }
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
