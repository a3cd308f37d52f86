import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RuleDef } from "../content/model.ts";
import { MinimalJinja } from "../expr/minimal.ts";
import { formatRuleTest, readTriggerInstance, testRule } from "./rule-test.ts";

const rule: RuleDef = {
  ref: "ops.on_deploy",
  uid: "rule:ops:on_deploy",
  name: "on_deploy",
  pack: "ops",
  enabled: false,
  type: { ref: "standard" },
  trigger: { type: "ops.deploy" },
  criteria: {
    "trigger.env": { type: "equals", pattern: "prod" },
    "trigger.services": {
      type: "search",
      condition: "any",
      pattern: { "item.name": { type: "startswith", pattern: "api" } },
    },
  },
  action: { ref: "core.noop" },
  metadata_file: "rules/on_deploy.yaml",
};
const options = { engine: new MinimalJinja(), now: () => 0 };

describe("testRule", () => {
  it("explains a match, treating the rule as enabled like st2-rule-tester", () => {
    const e = testRule(
      rule,
      { env: "prod", services: [{ name: "web" }, { name: "api-1" }] },
      options,
    );
    assert.equal(e.matched, true);
    assert.equal(e.trigger, "ops.deploy");
    assert.deepEqual(
      e.checks.map((c) => [c.key, c.passed]),
      [
        ["trigger.env", true],
        ["trigger.services", true],
      ],
    );
    assert.equal(e.checks[1]?.children?.length, 2);
  });

  it("names the criterion that failed and why", () => {
    const e = testRule(rule, { env: "staging", services: [] }, options);
    assert.equal(e.matched, false);
    assert.equal(e.failed?.key, "trigger.env");
    assert.equal(e.failed?.value, "staging");
    assert.equal(e.checks.length, 1);
    const text = formatRuleTest(e);
    assert.match(text, /DOES NOT MATCH/);
    assert.match(text, /FAIL {2}trigger\.env: equals 'prod' \(value 'staging'\)/);
    assert.match(text, /equals is false for value 'staging' and pattern 'prod'/);
  });

  it("lists errors StackStorm would record as failed enforcements", () => {
    const e = testRule(rule, { env: "prod", services: null }, options);
    assert.equal(e.matched, false);
    assert.equal(e.errors.length, 1);
    assert.match(
      formatRuleTest(e),
      /Errors \(each is recorded as a failed rule enforcement\):\n {2}- There might be a problem/,
    );
  });

  it("does not match an instance of another trigger", () => {
    const e = testRule(rule, { env: "prod" }, { ...options, triggerRef: "ops.other" });
    assert.equal(e.matched, false);
    assert.match(e.reason ?? "", /ops\.other/);
  });

  it("reads a trigger instance file or a bare payload", () => {
    assert.deepEqual(
      readTriggerInstance({ trigger: "ops.deploy", payload: { a: 1 }, occurrence_time: "x" }),
      {
        trigger: "ops.deploy",
        payload: { a: 1 },
      },
    );
    assert.deepEqual(readTriggerInstance({ a: 1 }), { payload: { a: 1 } });
  });
});
