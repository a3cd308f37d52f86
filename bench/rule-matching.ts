/**
 * Matching cost against the number of enabled rules: one event, whose trigger has exactly one
 * rule, while 10 or 10,000 rules are enabled in all (the others on other triggers). The rule
 * index makes the cost depend on the rules of the event's trigger only. Prints both figures and
 * their ratio (target: within 2x).
 *
 *   node --import tsx bench/rule-matching.ts
 */

import type { RuleDef } from "../src/core/content/model.ts";
import { JinjaEngine } from "../src/core/expr/jinja/engine.ts";
import { matchRules, RuleIndex } from "../src/core/rules/index.ts";

function rule(i: number): RuleDef {
  return {
    ref: `bench.r${i}`,
    uid: `rule:bench:r${i}`,
    name: `r${i}`,
    pack: "bench",
    enabled: true,
    type: { ref: "standard" },
    trigger: { type: `bench.t${i}` },
    criteria: {
      "trigger.kind": { type: "equals", pattern: "alert" },
      "trigger.region": { type: "equals", pattern: "eu" },
      "trigger.severity": { type: "greaterthan", pattern: 2 },
    },
    action: { ref: "core.noop" },
    metadata_file: `rules/r${i}.yaml`,
  };
}

const options = { engine: new JinjaEngine(), now: Date.now };
const payload = { kind: "alert", region: "eu", severity: 3 };

function nsPerMatch(total: number): number {
  const index = new RuleIndex();
  for (let i = 0; i < total; i++) index.upsert(rule(i), `bench.t${i}`);
  const target = `bench.t${Math.floor(total / 2)}`;
  const run = () => matchRules(index.rulesFor(target), payload, options);
  for (let i = 0; i < 20_000; i++) run();
  const n = 200_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) run();
  return Number(process.hrtime.bigint() - t0) / n;
}

const small = nsPerMatch(10);
const large = nsPerMatch(10_000);
console.log(`rules.match_ns_10_rules=${small.toFixed(0)}`);
console.log(`rules.match_ns_10000_rules=${large.toFixed(0)}`);
console.log(`rules.match_cost_ratio_10000_vs_10=${(large / small).toFixed(2)} target<=2`);
