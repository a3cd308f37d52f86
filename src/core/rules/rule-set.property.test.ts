/**
 * The indexed matcher against StackStorm's RulesMatcher done plainly (every rule through the
 * full evaluator), over generated rule lists and payloads from a fixed seed: same matched rules
 * in the same order, same errors in the same order, and every rule the index skipped is one the
 * full evaluator fails without an error.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RuleDef } from "../content/model.ts";
import { JinjaEngine } from "../expr/jinja/engine.ts";
import { evaluateRule } from "./criteria.ts";
import { type MatchOptions, type MatchOutcome, matchRules } from "./matcher.ts";

const options: MatchOptions = { engine: new JinjaEngine(), now: () => Date.UTC(2026, 0, 1) };

/** mulberry32: small, seedable, good enough to spread cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [
  "trigger.a",
  "trigger.a",
  "trigger.b",
  "trigger.b",
  "trigger.c.d",
  "trigger.a#2",
  "trigger.b#x",
  "trigger.e",
  "trigger.l[0]",
  "trigger.c",
];
const OPERATORS = [
  "equals",
  "equals",
  "equals",
  "equals",
  "eq",
  "Equals",
  "nequals",
  "neq",
  "exists",
  "nexists",
  "iequals",
  "lt",
  "gt",
  "contains",
  "startswith",
  "matchwildcard",
  "regex",
  "inside",
  "search",
  "frobnicate",
];
const STRINGS = ["x", "y", "z", "1", "", "café", "cafe\u0301", "X"];
const PATTERNS: unknown[] = [
  ...STRINGS,
  ...STRINGS,
  "{{ trigger.a }}",
  "(",
  1,
  0,
  2.5,
  true,
  false,
  null,
  undefined,
];
const VALUES: unknown[] = [
  ...STRINGS,
  ...STRINGS,
  1,
  0,
  2.5,
  true,
  false,
  null,
  ["x", "y"],
  [],
  { x: 1 },
  // Bytes are decoded before comparing (so b"x" equals "x"), and invalid UTF-8 raises.
  new TextEncoder().encode("x"),
  new Uint8Array([0xff]),
];

function generate(seed: number) {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

  const criterion = (): Record<string, unknown> => {
    const type = pick(OPERATORS);
    if (type === "search") {
      return {
        type,
        condition: pick(["any", "all"]),
        pattern: { "item.v": { type: "equals", pattern: pick(STRINGS) } },
      };
    }
    const pattern = pick(PATTERNS);
    return pattern === undefined ? { type } : { type, pattern };
  };
  const rules = (n: number): RuleDef[] =>
    Array.from({ length: n }, (_, i) => {
      const criteria: Record<string, Record<string, unknown>> = {};
      const count = Math.floor(random() * 4.3);
      for (let c = 0; c < count; c++) criteria[pick(KEYS)] = criterion();
      return {
        ref: `p.r${i}`,
        uid: `rule:p:r${i}`,
        name: `r${i}`,
        pack: "p",
        enabled: random() < 0.92,
        type: { ref: random() < 0.2 ? "backstop" : "standard" },
        trigger: { type: "p.event" },
        criteria: criteria as RuleDef["criteria"],
        action: { ref: "core.noop" },
        metadata_file: `rules/r${i}.yaml`,
      } satisfies RuleDef;
    });
  const payload = (): unknown => {
    const shape = random();
    if (shape < 0.04) return {};
    if (shape < 0.06) return pick(["x", "", [], [1]]);
    const out: Record<string, unknown> = {};
    for (const key of ["a", "b", "e", "l"]) if (random() < 0.85) out[key] = pick(VALUES);
    if (random() < 0.7) out.c = random() < 0.8 ? { d: pick(VALUES) } : pick(VALUES);
    return out;
  };
  return { random, rules, payload };
}

function reference(rules: readonly RuleDef[], payload: unknown): MatchOutcome {
  const out: MatchOutcome = { matched: [], evaluated: [], errors: [] };
  for (const backstop of [false, true]) {
    if (backstop && out.matched.length > 0) break;
    for (const r of rules) {
      if ((r.type?.ref === "backstop") !== backstop) continue;
      const result = evaluateRule(r, payload, options);
      out.evaluated.push({ rule: r, result });
      for (const error of result.errors) out.errors.push({ rule: r, error });
      if (result.matched) out.matched.push(r);
    }
  }
  return out;
}

describe("indexed matcher agrees with the plain evaluator (generated cases)", () => {
  it("over 300 rule lists x 12 payloads", () => {
    const gen = generate(20261125);
    let skipped = 0;
    let matches = 0;
    let errors = 0;
    for (let set = 0; set < 300; set++) {
      const rules = Object.freeze(gen.rules(1 + Math.floor(gen.random() * 16)));
      for (let p = 0; p < 12; p++) {
        const payload = gen.payload();
        const label = `set ${set} payload ${p}: ${JSON.stringify(payload)}`;
        const want = reference(rules, payload);
        const got = matchRules(rules, payload, options);
        const plain = matchRules(rules, payload, { ...options, index: false });
        for (const o of [got, plain]) {
          assert.deepEqual(o.matched, want.matched, `${label}: matched`);
          assert.deepEqual(
            o.errors.map((e) => [e.rule.name, e.error]),
            want.errors.map((e) => [e.rule.name, e.error]),
            `${label}: errors`,
          );
        }
        assert.deepEqual(
          plain.evaluated.map((e) => [e.rule.name, e.result.matched]),
          want.evaluated.map((e) => [e.rule.name, e.result.matched]),
          `${label}: index: false checks every rule`,
        );
        const checked = new Map(got.evaluated.map((e) => [e.rule, e.result.matched]));
        const order = got.evaluated.map((e) => want.evaluated.findIndex((w) => w.rule === e.rule));
        assert.deepEqual(
          order,
          [...order].sort((a, b) => a - b),
          `${label}: evaluation order`,
        );
        for (const { rule, result } of want.evaluated) {
          const mine = checked.get(rule);
          if (mine !== undefined) assert.equal(mine, result.matched, `${label}: ${rule.name}`);
          else {
            skipped++;
            assert.ok(
              !result.matched && result.errors.length === 0,
              `${label}: ${rule.name} skipped`,
            );
          }
        }
        matches += want.matched.length;
        errors += want.errors.length;
      }
    }
    // The generator must exercise every outcome, or the agreement above proves little.
    assert.ok(skipped > 1000, `index skipped ${skipped} rules`);
    assert.ok(matches > 500, `${matches} matches`);
    assert.ok(errors > 500, `${errors} errors`);
  });
});
