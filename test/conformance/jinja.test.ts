/**
 * Runs the Jinja conformance corpus inside `npm test`: at least 98% must pass, and every failing
 * case must be listed in jinja/known-gaps.md with its reason.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { suite } from "./jinja/suite.ts";
import { parseKnownGaps, summarize } from "./suite.ts";

const here = dirname(fileURLToPath(import.meta.url));

test("jinja conformance: pass rate ≥ 98% and no failure outside known-gaps.md", async () => {
  const outcomes = await suite.run();
  assert.equal(outcomes.length, 128, "cases.json should hold 128 cases");
  const summary = summarize(suite.corpus, outcomes);
  const gaps = parseKnownGaps(readFileSync(join(here, "jinja", "known-gaps.md"), "utf8"));
  const unexpected = summary.failures.filter((f) => !gaps.has(f.id));
  assert.deepEqual(
    unexpected.map((f) => `${f.id} [${f.group}]: ${f.detail}`),
    [],
    "cases failing without a known-gaps.md entry",
  );
  const rate = summary.passed / outcomes.length;
  assert.ok(rate >= 0.98, `pass rate ${(rate * 100).toFixed(2)}% is below 98%`);
});

test("jinja conformance: the corpus copy has both groups of the upstream table", () => {
  const cases = JSON.parse(readFileSync(join(here, "jinja", "cases.json"), "utf8")) as {
    engine: string;
  }[];
  const groups = new Map<string, number>();
  for (const c of cases) groups.set(c.engine, (groups.get(c.engine) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(groups), { "orquesta-jinja": 78, "st2-jinja": 50 });
});
