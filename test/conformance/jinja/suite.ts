/**
 * The Jinja conformance corpus (cases.json, see README.md here). `st2-jinja` cases render with
 * StackStorm's environment and compare the exact text; `orquesta-jinja` cases evaluate with
 * Orquesta's rules and compare the typed value (dict key order ignored). Error cases compare the
 * Python exception class; Orquesta's wrapped errors also compare the message.
 */

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { JinjaEngine } from "../../../src/core/expr/jinja/engine.ts";
import { errorClassName, OrquestaJinja } from "../../../src/core/expr/jinja/orquesta.ts";
import { toJsonValue } from "../../../src/core/expr/python/value.ts";
import type { CaseOutcome, ConformanceSuite } from "../suite.ts";

interface JinjaCase {
  id: string;
  engine: "st2-jinja" | "orquesta-jinja";
  template: string;
  context: Record<string, unknown>;
  expected?: unknown;
  error?: string;
  error_message?: string;
}

const here = dirname(fileURLToPath(import.meta.url));

export function loadJinjaCases(): JinjaCase[] {
  return JSON.parse(readFileSync(join(here, "cases.json"), "utf8")) as JinjaCase[];
}

/** Orquesta's context: the case context is the workflow vars; `__current_item` feeds item(). */
function orquestaData(context: Record<string, unknown>): Record<string, unknown> {
  const { __current_item, ...vars } = context;
  return { __vars: context, __current_item: __current_item ?? null, vars };
}

function show(v: unknown): string {
  try {
    return JSON.stringify(toJsonValue(v));
  } catch {
    return String(v);
  }
}

export function runCase(c: JinjaCase, st2: JinjaEngine, orquesta: OrquestaJinja): CaseOutcome {
  const group = c.engine;
  let actual: unknown;
  try {
    actual =
      c.engine === "st2-jinja"
        ? st2.render(c.template, c.context)
        : toJsonValue(orquesta.evaluate(c.template, orquestaData(c.context)));
  } catch (e) {
    if (c.error === undefined) {
      return {
        id: c.id,
        group,
        passed: false,
        detail: `unexpected ${errorClassName(e)}: ${(e as Error).message}`,
      };
    }
    const cls = errorClassName(e);
    const message = (e as Error).message;
    const passed = cls === c.error && (c.error_message == null || message === c.error_message);
    return {
      id: c.id,
      group,
      passed,
      detail: passed
        ? undefined
        : `expected ${c.error}: ${c.error_message ?? ""}; got ${cls}: ${message}`,
    };
  }
  if (c.error !== undefined) {
    return { id: c.id, group, passed: false, detail: `expected ${c.error}, got ${show(actual)}` };
  }
  const passed = isDeepStrictEqual(actual, c.expected);
  return {
    id: c.id,
    group,
    passed,
    detail: passed ? undefined : `expected ${JSON.stringify(c.expected)}, got ${show(actual)}`,
  };
}

export const suite: ConformanceSuite = {
  corpus: "jinja",
  async run() {
    const st2 = new JinjaEngine();
    const orquesta = new OrquestaJinja();
    return loadJinjaCases().map((c) => runCase(c, st2, orquesta));
  },
};
