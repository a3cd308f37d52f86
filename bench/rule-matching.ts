/**
 * Rule matching cost, two figures:
 *
 * - against the number of enabled rules: one event, whose trigger has exactly one rule, while
 *   10 or 10,000 rules are enabled in all (the others on other triggers). The rule index makes
 *   the cost depend on the rules of the event's trigger only (target: within 2x);
 * - W1's shape: 100 rules on one trigger, 3 criteria each (`kind equals alert`, `region equals
 *   rN`, `severity greaterthan 2`), one of which matches, in µs per event.
 *
 *   node --import tsx bench/rule-matching.ts
 */

import type { RuleDef } from "../src/core/content/model.ts";
import { JinjaEngine } from "../src/core/expr/jinja/engine.ts";
import { matchRules, RuleIndex } from "../src/core/rules/index.ts";

function rule(i: number, trigger: string, region: string, keyPrefix: string): RuleDef {
  return {
    ref: `bench.r${i}`,
    uid: `rule:bench:r${i}`,
    name: `r${i}`,
    pack: "bench",
    enabled: true,
    type: { ref: "standard" },
    trigger: { type: trigger },
    criteria: {
      [`${keyPrefix}.kind`]: { type: "equals", pattern: "alert" },
      [`${keyPrefix}.region`]: { type: "equals", pattern: region },
      [`${keyPrefix}.severity`]: { type: "greaterthan", pattern: 2 },
    },
    action: { ref: "core.noop" },
    metadata_file: `rules/r${i}.yaml`,
  };
}

const options = { engine: new JinjaEngine(), now: Date.now };

/**
 * CPU nanoseconds (user + system, the whole process) per call of `run`, after a warm-up. CPU
 * time rather than wall time: the machine's cores are shared with other benchmarks.
 */
function nsPer(run: () => unknown, n: number): number {
  for (let i = 0; i < n / 10; i++) run();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) run();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n;
}

function nsPerMatch(total: number): number {
  const index = new RuleIndex();
  for (let i = 0; i < total; i++) index.upsert(rule(i, `bench.t${i}`, "eu", "trigger"));
  const target = `bench.t${Math.floor(total / 2)}`;
  const payload = { kind: "alert", region: "eu", severity: 3 };
  return nsPer(() => matchRules(index.rulesFor(target), payload, options), 200_000);
}

/**
 * W1's rules and payload shape: a webhook's {headers, body}, rule 0 the one that matches.
 * `index: false` checks every rule (each path still looked up once per event).
 */
function nsPerW1Event(index = true): number {
  const rules = new RuleIndex();
  for (let i = 0; i < 100; i++)
    rules.upsert(rule(i, "bench.w1", i === 0 ? "eu" : `r${i}`, "trigger.body"));
  const payloads = Array.from({ length: 64 }, (_, i) => ({
    headers: { "content-type": "application/json", host: "127.0.0.1" },
    body: { kind: "alert", region: "eu", severity: 3, i },
  }));
  let i = 0;
  let matched = 0;
  const ns = nsPer(() => {
    const payload = payloads[i++ & 63];
    matched += matchRules(rules.rulesFor("bench.w1"), payload, { ...options, index }).matched
      .length;
  }, 50_000);
  if (matched !== 55_000) throw new Error(`expected one match per event, got ${matched}`);
  return ns;
}

const small = nsPerMatch(10);
const large = nsPerMatch(10_000);
const w1 = nsPerW1Event();
const w1Unindexed = nsPerW1Event(false);
console.log(`rules.match_ns_10_rules=${small.toFixed(0)}`);
console.log(`rules.match_ns_10000_rules=${large.toFixed(0)}`);
console.log(`rules.match_cost_ratio_10000_vs_10=${(large / small).toFixed(2)} target<=2`);
console.log(`rules.match_us_w1_100_rules_1_match=${(w1 / 1000).toFixed(2)} target<10`);
console.log(`rules.match_us_w1_100_rules_1_match_without_index=${(w1Unindexed / 1000).toFixed(2)}`);
