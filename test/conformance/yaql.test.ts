/**
 * Runs the YAQL conformance corpus inside `npm test`: at least 98% must pass, and every failing
 * case must be listed in yaql/known-gaps.md with its reason.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseKnownGaps, summarize } from "./suite.ts";
import { suite } from "./yaql/suite.ts";

const here = dirname(fileURLToPath(import.meta.url));

test("yaql conformance: pass rate ≥ 98% and no failure outside known-gaps.md", async () => {
  const outcomes = await suite.run();
  assert.equal(outcomes.length, 686, "cases.json should hold 686 cases");
  const summary = summarize(suite.corpus, outcomes);
  const gaps = parseKnownGaps(readFileSync(join(here, "yaql", "known-gaps.md"), "utf8"));
  const unexpected = summary.failures.filter((f) => !gaps.has(f.id));
  assert.deepEqual(
    unexpected.map((f) => `${f.id} [${f.group}]: ${f.detail}`),
    [],
    "cases failing without a known-gaps.md entry",
  );
  const rate = summary.passed / outcomes.length;
  assert.ok(rate >= 0.98, `pass rate ${(rate * 100).toFixed(2)}% is below 98%`);
});

test("yaql conformance: the corpus copy is the upstream table, unchanged", () => {
  const text = readFileSync(join(here, "yaql", "cases.json"), "utf8");
  const cases = JSON.parse(text) as { id: string; mode: string }[];
  const modes = new Map<string, number>();
  for (const c of cases) modes.set(c.mode, (modes.get(c.mode) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(modes), {
    default: 517,
    legacy: 50,
    legacy_context_default_engine: 41,
    orquesta: 78,
  });
});
