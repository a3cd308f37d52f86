/**
 * YAQL's runtime value model. Python semantics need more than JSON gives:
 *  - numbers follow the shared convention (python/number.ts): ints are integral JS numbers,
 *    a float with an integral value is a `PyFloat` box, other floats plain numbers;
 *  - `YDict` keeps Python insertion order and allows non-string keys (lists, dicts, numbers):
 *    JS objects would reorder integer-like keys and only take strings.
 *  - `YSet` is Python's set of hashable values; `YIter` a single-use lazy iterator (Python
 *    generator), needed because yaql pipelines are lazy and may be infinite (`sequence()`).
 * Lists are JS arrays; tuples are arrays marked with makeTuple from pyvalue.ts.
 */

import { makeFloat, numValue, PyFloat } from "../python/number.ts";
import { pyTypeName } from "../python/value.ts";

export { PyFloat };

export function mkFloat(x: number): number | PyFloat {
  return makeFloat(x);
}
export function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}
export function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === "number" && !Number.isInteger(v));
}
export function isNumber(v: unknown): boolean {
  return typeof v === "number" || v instanceof PyFloat;
}
/** The numeric value of an int, float or bool (Python bools are ints). */
export function num(v: unknown): number {
  return numValue(v) ?? (v as number);
}

/** Stable identity of a hashable value: equal Python values (1, 1.0, True) share a key. */
export function hashKey(v: unknown): string {
  if (v === null || v === undefined) return "N";
  if (typeof v === "boolean" || typeof v === "number" || v instanceof PyFloat) {
    return `n${num(v)}`;
  }
  if (typeof v === "string") return `s${JSON.stringify(v)}`;
  if (Array.isArray(v)) return `l[${v.map(hashKey).join(",")}]`;
  if (v instanceof YDict) {
    return `d{${[...v.entries()]
      .map(([k, x]) => `${hashKey(k)}:${hashKey(x)}`)
      .sort()
      .join(",")}}`;
  }
  if (v instanceof YSet) return `S{${[...v.keys()].sort().join(",")}}`;
  if (v instanceof YDateTime) return `t${v.ms}`;
  if (v instanceof YTimespan) return `p${v.ms}`;
  if (v instanceof YRegex) return `r${v.pattern}/${v.flags}`;
  return `o${String(v)}`;
}

export class YDict {
  private readonly map = new Map<string, [unknown, unknown]>();
  static from(entries: Iterable<readonly [unknown, unknown]>): YDict {
    const d = new YDict();
    for (const [k, v] of entries) d.set(k, v);
    return d;
  }
  get size(): number {
    return this.map.size;
  }
  has(k: unknown): boolean {
    return this.map.has(hashKey(k));
  }
  get(k: unknown): unknown {
    return this.map.get(hashKey(k))?.[1];
  }
  set(k: unknown, v: unknown): void {
    const key = hashKey(k);
    const old = this.map.get(key);
    if (old) old[1] = v;
    else this.map.set(key, [k, v]);
  }
  delete(k: unknown): void {
    this.map.delete(hashKey(k));
  }
  *entries(): IterableIterator<[unknown, unknown]> {
    for (const [k, v] of this.map.values()) yield [k, v];
  }
  keys(): unknown[] {
    return [...this.map.values()].map((e) => e[0]);
  }
  values(): unknown[] {
    return [...this.map.values()].map((e) => e[1]);
  }
  copy(): YDict {
    return YDict.from(this.entries());
  }
}

export class YSet {
  private readonly map = new Map<string, unknown>();
  static from(items: Iterable<unknown>): YSet {
    const s = new YSet();
    for (const x of items) s.add(x);
    return s;
  }
  get size(): number {
    return this.map.size;
  }
  add(v: unknown): void {
    const k = hashKey(v);
    if (!this.map.has(k)) this.map.set(k, v);
  }
  has(v: unknown): boolean {
    return this.map.has(hashKey(v));
  }
  delete(v: unknown): void {
    this.map.delete(hashKey(v));
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): unknown[] {
    return [...this.map.values()];
  }
  [Symbol.iterator](): Iterator<unknown> {
    return this.map.values();
  }
}

/** A lazy, single-use iterator, like a Python generator object. */
export class YIter implements Iterable<unknown> {
  private consumed = false;
  constructor(private readonly source: Iterable<unknown>) {}
  [Symbol.iterator](): Iterator<unknown> {
    if (this.consumed) return [][Symbol.iterator]();
    this.consumed = true;
    return this.source[Symbol.iterator]();
  }
}

/** A yaql delegate: a lambda or a function reference called with positional and named args. */
export class YDelegate {
  constructor(readonly call: (args: unknown[], kwargs: Map<string, unknown>) => unknown) {}
}

/** A compiled `regex()`: the Python pattern and flags, and the RegExp that carries them out. */
export class YRegex {
  constructor(
    readonly pattern: string,
    readonly flags: string,
    readonly re: RegExp,
  ) {}
}

/** A datetime as epoch milliseconds (UTC) plus the offset it was expressed in. */
export class YDateTime {
  constructor(
    readonly ms: number,
    readonly offsetMinutes: number | null = null,
  ) {}
}
export class YTimespan {
  constructor(readonly ms: number) {}
}

export function isSequence(v: unknown): v is unknown[] {
  return Array.isArray(v);
}
export function isIterableValue(v: unknown, iterableDicts = false): boolean {
  return (
    Array.isArray(v) ||
    v instanceof YSet ||
    v instanceof YIter ||
    (iterableDicts && v instanceof YDict)
  );
}

/** Python truthiness over the yaql value model. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === "") return false;
  if (typeof v === "number") return v !== 0;
  if (v instanceof PyFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof YDict || v instanceof YSet) return v.size > 0;
  if (v instanceof YTimespan) return v.ms !== 0;
  return true;
}

/** Python `==`. */
export function pyEq(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  const an = typeof a === "boolean" || isNumber(a);
  const bn = typeof b === "boolean" || isNumber(b);
  if (an || bn) return an && bn && num(a) === num(b);
  if (a === null || b === null) return a === b;
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  }
  if (a instanceof YDict && b instanceof YDict) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a.entries()) if (!b.has(k) || !pyEq(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof YSet && b instanceof YSet) {
    return a.size === b.size && [...a.keys()].every((k) => [...b.keys()].includes(k));
  }
  if (a instanceof YDateTime && b instanceof YDateTime) return a.ms === b.ms;
  if (a instanceof YTimespan && b instanceof YTimespan) return a.ms === b.ms;
  return a === b;
}

export function typeName(v: unknown): string {
  if (v instanceof YDict) return "dict";
  if (v instanceof YSet) return "set";
  if (v instanceof YIter) return "generator";
  if (v instanceof YDateTime) return "datetime";
  if (v instanceof YTimespan) return "timedelta";
  if (v instanceof YRegex) return "Pattern";
  return pyTypeName(v);
}
