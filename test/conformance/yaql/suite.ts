/**
 * The YAQL conformance corpus (cases.json, see README.md here): every case evaluated in its
 * mode and compared value for value, int kept apart from float, dict key order ignored, set
 * results compared as multisets; error cases compare the Python/yaql exception class.
 */

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PythonError } from "../../../src/core/expr/python/errors.ts";
import { PyFloat } from "../../../src/core/expr/python/number.ts";
import {
  evaluateYaql,
  renderOrquestaYaql,
  YaqlException,
  type YaqlMode,
} from "../../../src/core/expr/yaql/index.ts";
import type { CaseOutcome, ConformanceSuite } from "../suite.ts";
import { parseJsonWithFloats } from "./json-floats.ts";

interface YaqlCase {
  id: string;
  mode: YaqlMode;
  expr: string;
  data?: unknown;
  context?: Record<string, unknown>;
  result?: unknown;
  unordered?: boolean;
  error?: string;
  error_classes?: string[];
}

const here = dirname(fileURLToPath(import.meta.url));

export function loadYaqlCases(): YaqlCase[] {
  return parseJsonWithFloats(readFileSync(join(here, "cases.json"), "utf8")) as YaqlCase[];
}

/** The class names an error answers to: yaql's hierarchy, or the Python exception's name. */
export function errorNames(err: unknown): string[] {
  const names: string[] = [];
  if (err instanceof YaqlException) names.push(err.pyName);
  if (err instanceof PythonError) names.push(err.pyType);
  for (
    let proto = Object.getPrototypeOf(err);
    proto && proto !== Error.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    names.push(proto.constructor.name);
  }
  return names;
}

function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === "number" && !Number.isInteger(v));
}

export function pyValueEqual(expected: unknown, actual: unknown): boolean {
  if (typeof expected === "number" || expected instanceof PyFloat) {
    if (!(typeof actual === "number" || actual instanceof PyFloat)) return false;
    if (isFloat(expected) !== isFloat(actual)) return false;
    const e = Number(expected);
    const a = Number(actual);
    return e === a || (Number.isNaN(e) && Number.isNaN(a));
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      expected.length === actual.length &&
      expected.every((x, i) => pyValueEqual(x, actual[i]))
    );
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    const ek = Object.keys(expected);
    const ak = Object.keys(actual);
    return (
      ek.length === ak.length &&
      ek.every(
        (k) =>
          Object.hasOwn(actual, k) &&
          pyValueEqual(
            (expected as Record<string, unknown>)[k],
            (actual as Record<string, unknown>)[k],
          ),
      )
    );
  }
  return expected === actual;
}

function multisetEqual(expected: unknown[], actual: unknown): boolean {
  if (!Array.isArray(actual) || actual.length !== expected.length) return false;
  const left = [...actual];
  return expected.every((e) => {
    const i = left.findIndex((a) => pyValueEqual(e, a));
    if (i < 0) return false;
    left.splice(i, 1);
    return true;
  });
}

function show(v: unknown): string {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function runYaqlCase(c: YaqlCase): CaseOutcome {
  const base = { id: c.id, group: c.mode };
  let actual: unknown;
  try {
    actual =
      c.mode === "orquesta"
        ? renderOrquestaYaql(c.expr, c.context ?? {})
        : evaluateYaql(c.expr, c.data ?? null, { mode: c.mode });
  } catch (err) {
    const names = errorNames(err);
    if (c.error !== undefined && names.includes(c.error)) return { ...base, passed: true };
    const message = err instanceof Error ? err.message : String(err);
    return {
      ...base,
      passed: false,
      detail: `expected ${c.error ?? show(c.result)}, got ${names[0] ?? "error"}: ${message}`,
    };
  }
  if (c.error !== undefined)
    return { ...base, passed: false, detail: `expected ${c.error}, got ${show(actual)}` };
  const ok =
    c.unordered && Array.isArray(c.result)
      ? multisetEqual(c.result, actual)
      : pyValueEqual(c.result, actual);
  return ok
    ? { ...base, passed: true }
    : { ...base, passed: false, detail: `expected ${show(c.result)}, got ${show(actual)}` };
}

export const suite: ConformanceSuite = {
  corpus: "yaql",
  async run() {
    return loadYaqlCases().map(runYaqlCase);
  },
};
