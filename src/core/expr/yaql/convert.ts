/**
 * Boundary conversion. Inputs (JSON-like data: plain objects, arrays, numbers, PyFloat) become
 * the yaql value model (yaql's convert_input_data); results become plain data again
 * (convert_output_data). Dict keys at the boundary are strings: a non-string key is written
 * the way Python's json.dumps writes it (1 → "1", True → "true", None → "null"), and a key
 * json.dumps would refuse (a list, a dict) uses its repr. Sets and iterators become arrays.
 */

import { isTuple, makeTuple } from "../python/value.ts";
import type { Context } from "./context.ts";
import { ContextValue } from "./context.ts";
import { pyReprY } from "./pyops.ts";
import { toArray } from "./registry.ts";
import { isNumber, PyFloat, YDict, YIter, YSet } from "./values.ts";

export function fromPlain(v: unknown): unknown {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(fromPlain);
  if (v instanceof Map) return YDict.from([...v.entries()].map(([k, x]) => [k, fromPlain(x)]));
  if (
    v !== null &&
    typeof v === "object" &&
    !(v instanceof PyFloat) &&
    !(v instanceof YDict) &&
    !(v instanceof YSet)
  ) {
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      return YDict.from(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromPlain(x)]),
      );
    }
  }
  return v;
}

export function keyText(k: unknown): string {
  if (typeof k === "string") return k;
  if (k === null || k === undefined) return "null";
  if (k === true) return "true";
  if (k === false) return "false";
  if (isNumber(k)) return pyReprY(k);
  return pyReprY(k);
}

export interface OutputOptions {
  /** Keep tuples marked as tuples (legacy mode does not convert them to lists). */
  keepTuples: boolean;
}

export function toPlain(v: unknown, ctx: Context, options: OutputOptions): unknown {
  if (v instanceof ContextValue) return null;
  if (v instanceof YIter || v instanceof YSet) {
    return toArray(v, ctx).map((x) => toPlain(x, ctx, options));
  }
  if (Array.isArray(v)) {
    const out = v.map((x) => toPlain(x, ctx, options));
    return options.keepTuples && isTuple(v) ? makeTuple(out) : out;
  }
  if (v instanceof YDict) {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, x] of v.entries()) {
      Object.defineProperty(out, keyText(k), {
        value: toPlain(x, ctx, options),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return Object.setPrototypeOf(out, Object.prototype);
  }
  return v === undefined ? null : v;
}
