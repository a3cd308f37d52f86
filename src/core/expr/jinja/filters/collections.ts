/** Jinja2's built-in filters over numbers, sequences and mappings (jinja2/filters.py). */

import { pyAbs, pyAdd, pyRound } from "../../python/arith.ts";
import { PyConversionError, pyFloat, pyFloatValue, pyInt } from "../../python/convert.ts";
import { PythonError, pyTypeError } from "../../python/errors.ts";
import { makeFloat } from "../../python/number.ts";
import {
  isPlainObject,
  makeTuple,
  pyCompare,
  pyHashKey,
  pyIterate,
  pyLen,
  pyStr,
  pyTruthy,
  Undefined,
} from "../../python/value.ts";
import { getAttr, getItem } from "../access.ts";
import { applyFilter, applyTest, type Env, type FilterFn } from "../evaluator.ts";
import type { Kwargs } from "../runtime.ts";
import { filter, REQUIRED } from "./common.ts";

/** Jinja's make_attrgetter: `a.b.0` walks items/attributes; ints index. */
export function attrGetter(path: unknown, dflt: unknown = undefined): (item: unknown) => unknown {
  const parts =
    typeof path === "string"
      ? path.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p))
      : [path];
  return (item) => {
    let v = item;
    for (const p of parts) {
      v = getItem(v, p, String(path));
      if (v instanceof Undefined) {
        if (dflt !== undefined) return dflt;
        v.fail();
      }
    }
    return v;
  };
}

function lowerIfText(v: unknown, caseSensitive: boolean): unknown {
  return !caseSensitive && typeof v === "string" ? v.toLowerCase() : v;
}

function sortItems(items: unknown[], key: (x: unknown) => unknown, reverse: boolean): unknown[] {
  const sorted = [...items].sort((a, b) => pyCompare(key(a), key(b), "<"));
  return reverse ? sorted.reverse() : sorted;
}

function keyFor(attribute: unknown, caseSensitive: boolean): (x: unknown) => unknown {
  if (attribute === null) return (x) => lowerIfText(x, caseSensitive);
  const getters = (typeof attribute === "string" ? attribute.split(",") : [attribute]).map((a) =>
    attrGetter(typeof a === "string" ? a.trim() : a),
  );
  if (getters.length === 1) {
    const g = getters[0] as (x: unknown) => unknown;
    return (x) => lowerIfText(g(x), caseSensitive);
  }
  return (x) => getters.map((g) => lowerIfText(g(x), caseSensitive));
}

/** `select`/`reject`/`selectattr`/`rejectattr`. */
function selectOrReject(byAttr: boolean, keep: boolean): FilterFn {
  return (value, args, kwargs, env) => {
    const rest = [...args];
    const get = byAttr ? attrGetter(rest.shift()) : (x: unknown) => x;
    const testName = rest.shift();
    const check =
      testName === undefined
        ? (x: unknown) => pyTruthy(x)
        : (x: unknown) => applyTest(env, pyStr(testName), x, rest, kwargs);
    return pyIterate(value).filter((item) => {
      env.budget.tick();
      return check(get(item)) === keep;
    });
  };
}

function mapFilter(value: unknown, args: unknown[], kwargs: Kwargs, env: Env): unknown[] {
  const items = pyIterate(value);
  if (args.length === 0 && Object.hasOwn(kwargs, "attribute")) {
    const get = attrGetter(
      kwargs.attribute,
      Object.hasOwn(kwargs, "default") ? kwargs.default : undefined,
    );
    return items.map((x) => {
      env.budget.tick();
      return get(x);
    });
  }
  const [name, ...rest] = args;
  if (name === undefined) pyTypeError("map requires a filter name or attribute=");
  return items.map((x) => {
    env.budget.tick();
    return applyFilter(env, pyStr(name), x, rest, kwargs);
  });
}

function minMax(which: "min" | "max"): FilterFn {
  return filter(
    which,
    [
      ["case_sensitive", false],
      ["attribute", null],
    ],
    (v, [cs, attr]) => {
      const items = pyIterate(v);
      if (items.length === 0)
        return new Undefined(which, `no ${which} item, the sequence was empty`);
      const key = keyFor(attr, pyTruthy(cs));
      let best = items[0];
      for (const x of items.slice(1)) {
        const c = pyCompare(key(x), key(best), which === "min" ? "<" : ">");
        if (which === "min" ? c < 0 : c > 0) best = x;
      }
      return best;
    },
  )[1];
}

function intFilter(value: unknown, dflt: unknown, base: unknown): unknown {
  try {
    if (typeof value === "string" && pyInt(base) !== 10) {
      const b = pyInt(base);
      const text = value
        .trim()
        .toLowerCase()
        .replace(/^0[box]/, "");
      const n = Number.parseInt(text, b);
      if (Number.isNaN(n) || !/^[0-9a-z_]+$/.test(text)) return dflt;
      return n;
    }
    return pyInt(value);
  } catch (e) {
    if (!(e instanceof PyConversionError) || e.pyType === "OverflowError") throw e;
    try {
      return pyInt(pyFloat(value));
    } catch (e2) {
      if (!(e2 instanceof PyConversionError) || e2.pyType === "OverflowError") throw e2;
      return dflt;
    }
  }
}

function batch(value: unknown, size: number, fill: unknown): unknown[][] {
  if (size < 1) throw new PythonError("ValueError", "batch size must be positive");
  const out: unknown[][] = [];
  let cur: unknown[] = [];
  for (const x of pyIterate(value)) {
    cur.push(x);
    if (cur.length === size) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0) {
    if (fill !== null) while (cur.length < size) cur.push(fill);
    out.push(cur);
  }
  return out;
}

function sliceFilter(value: unknown, slices: number, fill: unknown): unknown[][] {
  const seq = pyIterate(value);
  const per = Math.floor(seq.length / slices);
  const extra = seq.length % slices;
  const out: unknown[][] = [];
  let offset = 0;
  for (let i = 0; i < slices; i++) {
    const start = offset + i * per;
    if (i < extra) offset++;
    const end = offset + (i + 1) * per;
    const part = seq.slice(start, end);
    if (fill !== null && i >= extra) part.push(fill);
    out.push(part);
  }
  return out;
}

export const COLLECTION_FILTERS: Array<[string, FilterFn]> = [
  filter("abs", [], (v) => pyAbs(v)),
  filter("attr", [["name", REQUIRED]], (v, [n]) => getAttr(v, pyStr(n), `attr(${pyStr(n)})`)),
  filter(
    "batch",
    [
      ["linecount", REQUIRED],
      ["fill_with", null],
    ],
    (v, [n, f]) => batch(v, pyInt(n), f),
  ),
  filter("count", [], (v) => pyLen(v)),
  filter("length", [], (v) => pyLen(v)),
  filter(
    "default",
    [
      ["default_value", ""],
      ["boolean", false],
    ],
    (v, [d, b]) => {
      if (v instanceof Undefined) return d;
      return pyTruthy(b) && !pyTruthy(v) ? d : v;
    },
  ),
  filter(
    "dictsort",
    [
      ["case_sensitive", false],
      ["by", "key"],
      ["reverse", false],
    ],
    (v, [cs, by, rev]) => {
      if (!isPlainObject(v)) pyTypeError("dictsort expects a dict");
      const pos =
        by === "key"
          ? 0
          : by === "value"
            ? 1
            : pyTypeError("You can only sort by either 'key' or 'value'");
      const items = Object.entries(v as Record<string, unknown>).map((e) => makeTuple(e));
      return sortItems(
        items,
        (x) => lowerIfText((x as unknown[])[pos as number], pyTruthy(cs)),
        pyTruthy(rev),
      );
    },
  ),
  filter("first", [], (v) => {
    const items = pyIterate(v);
    return items.length > 0 ? items[0] : new Undefined("first", "the sequence was empty");
  }),
  filter("last", [], (v) => {
    const items = pyIterate(v);
    return items.length > 0 ? items.at(-1) : new Undefined("last", "the sequence was empty");
  }),
  filter("float", [["default", makeFloat(0)]], (v, [d]) => {
    try {
      return pyFloatValue(v);
    } catch (e) {
      if (e instanceof PyConversionError) return d;
      throw e;
    }
  }),
  filter(
    "int",
    [
      ["default", 0],
      ["base", 10],
    ],
    (v, [d, b]) => intFilter(v, d, b),
  ),
  filter(
    "groupby",
    [
      ["attribute", REQUIRED],
      ["default", null],
      ["case_sensitive", false],
    ],
    (v, [attr, d, cs]) => {
      const get = attrGetter(attr, d === null ? undefined : d);
      const key = (x: unknown) => lowerIfText(get(x), pyTruthy(cs));
      const groups: Array<[unknown, unknown[]]> = [];
      for (const item of sortItems(pyIterate(v), key, false)) {
        const k = key(item);
        const last = groups.at(-1);
        if (last && pyHashKey(last[0]) === pyHashKey(k)) last[1].push(item);
        else groups.push([pyTruthy(cs) ? k : get(item), [item]]);
      }
      return groups.map(([k, items]) => makeTuple([k, items]));
    },
  ),
  filter("items", [], (v) => {
    if (v === null || v === undefined) return [];
    if (!isPlainObject(v)) pyTypeError("Can only get item pairs from a mapping.");
    return Object.entries(v as Record<string, unknown>).map((e) => makeTuple(e));
  }),
  filter(
    "join",
    [
      ["d", ""],
      ["attribute", null],
    ],
    (v, [sep, attr]) => {
      const get = attr === null ? (x: unknown) => x : attrGetter(attr);
      return pyIterate(v)
        .map((x) => pyStr(get(x)))
        .join(pyStr(sep));
    },
  ),
  filter("list", [], (v) => [...pyIterate(v)]),
  ["map", mapFilter],
  ["min", minMax("min")],
  ["max", minMax("max")],
  filter("random", [], (v) => {
    // Jinja picks with Python's random; no seed is exposed, so any uniform choice is equivalent.
    const items = pyIterate(v);
    if (items.length === 0)
      throw new PythonError("IndexError", "Cannot choose from an empty sequence");
    return items[Math.floor(Math.random() * items.length)];
  }),
  ["select", selectOrReject(false, true)],
  ["reject", selectOrReject(false, false)],
  ["selectattr", selectOrReject(true, true)],
  ["rejectattr", selectOrReject(true, false)],
  filter("reverse", [], (v) =>
    typeof v === "string" ? [...v].reverse().join("") : [...pyIterate(v)].reverse(),
  ),
  filter(
    "round",
    [
      ["precision", 0],
      ["method", "common"],
    ],
    (v, [p, m]) => {
      const x = pyFloat(v);
      const digits = pyInt(p);
      if (m === "common") return pyRound(makeFloat(x), digits);
      if (m === "ceil" || m === "floor") {
        const scale = 10 ** digits;
        const r = (m === "ceil" ? Math.ceil : Math.floor)(x * scale) / scale;
        return makeFloat(r);
      }
      return pyTypeError("method must be common, ceil or floor");
    },
  ),
  filter(
    "slice",
    [
      ["slices", REQUIRED],
      ["fill_with", null],
    ],
    (v, [n, f]) => sliceFilter(v, pyInt(n), f),
  ),
  filter(
    "sort",
    [
      ["reverse", false],
      ["case_sensitive", false],
      ["attribute", null],
    ],
    (v, [rev, cs, attr]) => sortItems(pyIterate(v), keyFor(attr, pyTruthy(cs)), pyTruthy(rev)),
  ),
  filter(
    "sum",
    [
      ["attribute", null],
      ["start", 0],
    ],
    (v, [attr, start], env) => {
      const get = attr === null ? (x: unknown) => x : attrGetter(attr);
      let total = start;
      for (const x of pyIterate(v)) {
        env.budget.tick();
        total = pyAdd(total, get(x));
      }
      return total;
    },
  ),
  filter(
    "unique",
    [
      ["case_sensitive", false],
      ["attribute", null],
    ],
    (v, [cs, attr]) => {
      const key = keyFor(attr, pyTruthy(cs));
      const seen = new Set<string>();
      return pyIterate(v).filter((x) => {
        const k = pyHashKey(key(x));
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    },
  ),
];
