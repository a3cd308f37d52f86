/**
 * The StackStorm functions registered for YAQL inside Orquesta workflows (st2common's
 * expressions/functions: data, regex, path, time, version), with the Jinja filter names and the
 * aliases json_dump, json_parse, yaml_dump and yaml_parse.
 */

import { parse as yamlParse, stringify as yamlStringify } from "yaml";
import { pyJsonDumps } from "../../python/json.ts";
import type { Context } from "../context.ts";
import { fromPlain, toPlain } from "../convert.ts";
import { pyError } from "../errors.ts";
import { type FunctionDef, fn, opt, p, T } from "../registry.ts";
import { compileRegex, regexReplace } from "./regex.ts";

const plain = (ctx: Context, v: unknown) => toPlain(v, ctx, { keepTuples: false });

function parseVersion(text: string): [number, number, number, string] {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text);
  if (!m) throw pyError("ValueError", `${text} is not valid SemVer string`);
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? ""];
}

function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < 3; i++) {
    const d = (x[i] as number) - (y[i] as number);
    if (d !== 0) return Math.sign(d);
  }
  if (x[3] === y[3]) return 0;
  if (x[3] === "") return 1;
  if (y[3] === "") return -1;
  return x[3] < y[3] ? -1 : 1;
}

function versionMatch(v: string, expr: string): boolean {
  const m = /^(>=|<=|==|!=|>|<)(.*)$/.exec(expr.trim());
  if (!m)
    throw pyError("ValueError", `match_expr parameter should be in format <op><ver>, got ${expr}`);
  const c = compareVersions(v, (m[2] ?? "").trim());
  switch (m[1]) {
    case ">":
      return c > 0;
    case "<":
      return c < 0;
    case ">=":
      return c >= 0;
    case "<=":
      return c <= 0;
    case "==":
      return c === 0;
    default:
      return c !== 0;
  }
}

function bump(v: string, part: 0 | 1 | 2): string {
  const [a, b, c] = parseVersion(v);
  if (part === 0) return `${a + 1}.0.0`;
  if (part === 1) return `${a}.${b + 1}.0`;
  return `${a}.${b}.${c + 1}`;
}

const S = T.string;

function toJson(c: Context, v: unknown, indent: unknown, sortKeys: unknown): string {
  return pyJsonDumps(plain(c, v), { indent: indent as number | null, sortKeys: Boolean(sortKeys) });
}
function toYaml(c: Context, v: unknown): string {
  return yamlStringify(plain(c, v));
}
function fromYaml(s: unknown): unknown {
  return fromPlain(yamlParse(s as string));
}
function fromJson(s: unknown): unknown {
  try {
    return fromPlain(JSON.parse(s as string));
  } catch (err) {
    throw pyError("ValueError", (err as Error).message);
  }
}

const jsonParams = [
  p("value"),
  opt("indent", T.nullable(T.int), null),
  opt("sort_keys", T.bool, false),
];

export const st2Functions: FunctionDef[] = [
  ...["to_json_string", "json_dump"].map((n) =>
    fn(n, "function", jsonParams, (c, [v, i, s]) => toJson(c.ctx, v, i, s)),
  ),
  ...["from_json_string", "json_parse"].map((n) =>
    fn(n, "function", [p("value", S)], (_c, [v]) => fromJson(v)),
  ),
  ...["to_yaml_string", "yaml_dump"].map((n) =>
    fn(n, "function", [p("value")], (c, [v]) => toYaml(c.ctx, v)),
  ),
  ...["from_yaml_string", "yaml_parse"].map((n) =>
    fn(n, "function", [p("value", S)], (_c, [v]) => fromYaml(v)),
  ),
  fn("to_complex", "function", [p("value")], (c, [v]) => pyJsonDumps(plain(c.ctx, v))),
  fn("json_escape", "function", [p("value", S)], (_c, [v]) => pyJsonDumps(v).slice(1, -1)),
  fn("use_none", "function", [p("value")], (_c, [v]) =>
    v === null ? "%*****__%NONE%__*****%" : v,
  ),
  fn("basename", "function", [p("path", S)], (_c, [v]) =>
    (v as string).slice((v as string).lastIndexOf("/") + 1),
  ),
  fn("dirname", "function", [p("path", S)], (_c, [v]) => {
    const s = v as string;
    const i = s.lastIndexOf("/") + 1;
    const head = s.slice(0, i);
    return head && head !== "/".repeat(head.length) ? head.replace(/\/+$/, "") : head;
  }),
  fn("regex_match", "function", [p("value", S), p("pattern", S)], (_c, [v, pat]) => {
    // A sticky search from index 0 is Python's re.match.
    const { re } = compileRegex(pat as string);
    return new RegExp(re.source, `${re.flags}y`).test(v as string);
  }),
  fn("regex_search", "function", [p("value", S), p("pattern", S)], (_c, [v, pat]) =>
    compileRegex(pat as string).re.test(v as string),
  ),
  fn(
    "regex_replace",
    "function",
    [p("value", S), p("pattern", S), p("replacement", S)],
    (_c, [v, pat, r]) => regexReplace(compileRegex(pat as string), v as string, r as string),
  ),
  fn(
    "regex_substring",
    "function",
    [p("value", S), p("pattern", S), opt("result_index", T.int, 0)],
    (_c, [v, pat, i]) => {
      const { re: compiled } = compileRegex(pat as string);
      const re = new RegExp(compiled.source, `${compiled.flags}g`);
      const found = [...(v as string).matchAll(re)].map((m) =>
        m.length > 2 ? m.slice(1) : (m[1] ?? m[0]),
      );
      const item = found[i as number];
      if (item === undefined) throw pyError("IndexError", "list index out of range");
      return item;
    },
  ),
  fn("version_compare", "function", [p("a", S), p("b", S)], (_c, [a, b]) =>
    compareVersions(a as string, b as string),
  ),
  fn(
    "version_more_than",
    "function",
    [p("a", S), p("b", S)],
    (_c, [a, b]) => compareVersions(a as string, b as string) > 0,
  ),
  fn(
    "version_less_than",
    "function",
    [p("a", S), p("b", S)],
    (_c, [a, b]) => compareVersions(a as string, b as string) < 0,
  ),
  fn(
    "version_equal",
    "function",
    [p("a", S), p("b", S)],
    (_c, [a, b]) => compareVersions(a as string, b as string) === 0,
  ),
  fn("version_match", "function", [p("a", S), p("expr", S)], (_c, [a, e]) =>
    versionMatch(a as string, e as string),
  ),
  fn("version_bump_major", "function", [p("v", S)], (_c, [v]) => bump(v as string, 0)),
  fn("version_bump_minor", "function", [p("v", S)], (_c, [v]) => bump(v as string, 1)),
  fn("version_bump_patch", "function", [p("v", S)], (_c, [v]) => bump(v as string, 2)),
  fn("version_strip_patch", "function", [p("v", S)], (_c, [v]) => {
    const [a, b] = parseVersion(v as string);
    return `${a}.${b}`;
  }),
];
