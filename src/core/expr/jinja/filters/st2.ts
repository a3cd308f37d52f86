/**
 * StackStorm's custom Jinja filters (st2common/st2common/expressions/functions/*.py), which
 * Orquesta also registers as functions, plus Orquesta's aliases json_dump/json_parse/yaml_dump/
 * yaml_parse.
 */

import { Document, isScalar, parse as parseYaml, visit } from "yaml";
import { RenderError } from "../../../errors.ts";
import { pyInt } from "../../python/convert.ts";
import { PythonError } from "../../python/errors.ts";
import { pyJsonDumps } from "../../python/json.ts";
import { isPyNumber, numValue } from "../../python/number.ts";
import { pyReFindall, pyReMatch, pyReSearch, pyReSub } from "../../python/regex.ts";
import { pyStrip } from "../../python/strings.ts";
import {
  isPlainObject,
  pyRepr,
  pyStr,
  pyTruthy,
  pyTypeName,
  toJsonValue,
} from "../../python/value.ts";
import type { FilterFn } from "../evaluator.ts";
import { filter, REQUIRED } from "./common.ts";
import { jsonPathQuery } from "./jsonpath.ts";
import { bumpVersion, compareVersions, matchVersion, stripPatch } from "./semver.ts";

/** StackStorm's `use_none` marker, cast back to None by the parameter casts. */
export const NONE_MAGIC_VALUE = "%*****__%NONE%__*****%";

function separators(value: unknown): readonly [string, string] | null {
  if (value === null) return null;
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "string")) {
    return [value[0] as string, value[1] as string];
  }
  throw new PythonError("TypeError", "separators must be a pair of strings, such as (',', ': ')");
}

function jsonIndent(value: unknown): number | string | null {
  if (value === null || typeof value === "string") return value;
  if (typeof value === "number") return value;
  throw new PythonError("TypeError", `indent must be an int or a str, not ${pyTypeName(value)}`);
}

/** Plain strings PyYAML's resolver would read back as bool, null, int or float: it quotes them. */
const PYYAML_IMPLICIT =
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL|[-+]?(?:0b[01_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|=|)$/;

export function toYamlString(value: unknown, indent: unknown): string {
  const data = toJsonValue(value);
  const doc = new Document(data, { sortMapEntries: true });
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === "string" && PYYAML_IMPLICIT.test(node.value)) {
        node.type = "QUOTE_SINGLE";
      }
    },
  });
  const text = doc.toString({
    indentSeq: false,
    singleQuote: true,
    lineWidth: 0,
    indent: indent === null ? 2 : pyInt(indent),
  });
  // PyYAML ends a document whose root is a scalar with an explicit end marker.
  return Array.isArray(data) || isPlainObject(data) ? text : `${text}...\n`;
}

export function fromYamlString(value: unknown): unknown {
  try {
    return parseYaml(pyStr(value), { version: "1.1", maxAliasCount: 100 }) ?? null;
  } catch (e) {
    throw new RenderError(`from_yaml_string: invalid YAML: ${(e as Error).message}`);
  }
}

export function fromJsonString(value: unknown): unknown {
  try {
    return JSON.parse(pyStr(value));
  } catch (e) {
    throw new PythonError("ValueError", `from_json_string: invalid JSON: ${(e as Error).message}`);
  }
}

function regexFlags(ignorecase: unknown) {
  return { ignoreCase: pyTruthy(ignorecase) };
}

/** st2's to_human_time_from_seconds: `1y12d16h36m37s`, months folded away as in st2. */
export function humanTime(seconds: unknown): string {
  if (!isPyNumber(seconds) || typeof seconds === "boolean") {
    throw new PythonError("AssertionError", "seconds must be a number");
  }
  const n = numValue(seconds) as number;
  if (n === 0) return "0s";
  if (n < 1) return `${pyStr(seconds)}μs`;
  const whole = Math.round(n);
  const start = new Date(0);
  start.setUTCFullYear(1, 0, 1);
  start.setUTCHours(0, 0, 0, 0);
  const dt = new Date(start.getTime() + whole * 1000);
  const parts: Array<[number, string]> = [
    [dt.getUTCFullYear() - 1, "y"],
    [dt.getUTCDate() - 1, "d"],
    [dt.getUTCHours(), "h"],
    [dt.getUTCMinutes(), "m"],
    [dt.getUTCSeconds(), "s"],
  ];
  const first = parts.findIndex(([v]) => v > 0);
  return parts
    .slice(first < 0 ? parts.length - 1 : first)
    .map(([v, u]) => `${v}${u}`)
    .join("");
}

function posixBasename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

function posixDirname(p: string): string {
  const i = p.lastIndexOf("/") + 1;
  const head = p.slice(0, i);
  return head !== "" && head !== "/".repeat(head.length) ? head.replace(/\/+$/, "") : head;
}

/** The st2 filters; `decryptKv` is the datastore's decrypt, when the caller has one. */
export function st2Filters(decryptKv?: (ciphertext: string) => string): Array<[string, FilterFn]> {
  const toJson = filter(
    "to_json_string",
    [
      ["indent", null],
      ["sort_keys", false],
      ["separators", [",", ": "]],
    ],
    (v, [indent, sortKeys, seps]) =>
      pyJsonDumps(v, {
        indent: jsonIndent(indent),
        sortKeys: pyTruthy(sortKeys),
        separators: separators(seps),
      }),
  )[1];
  const toYaml = filter(
    "to_yaml_string",
    [
      ["indent", null],
      ["allow_unicode", true],
    ],
    (v, [i]) => toYamlString(v, i),
  )[1];
  const fromJson = filter("from_json_string", [], (v) => fromJsonString(v))[1];
  const fromYaml = filter("from_yaml_string", [], (v) => fromYamlString(v))[1];
  return [
    ["to_json_string", toJson],
    ["json_dump", toJson],
    ["to_yaml_string", toYaml],
    ["yaml_dump", toYaml],
    ["from_json_string", fromJson],
    ["json_parse", fromJson],
    ["from_yaml_string", fromYaml],
    ["yaml_parse", fromYaml],
    filter("to_complex", [], (v) => pyJsonDumps(v)),
    filter("json_escape", [], (v) => pyStrip(pyJsonDumps(v), '"', "both")),
    filter("jsonpath_query", [["query", REQUIRED]], (v, [q]) => {
      const found = jsonPathQuery(v, pyStr(q));
      return found.length === 0 ? null : found;
    }),
    filter(
      "regex_match",
      [
        ["pattern", REQUIRED],
        ["ignorecase", false],
      ],
      (v, [p, i]) => pyReMatch(pyStr(p), pyStr(v), regexFlags(i)) !== null,
    ),
    filter(
      "regex_search",
      [
        ["pattern", REQUIRED],
        ["ignorecase", false],
      ],
      (v, [p, i]) => pyReSearch(pyStr(p), pyStr(v), regexFlags(i)) !== null,
    ),
    filter(
      "regex_replace",
      [
        ["pattern", REQUIRED],
        ["replacement", REQUIRED],
        ["ignorecase", false],
      ],
      (v, [p, r, i]) => pyReSub(pyStr(p), pyStr(r), pyStr(v), 0, regexFlags(i)),
    ),
    filter(
      "regex_substring",
      [
        ["pattern", REQUIRED],
        ["result_index", 0],
        ["ignorecase", false],
      ],
      (v, [p, idx, i]) => {
        const found = pyReFindall(pyStr(p), pyStr(v), regexFlags(i));
        const n = pyInt(idx);
        const at = n < 0 ? found.length + n : n;
        if (at < 0 || at >= found.length)
          throw new PythonError("IndexError", "list index out of range");
        return found[at];
      },
    ),
    filter("to_human_time_from_seconds", [], (v) => humanTime(v)),
    filter("version_compare", [["pattern", REQUIRED]], (v, [o]) =>
      compareVersions(pyStr(v), pyStr(o)),
    ),
    filter(
      "version_more_than",
      [["pattern", REQUIRED]],
      (v, [o]) => compareVersions(pyStr(v), pyStr(o)) === 1,
    ),
    filter(
      "version_less_than",
      [["pattern", REQUIRED]],
      (v, [o]) => compareVersions(pyStr(v), pyStr(o)) === -1,
    ),
    filter(
      "version_equal",
      [["pattern", REQUIRED]],
      (v, [o]) => compareVersions(pyStr(v), pyStr(o)) === 0,
    ),
    filter("version_match", [["pattern", REQUIRED]], (v, [o]) => matchVersion(pyStr(v), pyStr(o))),
    filter("version_bump_major", [], (v) => bumpVersion(pyStr(v), "major")),
    filter("version_bump_minor", [], (v) => bumpVersion(pyStr(v), "minor")),
    filter("version_bump_patch", [], (v) => bumpVersion(pyStr(v), "patch")),
    filter("version_strip_patch", [], (v) => stripPatch(pyStr(v))),
    filter("use_none", [], (v) => (v === null ? NONE_MAGIC_VALUE : v)),
    filter("basename", [], (v) => posixBasename(pyStr(v))),
    filter("dirname", [], (v) => posixDirname(pyStr(v))),
    filter("decrypt_kv", [], (v) => {
      if (decryptKv === undefined) {
        throw new RenderError(
          `decrypt_kv cannot decrypt ${pyRepr(v)}: this renderer was given no datastore decrypt function`,
        );
      }
      return decryptKv(pyStr(v));
    }),
  ];
}
