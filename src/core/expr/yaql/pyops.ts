/**
 * Python operations over the yaql value model: str/repr, ordering and int/float arithmetic.
 * Numbers and strings print through the shared python/ module; what is here is yaql's own:
 * YDict/YSet/datetime values, and ordering across them.
 */

import { pyNumberRepr } from "../python/number.ts";
import { isTuple, pyStringRepr } from "../python/value.ts";
import { pyError } from "./errors.ts";
import {
  isInt,
  isNumber,
  mkFloat,
  num,
  PyFloat,
  typeName,
  YDateTime,
  YDict,
  YIter,
  YRegex,
  YSet,
  YTimespan,
} from "./values.ts";

export function pyReprY(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number" || v instanceof PyFloat) return pyNumberRepr(v);
  if (typeof v === "string") return pyStringRepr(v);
  if (Array.isArray(v)) {
    const items = v.map(pyReprY);
    if (isTuple(v)) return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
    return `[${items.join(", ")}]`;
  }
  if (v instanceof YDict) {
    return `{${[...v.entries()].map(([k, x]) => `${pyReprY(k)}: ${pyReprY(x)}`).join(", ")}}`;
  }
  if (v instanceof YSet) {
    return v.size === 0 ? "set()" : `{${v.values().map(pyReprY).join(", ")}}`;
  }
  if (v instanceof YIter) return "<generator object>";
  if (v instanceof YDateTime) return new Date(v.ms).toISOString();
  if (v instanceof YTimespan) return `timedelta(milliseconds=${v.ms})`;
  if (v instanceof YRegex) return `re.compile(${pyStringRepr(v.pattern)})`;
  return String(v);
}

/** Python `str()`. */
export function pyStrY(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof YDateTime) return isoDate(v, " ");
  return pyReprY(v);
}

export function isoDate(d: YDateTime, sep = "T"): string {
  const off = d.offsetMinutes ?? 0;
  const local = new Date(d.ms + off * 60000).toISOString().replace("Z", "");
  let [date, time = ""] = local.split("T");
  if (time.endsWith(".000")) time = time.slice(0, -4);
  else time = `${time}000`;
  let out = `${date}${sep}${time}`;
  if (d.offsetMinutes !== null) {
    const sign = off < 0 ? "-" : "+";
    const a = Math.abs(off);
    out += `${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
  }
  return out;
}

function typeError(op: string, a: unknown, b: unknown): never {
  throw pyError(
    "TypeError",
    `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`,
  );
}

/** Python ordering; a TypeError for types Python cannot order. */
export function pyCmp(a: unknown, b: unknown, op = "<"): number {
  const an = typeof a === "boolean" || isNumber(a);
  const bn = typeof b === "boolean" || isNumber(b);
  if (an && bn) {
    const x = num(a);
    const y = num(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = pyCmp(a[i], b[i], op);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (a instanceof YDateTime && b instanceof YDateTime) return a.ms - b.ms;
  if (a instanceof YTimespan && b instanceof YTimespan) return a.ms - b.ms;
  return typeError(op, a, b);
}

/** Key function for sorting mixed values the way yaql's orderBy does (Python sorted). */
export function sortValues<T>(items: T[], key: (x: T) => unknown, descending = false): T[] {
  const keyed = items.map((x, i) => ({ x, k: key(x), i }));
  keyed.sort((p, q) => {
    const c = pyCmp(p.k, q.k);
    return (descending ? -c : c) || p.i - q.i;
  });
  return keyed.map((e) => e.x);
}

function bothInts(a: unknown, b: unknown): boolean {
  return (isInt(a) || typeof a === "boolean") && (isInt(b) || typeof b === "boolean");
}

export function arith(op: "+" | "-" | "*", a: unknown, b: unknown): unknown {
  const x = num(a);
  const y = num(b);
  const r = op === "+" ? x + y : op === "-" ? x - y : x * y;
  if (bothInts(a, b)) return r === 0 ? 0 : r;
  return mkFloat(r);
}

/** yaql's `/`: floor division for two ints (Python 2 heritage), true division otherwise. */
export function divide(a: unknown, b: unknown): unknown {
  const x = num(a);
  const y = num(b);
  if (y === 0) {
    throw pyError(
      "ZeroDivisionError",
      bothInts(a, b) ? "integer division or modulo by zero" : "float division by zero",
    );
  }
  if (bothInts(a, b)) return Math.floor(x / y);
  return mkFloat(x / y);
}

/** Python `%`: the result takes the divisor's sign. */
export function modulo(a: unknown, b: unknown): unknown {
  const x = num(a);
  const y = num(b);
  if (y === 0) throw pyError("ZeroDivisionError", "integer division or modulo by zero");
  let r = x % y;
  if (r !== 0 && r < 0 !== y < 0) r += y;
  if (bothInts(a, b)) return r;
  return mkFloat(r);
}
