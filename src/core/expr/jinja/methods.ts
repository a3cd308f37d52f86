/**
 * The Python methods templates call on values (`s.split(',')`, `d.items()`, `l.append(x)`).
 * Each table is a Map, so no JavaScript prototype member can ever be reached by name.
 * Like Jinja's (mutable) SandboxedEnvironment, list and dict mutators are allowed.
 */

import { pyInt } from "../python/convert.ts";
import { PythonError, pyTypeError } from "../python/errors.ts";
import { strFormat } from "../python/format.ts";
import { pyCapitalize, pyReplace, pyRSplit, pySplit, pyStrip, pyTitle } from "../python/strings.ts";
import {
  dictSet,
  isPlainObject,
  isTuple,
  makeTuple,
  pyCompare,
  pyContains,
  pyEquals,
  pyIterate,
  pyRepr,
  pyStr,
  pyTypeName,
  Undefined,
} from "../python/value.ts";
import { type Kwargs, PyFunction } from "./runtime.ts";

/** Resolves `{0.attr}` / `{0[key]}` in str.format through the sandbox (given by access.ts). */
export type FieldGetter = (value: unknown, key: string, isIndex: boolean) => unknown;

type Method<T> = (self: T, args: unknown[], kwargs: Kwargs, field: FieldGetter) => unknown;

/** A method with a fixed argument count, checked before it runs. */
function fixed<T>(name: string, min: number, max: number, run: Method<T>): Method<T> {
  return (self, args, kwargs, field) => {
    arity(name, args, min, max);
    return run(self, args, kwargs, field);
  };
}

function arity(name: string, args: unknown[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    pyTypeError(
      `${name}() takes ${min === max ? min : `${min} to ${max}`} arguments (${args.length} given)`,
    );
  }
  for (const a of args) if (a instanceof Undefined) a.fail();
}

function str(v: unknown, what: string): string {
  if (typeof v !== "string") pyTypeError(`${what} must be str, not ${pyTypeName(v)}`);
  return v as string;
}

const optInt = (v: unknown, dflt: number): number =>
  v === undefined || v === null ? dflt : pyInt(v);

function affix(name: "startswith" | "endswith"): Method<string> {
  return (self, args) => {
    arity(name, args, 1, 1);
    const arg = args[0];
    const options = isTuple(arg) ? (arg as unknown[]) : [arg];
    return options.some((o) =>
      name === "startswith"
        ? self.startsWith(str(o, `${name} first arg`))
        : self.endsWith(str(o, `${name} first arg`)),
    );
  };
}

function justify(name: string, side: "l" | "r" | "c"): Method<string> {
  return (self, args) => {
    arity(name, args, 1, 2);
    const width = pyInt(args[0]);
    const fill = args[1] === undefined ? " " : str(args[1], "fill character");
    const n = width - [...self].length;
    if (n <= 0) return self;
    if (side === "l") return self + fill.repeat(n);
    if (side === "r") return fill.repeat(n) + self;
    const left = Math.floor(n / 2) + (n & width & 1);
    return fill.repeat(left) + self + fill.repeat(n - left);
  };
}

function predicate(name: string, re: RegExp): Method<string> {
  return (self, args) => {
    arity(name, args, 0, 0);
    return self !== "" && re.test(self);
  };
}

/** Python's line boundaries: also \v, \f, the file/group/record separators and NEL. */
const LINE_BREAKS = new RegExp(
  `\\r\\n|[\\n\\r\\v\\f${String.fromCharCode(0x1c, 0x1d, 0x1e)}\\u0085\\u2028\\u2029]`,
);

const STR = new Map<string, Method<string>>([
  ["upper", fixed("upper", 0, 0, (s) => s.toUpperCase())],
  ["lower", fixed("lower", 0, 0, (s) => s.toLowerCase())],
  ["casefold", fixed("casefold", 0, 0, (s) => s.toLowerCase())],
  ["title", fixed("title", 0, 0, (s) => pyTitle(s))],
  ["capitalize", fixed("capitalize", 0, 0, (s) => pyCapitalize(s))],
  [
    "swapcase",
    (s, a) => {
      arity("swapcase", a, 0, 0);
      return [...s]
        .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
        .join("");
    },
  ],
  ["strip", fixed("strip", 0, 1, (s, a) => pyStrip(s, a[0] ?? null, "both"))],
  ["lstrip", fixed("lstrip", 0, 1, (s, a) => pyStrip(s, a[0] ?? null, "left"))],
  ["rstrip", fixed("rstrip", 0, 1, (s, a) => pyStrip(s, a[0] ?? null, "right"))],
  [
    "split",
    (s, a, kw) => {
      arity("split", a, 0, 2);
      return pySplit(s, a[0] ?? kw.sep ?? null, optInt(a[1] ?? kw.maxsplit, -1));
    },
  ],
  [
    "rsplit",
    (s, a, kw) => {
      arity("rsplit", a, 0, 2);
      return pyRSplit(s, a[0] ?? kw.sep ?? null, optInt(a[1] ?? kw.maxsplit, -1));
    },
  ],
  [
    "splitlines",
    (s, a) => {
      arity("splitlines", a, 0, 1);
      const lines = s.split(LINE_BREAKS);
      if (lines.at(-1) === "") lines.pop();
      return lines;
    },
  ],
  ["startswith", affix("startswith")],
  ["endswith", affix("endswith")],
  [
    "replace",
    (s, a) => {
      arity("replace", a, 2, 3);
      return pyReplace(
        s,
        str(a[0], "replace() argument 1"),
        str(a[1], "replace() argument 2"),
        a[2] === undefined ? null : pyInt(a[2]),
      );
    },
  ],
  [
    "join",
    (s, a) => {
      arity("join", a, 1, 1);
      return pyIterate(a[0])
        .map((x) => {
          if (typeof x !== "string") {
            pyTypeError(`sequence item: expected str instance, ${pyTypeName(x)} found`);
          }
          return x;
        })
        .join(s);
    },
  ],
  ["format", (s, a, kw, field) => strFormat(s, a, kw, field)],
  [
    "find",
    (s, a) => {
      arity("find", a, 1, 3);
      return s.indexOf(str(a[0], "find() argument"), optInt(a[1], 0));
    },
  ],
  ["rfind", fixed("rfind", 1, 1, (s, a) => s.lastIndexOf(str(a[0], "rfind() argument")))],
  [
    "index",
    (s, a) => {
      arity("index", a, 1, 1);
      const i = s.indexOf(str(a[0], "index() argument"));
      if (i < 0) throw new PythonError("ValueError", "substring not found");
      return i;
    },
  ],
  [
    "count",
    (s, a) => {
      arity("count", a, 1, 1);
      const sub = str(a[0], "count() argument");
      return sub === "" ? [...s].length + 1 : s.split(sub).length - 1;
    },
  ],
  ["center", justify("center", "c")],
  ["ljust", justify("ljust", "l")],
  ["rjust", justify("rjust", "r")],
  [
    "zfill",
    (s, a) => {
      arity("zfill", a, 1, 1);
      const width = pyInt(a[0]);
      const sign = /^[+-]/.test(s) ? (s[0] as string) : "";
      const body = s.slice(sign.length);
      return sign + body.padStart(width - sign.length, "0");
    },
  ],
  [
    "partition",
    (s, a) => {
      arity("partition", a, 1, 1);
      const sep = str(a[0], "partition() argument");
      const i = s.indexOf(sep);
      return makeTuple(i < 0 ? [s, "", ""] : [s.slice(0, i), sep, s.slice(i + sep.length)]);
    },
  ],
  ["isdigit", predicate("isdigit", /^\d+$/u)],
  ["isnumeric", predicate("isnumeric", /^\p{N}+$/u)],
  ["isdecimal", predicate("isdecimal", /^\d+$/u)],
  ["isalpha", predicate("isalpha", /^\p{L}+$/u)],
  ["isalnum", predicate("isalnum", /^[\p{L}\p{N}]+$/u)],
  ["isspace", predicate("isspace", /^\s+$/u)],
  ["islower", fixed("islower", 0, 0, (s) => s === s.toLowerCase() && s !== s.toUpperCase())],
  ["isupper", fixed("isupper", 0, 0, (s) => s === s.toUpperCase() && s !== s.toLowerCase())],
]);

type Dict = Record<string, unknown>;

function dictKey(k: unknown): string {
  if (typeof k === "string") return k;
  return pyStr(k);
}

const DICT = new Map<string, Method<Dict>>([
  ["items", fixed("items", 0, 0, (d) => Object.entries(d).map(([k, v]) => makeTuple([k, v])))],
  ["keys", fixed("keys", 0, 0, (d) => Object.keys(d))],
  ["values", fixed("values", 0, 0, (d) => Object.values(d))],
  [
    "get",
    (d, a) => {
      arity("get", a, 1, 2);
      const k = dictKey(a[0]);
      return Object.hasOwn(d, k) ? d[k] : (a[1] ?? null);
    },
  ],
  ["copy", fixed("copy", 0, 0, (d) => ({ ...d }))],
  [
    "pop",
    (d, a) => {
      arity("pop", a, 1, 2);
      const k = dictKey(a[0]);
      if (!Object.hasOwn(d, k)) {
        if (a.length > 1) return a[1];
        throw new PythonError("KeyError", pyRepr(a[0]));
      }
      const v = d[k];
      delete d[k];
      return v;
    },
  ],
  [
    "setdefault",
    (d, a) => {
      arity("setdefault", a, 1, 2);
      const k = dictKey(a[0]);
      if (!Object.hasOwn(d, k)) dictSet(d, k, a[1] ?? null);
      return d[k];
    },
  ],
  [
    "update",
    (d, a, kw) => {
      arity("update", a, 0, 1);
      const src = a[0];
      if (isPlainObject(src)) for (const [k, v] of Object.entries(src)) dictSet(d, k, v);
      else if (src !== undefined) {
        for (const pair of pyIterate(src)) {
          const [k, v] = pyIterate(pair);
          dictSet(d, dictKey(k), v);
        }
      }
      for (const [k, v] of Object.entries(kw)) dictSet(d, k, v);
      return null;
    },
  ],
]);

function listIndex(l: unknown[], x: unknown): number {
  const i = l.findIndex((y) => pyEquals(y, x));
  if (i < 0) throw new PythonError("ValueError", `${pyRepr(x)} is not in list`);
  return i;
}

const MAX_LIST = 10_000_000;

const SEQ = new Map<string, Method<unknown[]>>([
  ["index", fixed("index", 1, 1, (l, a) => listIndex(l, a[0]))],
  ["count", fixed("count", 1, 1, (l, a) => l.filter((y) => pyEquals(y, a[0])).length)],
]);

const LIST = new Map<string, Method<unknown[]>>([
  ...SEQ,
  [
    "append",
    (l, a) => {
      arity("append", a, 1, 1);
      if (l.length >= MAX_LIST) throw new PythonError("OverflowError", "list grew too large");
      l.push(a[0]);
      return null;
    },
  ],
  [
    "extend",
    (l, a) => {
      arity("extend", a, 1, 1);
      const items = pyIterate(a[0]);
      if (l.length + items.length > MAX_LIST) {
        throw new PythonError("OverflowError", "list grew too large");
      }
      l.push(...items);
      return null;
    },
  ],
  [
    "insert",
    (l, a) => {
      arity("insert", a, 2, 2);
      const i = pyInt(a[0]);
      l.splice(i < 0 ? Math.max(0, l.length + i) : i, 0, a[1]);
      return null;
    },
  ],
  [
    "pop",
    (l, a) => {
      arity("pop", a, 0, 1);
      if (l.length === 0) throw new PythonError("IndexError", "pop from empty list");
      const raw = a[0] === undefined ? -1 : pyInt(a[0]);
      const i = raw < 0 ? l.length + raw : raw;
      if (i < 0 || i >= l.length) throw new PythonError("IndexError", "pop index out of range");
      return l.splice(i, 1)[0];
    },
  ],
  [
    "remove",
    fixed("remove", 1, 1, (l, a) => {
      l.splice(listIndex(l, a[0]), 1);
      return null;
    }),
  ],
  [
    "reverse",
    fixed("reverse", 0, 0, (l) => {
      l.reverse();
      return null;
    }),
  ],
  [
    "sort",
    (l, a, kw) => {
      arity("sort", a, 0, 0);
      l.sort((x, y) => pyCompare(x, y, "<"));
      if (kw.reverse === true) l.reverse();
      return null;
    },
  ],
  ["copy", fixed("copy", 0, 0, (l) => [...l])],
  [
    "clear",
    fixed("clear", 0, 0, (l) => {
      l.splice(0);
      return null;
    }),
  ],
]);

/** The bound method `obj.name`, or null when the value's type has no such (allowed) method. */
export function boundMethod(obj: unknown, name: string, field: FieldGetter): PyFunction | null {
  let method: Method<never> | undefined;
  if (typeof obj === "string") method = STR.get(name);
  else if (isPlainObject(obj)) method = DICT.get(name);
  else if (Array.isArray(obj)) method = (isTuple(obj) ? SEQ : LIST).get(name);
  if (method === undefined) return null;
  const m = method as Method<unknown>;
  return new PyFunction(
    `${pyTypeName(obj)}.${name}`,
    (args, kwargs) => m(obj, args, kwargs, field),
    "method",
  );
}

/** `x in y` for the `in` test and operator (re-exported so filters share one definition). */
export const contains = pyContains;
