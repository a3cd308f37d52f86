/**
 * The filters and tests the minimal engine implements, each with Jinja's (or StackStorm's)
 * Python semantics. Names Jinja or StackStorm know but this engine lacks fail loudly as
 * unsupported instead of misbehaving.
 */

import { RenderError } from "../errors.ts";
import { PyConversionError, pyFloat, pyInt } from "./pyconvert.ts";
import { pyJsonDumps } from "./pyjson.ts";
import {
  isPlainObject,
  pyCompare,
  pyContains,
  pyEquals,
  pyStr,
  pyTruthy,
  pyTypeName,
  Undefined,
} from "./pyvalue.ts";
import { UnsupportedTemplateError } from "./template.ts";

/** StackStorm's `use_none` marker, cast back to None by the parameter casts. */
export const NONE_MAGIC_VALUE = "%*****__%NONE%__*****%";

type Args = { args: unknown[]; kwargs: Record<string, unknown> };
type Filter = (value: unknown, call: Args) => unknown;

/** Binds positional and keyword arguments to named parameters, like a Python signature. */
function bind(name: string, call: Args, params: Array<[string, unknown]>): unknown[] {
  if (call.args.length > params.length) {
    throw new RenderError(`filter '${name}' takes at most ${params.length} arguments`);
  }
  const out = params.map(([, dflt], i) => (i < call.args.length ? call.args[i] : dflt));
  for (const [key, v] of Object.entries(call.kwargs)) {
    const idx = params.findIndex(([p]) => p === key);
    if (idx < 0)
      throw new RenderError(`filter '${name}' got an unexpected keyword argument '${key}'`);
    out[idx] = v;
  }
  for (const v of out) if (v instanceof Undefined) v.fail();
  return out;
}

function defined(value: unknown): unknown {
  if (value instanceof Undefined) value.fail();
  return value;
}

/** Iterates like Python's `for x in value`. */
export function pyIterate(value: unknown): unknown[] {
  if (value instanceof Undefined) value.fail();
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  throw new RenderError(`'${pyTypeName(value)}' object is not iterable`);
}

function pyLen(value: unknown): number {
  if (typeof value === "string") return [...value].length;
  if (Array.isArray(value)) return value.length;
  if (isPlainObject(value)) return Object.keys(value).length;
  throw new RenderError(`object of type '${pyTypeName(value)}' has no len()`);
}

/** Python `str.strip(chars)`. */
export function pyStrip(text: string, chars: unknown, side: "both" | "left" | "right"): string {
  const strip = (ch: string) =>
    chars === null || chars === undefined ? /\s/.test(ch) : String(chars).includes(ch);
  const cps = [...text];
  let a = 0;
  let b = cps.length;
  if (side !== "right") while (a < b && strip(cps[a] ?? "")) a++;
  if (side !== "left") while (b > a && strip(cps[b - 1] ?? "")) b--;
  return cps.slice(a, b).join("");
}

/** Python `str.replace(old, new, count)`. */
export function pyReplace(text: string, old: string, rep: string, count: number | null): string {
  const parts = old === "" ? ["", ...[...text], ""] : text.split(old);
  if (old === "") {
    const pieces = parts.slice(1, -1);
    const limit = count === null || count < 0 ? pieces.length + 1 : count;
    let out = "";
    for (let i = 0; i <= pieces.length; i++) out += (i < limit ? rep : "") + (pieces[i] ?? "");
    return out;
  }
  if (count === null || count < 0 || count >= parts.length - 1) return parts.join(rep);
  return parts.slice(0, count + 1).join(rep) + old + parts.slice(count + 1).join(old);
}

function separators(value: unknown): readonly [string, string] | null {
  if (value === null) return null;
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "string")) {
    return [value[0] as string, value[1] as string];
  }
  throw new RenderError("separators must be a pair of strings, such as (',', ': ')");
}

function jsonIndent(value: unknown): number | string | null {
  if (value === null || typeof value === "number" || typeof value === "string") return value;
  throw new RenderError(`indent must be an int or a str, not ${pyTypeName(value)}`);
}

const FILTERS: Record<string, Filter> = {
  default: (value, call) => {
    const [dflt, boolean] = bind("default", call, [
      ["default_value", ""],
      ["boolean", false],
    ]);
    if (value instanceof Undefined) return dflt;
    return pyTruthy(boolean) && !pyTruthy(value) ? dflt : value;
  },
  upper: (value, call) => {
    bind("upper", call, []);
    return pyStr(defined(value)).toUpperCase();
  },
  lower: (value, call) => {
    bind("lower", call, []);
    return pyStr(defined(value)).toLowerCase();
  },
  string: (value, call) => {
    bind("string", call, []);
    return pyStr(defined(value));
  },
  int: (value, call) => {
    const [dflt, base] = bind("int", call, [
      ["default", 0],
      ["base", 10],
    ]);
    if (base !== 10)
      throw new UnsupportedTemplateError(
        "int filter with a base other than 10 is not supported yet",
      );
    try {
      return pyInt(defined(value));
    } catch (e) {
      if (!(e instanceof PyConversionError) || e.pyType === "OverflowError") throw e;
      // Jinja's quirk so that "42.23"|int gives 42.
      try {
        return pyInt(pyFloat(value));
      } catch (e2) {
        if (!(e2 instanceof PyConversionError) || e2.pyType === "OverflowError") throw e2;
        return dflt;
      }
    }
  },
  length: (value, call) => {
    bind("length", call, []);
    return pyLen(defined(value));
  },
  join: (value, call) => {
    const [sep, attribute] = bind("join", call, [
      ["d", ""],
      ["attribute", null],
    ]);
    if (attribute !== null)
      throw new UnsupportedTemplateError("join(attribute=…) is not supported yet");
    return pyIterate(value).map(pyStr).join(pyStr(sep));
  },
  trim: (value, call) => {
    const [chars] = bind("trim", call, [["chars", null]]);
    return pyStrip(pyStr(defined(value)), chars, "both");
  },
  replace: (value, call) => {
    const [old, rep, count] = bind("replace", call, [
      ["old", undefined],
      ["new", undefined],
      ["count", null],
    ]);
    if (old === undefined || rep === undefined) throw new RenderError("replace needs old and new");
    return pyReplace(
      pyStr(defined(value)),
      pyStr(old),
      pyStr(rep),
      count === null ? null : pyInt(count),
    );
  },
  to_json_string: (value, call) => {
    const [indent, sortKeys, seps] = bind("to_json_string", call, [
      ["indent", null],
      ["sort_keys", false],
      ["separators", [",", ": "]],
    ]);
    return pyJsonDumps(defined(value), {
      indent: jsonIndent(indent),
      sortKeys: pyTruthy(sortKeys),
      separators: separators(seps),
    });
  },
  to_complex: (value, call) => {
    bind("to_complex", call, []);
    return pyJsonDumps(defined(value));
  },
  tojson: (value, call) => {
    const [indent] = bind("tojson", call, [["indent", null]]);
    return pyJsonDumps(defined(value), { indent: jsonIndent(indent), sortKeys: true })
      .replaceAll("<", "\\u003c")
      .replaceAll(">", "\\u003e")
      .replaceAll("&", "\\u0026")
      .replaceAll("'", "\\u0027");
  },
  json_escape: (value, call) => {
    bind("json_escape", call, []);
    return pyStrip(pyJsonDumps(defined(value)), '"', "both");
  },
  from_json_string: (value, call) => {
    bind("from_json_string", call, []);
    const text = pyStr(defined(value));
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new RenderError(`from_json_string: invalid JSON: ${(e as Error).message}`);
    }
  },
  use_none: (value, call) => {
    bind("use_none", call, []);
    return defined(value) === null ? NONE_MAGIC_VALUE : value;
  },
};
FILTERS.d = FILTERS.default as Filter;
FILTERS.count = FILTERS.length as Filter;

/** Filters Jinja or StackStorm provide that this engine does not implement. */
const KNOWN_FILTERS = new Set(
  (
    "abs attr batch capitalize center dictsort e escape filesizeformat first float forceescape format " +
    "groupby indent items last list map max min pprint random reject rejectattr reverse round safe " +
    "select selectattr slice sort striptags sum title truncate unique urlencode urlize wordcount " +
    "wordwrap xmlattr decrypt_kv from_yaml_string jsonpath_query to_yaml_string regex_match " +
    "regex_replace regex_search regex_substring to_human_time_from_seconds version_compare " +
    "version_more_than version_less_than version_equal version_match version_bump_major " +
    "version_bump_minor version_bump_patch version_strip_patch basename dirname"
  ).split(" "),
);

export function applyFilter(name: string, value: unknown, call: Args): unknown {
  const filter = FILTERS[name];
  if (filter) return filter(value, call);
  if (KNOWN_FILTERS.has(name))
    throw new UnsupportedTemplateError(`filter '${name}' is not supported yet`);
  throw new RenderError(`no filter named '${name}'`);
}

type Test = (value: unknown, args: unknown[]) => boolean;

const TESTS: Record<string, Test> = {
  defined: (v) => !(v instanceof Undefined),
  undefined: (v) => v instanceof Undefined,
  none: (v) => defined(v) === null,
  boolean: (v) => typeof defined(v) === "boolean",
  true: (v) => defined(v) === true,
  false: (v) => defined(v) === false,
  string: (v) => typeof defined(v) === "string",
  number: (v) => typeof defined(v) === "number",
  integer: (v) => Number.isInteger(defined(v)),
  mapping: (v) => isPlainObject(defined(v)),
  sequence: (v) => {
    const x = defined(v);
    return typeof x === "string" || Array.isArray(x) || isPlainObject(x);
  },
  iterable: (v) => {
    const x = defined(v);
    return typeof x === "string" || Array.isArray(x) || isPlainObject(x);
  },
  odd: (v) => pyInt(defined(v)) % 2 !== 0,
  even: (v) => pyInt(defined(v)) % 2 === 0,
  divisibleby: (v, [n]) => pyInt(defined(v)) % pyInt(n) === 0,
  eq: (v, [other]) => pyEquals(defined(v), defined(other)),
  ne: (v, [other]) => !pyEquals(defined(v), defined(other)),
  lt: (v, [other]) => pyCompare(defined(v), defined(other), "<") < 0,
  gt: (v, [other]) => pyCompare(defined(v), defined(other), ">") > 0,
  in: (v, [other]) => pyContains(defined(other), defined(v)),
  lower: (v) => {
    const s = pyStr(defined(v));
    return s === s.toLowerCase() && s !== s.toUpperCase();
  },
  upper: (v) => {
    const s = pyStr(defined(v));
    return s === s.toUpperCase() && s !== s.toLowerCase();
  },
};
TESTS.equalto = TESTS.eq as Test;
TESTS["=="] = TESTS.eq as Test;

export function applyTest(name: string, value: unknown, args: unknown[]): boolean {
  const test = TESTS[name];
  if (test) return test(value, args);
  if (["float", "callable", "sameas", "escaped", "filter", "test", "le", "ge"].includes(name)) {
    throw new UnsupportedTemplateError(`test '${name}' is not supported yet`);
  }
  throw new RenderError(`no test named '${name}'`);
}
