/**
 * The common interface of conformance suites. Each corpus lives in test/conformance/<corpus>/
 * with its upstream case file (copied unchanged) and a `suite.ts` exporting `suite`.
 * `run.ts` discovers and runs them all; a corpus's node:test file checks its pass bar.
 */

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
