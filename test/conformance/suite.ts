/**
 * The common interface of conformance suites. Each corpus lives in test/conformance/<corpus>/
 * with its upstream case file (copied unchanged) and a `suite.ts` exporting `suite`.
 * `run.ts` discovers and runs them all; a corpus's node:test file checks its pass bar.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export interface CaseOutcome {
  id: string;
  passed: boolean;
  /** A sub-division to report separately (for YAQL: the evaluation mode). */
  group?: string;
  /** Why it failed: expected versus actual. */
  detail?: string;
}

export interface ConformanceSuite {
  /** The corpus name printed in reports, e.g. "yaql". */
  readonly corpus: string;
  run(): Promise<CaseOutcome[]>;
}

export interface SuiteSummary {
  corpus: string;
  passed: number;
  failed: number;
  groups: Map<string, { passed: number; failed: number }>;
  failures: CaseOutcome[];
}

export function summarize(corpus: string, outcomes: readonly CaseOutcome[]): SuiteSummary {
  const groups = new Map<string, { passed: number; failed: number }>();
  let passed = 0;
  const failures: CaseOutcome[] = [];
  for (const o of outcomes) {
    const g = groups.get(o.group ?? "") ?? { passed: 0, failed: 0 };
    if (o.passed) {
      passed++;
      g.passed++;
    } else {
      failures.push(o);
      g.failed++;
    }
    groups.set(o.group ?? "", g);
  }
  return { corpus, passed, failed: failures.length, groups, failures };
}

/** Ids listed in a known-gaps markdown file: every line starting with "- `<id>`". */
export function parseKnownGaps(markdown: string): Set<string> {
  const ids = new Set<string>();
  for (const line of markdown.split("\n")) {
    const m = /^\s*[-*]\s+`([^`]+)`/.exec(line);
    if (m?.[1]) ids.add(m[1]);
  }
  return ids;
}

/**
 * The pass bar every corpus's node:test file holds its suite to: the expected number of cases,
 * at least 98% passing, and every failure listed in `<corpus>/known-gaps.md`.
 */
export async function assertPassBar(suite: ConformanceSuite, expectedCases: number): Promise<void> {
  const outcomes = await suite.run();
  assert.equal(outcomes.length, expectedCases, `cases.json should hold ${expectedCases} cases`);
  const summary = summarize(suite.corpus, outcomes);
  const gaps = parseKnownGaps(readFileSync(join(here, suite.corpus, "known-gaps.md"), "utf8"));
  const unexpected = summary.failures.filter((f) => !gaps.has(f.id));
  assert.deepEqual(
    unexpected.map((f) => `${f.id} [${f.group}]: ${f.detail}`),
    [],
    "cases failing without a known-gaps.md entry",
  );
  const rate = summary.passed / outcomes.length;
  assert.ok(rate >= 0.98, `pass rate ${(rate * 100).toFixed(2)}% is below 98%`);
}

/** How many of a corpus's upstream cases (`<corpus>/cases.json`) have each value of `field`. */
export function countCasesBy(corpus: string, field: string): Record<string, number> {
  const cases = JSON.parse(readFileSync(join(here, corpus, "cases.json"), "utf8")) as Record<
    string,
    unknown
  >[];
  const counts = new Map<string, number>();
  for (const c of cases) counts.set(String(c[field]), (counts.get(String(c[field])) ?? 0) + 1);
  return Object.fromEntries(counts);
}
