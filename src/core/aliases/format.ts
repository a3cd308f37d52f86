/**
 * StackStorm's alias format strings (st2common action_alias_utils): a format such as
 * `run {{ cmd }} on {{ hosts = localhost }}` is turned into a regular expression whose named
 * groups pick the parameters out of a chat command. As in StackStorm:
 * - the text around the `{{ }}` placeholders is itself a regular expression (pack authors use
 *   anchors and alternations in formats), and it is anchored at both ends unless it says otherwise;
 * - `{{ name = default }}` is optional and falls back to its default;
 * - values may be quoted ('…' or "…") or a `{…}` object;
 * - `key=value` pairs at the end of the command set further parameters, even ones the format
 *   does not name, and are cut from the command before it is matched.
 */

import { ValidationError } from "../errors.ts";

/** The command does not fit the format (StackStorm's ParseException). */
export class AliasParseError extends ValidationError {
  override readonly code: string = "alias_parse_error";
}

/** The format itself is not a usable pattern (a bad parameter name, an unbalanced group). */
export class AliasFormatError extends ValidationError {
  override readonly code: string = "alias_format_error";
}

const KEY = String.raw`\s*(\S+?)\s*`;
const VALUE = String.raw`""|''|"(.+?)"|'(.+?)'|(\{.+?\})|(\S+)`;
const EXT_VALUE = String.raw`""|''|"(.+?)"|'(.+?)'|(\{.+?\})|(.+?)`;
const PAIR = String.raw`(?:^|\s+)${KEY}=(${VALUE})`;
const ENDING = new RegExp(String.raw`^.*?((${PAIR}\s*)*)$`, "s");
const OPTIONAL = String.raw`\{\{${KEY}\s*=\s*(?:${EXT_VALUE})\s*\}\}`;
const REQUIRED = String.raw`\{\{${KEY}\}\}`;
/** What a placeholder becomes: a named group, quotes around the value optional. */
const placeholder = (ws: string, name: string) =>
  `${ws}["']?(?<${name}>(?:(?<=').+?(?=')|(?<=").+?(?=")|\\{.+?\\}|.+?))["']?`;

/** Python regex spellings formats may use, in their JavaScript form. */
function fromPythonSyntax(source: string): string {
  return source
    .replace(/\(\?P</g, "(?<")
    .replace(/\(\?P=(\w+)\)/g, "\\k<$1>")
    .replace(/\\A/g, "^")
    .replace(/\\Z/g, "$");
}

/** Whether the pattern has an anchor of this kind outside character classes. */
function hasAnchor(source: string, anchor: "^" | "$"): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      // `[]…]` and `[^]…]` keep a leading `]` literal.
      if (source[i + 1] === "^") i++;
      if (source[i + 1] === "]") i++;
      continue;
    }
    if (c === anchor) return true;
  }
  return false;
}

export interface CompiledFormat {
  format: string;
  regex: RegExp;
  /** Optional parameters and their defaults, in format order. */
  defaults: Array<[name: string, fallback: string]>;
}

/** Turns a format string into its pattern; throws AliasFormatError when it is not one. */
export function compileFormat(format: string): CompiledFormat {
  const defaults: Array<[string, string]> = [];
  for (const m of format.matchAll(new RegExp(OPTIONAL, "gs")))
    defaults.push([
      m[1] ?? "",
      m
        .slice(2)
        .map((g) => g ?? "")
        .join(""),
    ]);
  let source = format.replace(
    new RegExp(`(\\s*)${OPTIONAL}`, "gs"),
    (_m, ws: string, name: string) => `(?:${placeholder(ws, name)})?`,
  );
  source = source.replace(new RegExp(`(\\s*)${REQUIRED}`, "gs"), (_m, ws: string, name: string) =>
    placeholder(ws, name),
  );
  source = fromPythonSyntax(source);
  if (!hasAnchor(source, "^")) source = `^\\s*${source}`;
  if (!hasAnchor(source, "$")) source = `${source}\\s*$`;
  try {
    return { format, regex: new RegExp(source, "s"), defaults };
  } catch (err) {
    throw new AliasFormatError(
      `format "${format.slice(0, 200)}" is not a valid pattern: ${(err as Error).message}`,
      { field: "formats" },
    );
  }
}

interface Prepared {
  stream: string;
  pairs: Array<[string, string]>;
}

/** Cuts the trailing `key=value` pairs off the command (step 1). */
function cutTrailingPairs(command: string): Prepared {
  const pairs: Array<[string, string]> = [];
  let stream = command;
  const ending = ENDING.exec(command)?.[1];
  if (ending) {
    for (const m of ending.matchAll(new RegExp(PAIR, "gs")))
      pairs.push([
        m[1] ?? "",
        m
          .slice(3, 7)
          .map((g) => g ?? "")
          .join(""),
      ]);
    stream = stream.split(ending).join("");
  }
  return { stream: ` ${stream} `, pairs };
}

function collect(
  compiled: CompiledFormat,
  prepared: Prepared,
  original: string,
  match: RegExpExecArray | RegExpMatchArray | null,
): Record<string, string> {
  if (!match)
    throw new AliasParseError(
      `Command "${original}" doesn't match format string "${compiled.format}"`,
    );
  const result: Record<string, string> = {};
  // A group that took no part in the match is left out, so the action's default applies.
  for (const [name, value] of Object.entries(match.groups ?? {}))
    if (value !== undefined) result[name] = value;
  for (const [name, fallback] of compiled.defaults) result[name] = result[name] || fallback;
  for (const [name, value] of prepared.pairs) result[name] = value;
  if (
    compiled.format !== "" &&
    prepared.stream.trim() === "" &&
    !Object.values(result).some(Boolean)
  )
    throw new AliasParseError("No value supplied and no default value found.");
  return result;
}

/** The parameters `command` gives under `format`; throws AliasParseError when it does not fit. */
export function extractParameters(
  format: string,
  command: string,
  compiled: CompiledFormat = compileFormat(format),
): Record<string, string> {
  const prepared = cutTrailingPairs(command);
  return collect(compiled, prepared, command, compiled.regex.exec(prepared.stream));
}

/**
 * For `match_multiple` formats: one parameter set per place the format matches in the command.
 * (Every set shares the trailing key=value pairs, as in StackStorm.)
 */
export function extractMultipleParameters(
  format: string,
  command: string,
  compiled: CompiledFormat = compileFormat(format),
): Array<Record<string, string>> {
  const prepared = cutTrailingPairs(command);
  const global = new RegExp(compiled.regex.source, "gs");
  return [...prepared.stream.matchAll(global)].map((m) => collect(compiled, prepared, command, m));
}
