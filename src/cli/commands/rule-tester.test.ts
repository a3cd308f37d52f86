import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../core/errors.ts";
import { MinimalJinja } from "../../core/expr/minimal.ts";
import { loadRuleFile, loadTriggerInstanceFile, runRuleTest } from "./rule-tester.ts";

const RULE = `---
name: high_temp
pack: sensors
description: Alert on high temperature
enabled: false
trigger:
  type: sensors.reading
criteria:
  trigger.kind:
    type: equals
    pattern: temperature
  trigger.value:
    type: greaterthan
    pattern: "{{ trigger.limit }}"
action:
  ref: core.local
  parameters:
    cmd: echo {{ trigger.value }}
`;

const engine = new MinimalJinja();
const now = () => Date.UTC(2024, 0, 1);

function test(instanceText: string, rule = RULE) {
  return runRuleTest({
    rule: { text: rule, file: "rules/high_temp.yaml" },
    instance: { text: instanceText, file: "instance.json" },
    engine,
    now,
  });
}

describe("runRuleTest (st2-rule-tester)", () => {
  const cases: Array<[string, string, boolean, string | undefined]> = [
    [
      "a StackStorm trigger instance that matches",
      JSON.stringify({
        id: "5f0000000000000000000001",
        trigger: "sensors.reading",
        occurrence_time: "2024-01-01T00:00:00.000Z",
        status: "processed",
        payload: { kind: "temperature", value: 41, limit: 40 },
      }),
      true,
      undefined,
    ],
    [
      "a YAML {trigger, payload} below the templated limit",
      "trigger: sensors.reading\npayload:\n  kind: temperature\n  value: 39\n  limit: 40\n",
      false,
      "trigger.value",
    ],
    [
      "a bare payload failing the first criterion",
      '{"kind": "humidity", "value": 99, "limit": 40}',
      false,
      "trigger.kind",
    ],
  ];
  for (const [what, text, matched, failedKey] of cases) {
    it(what, () => {
      const result = test(text);
      assert.equal(result.matched, matched);
      assert.equal(result.rule, "sensors.high_temp");
      assert.equal(result.failed?.key, failedKey);
    });
  }

  it("does not match an instance of another trigger, and says why", () => {
    const result = test('{"trigger": "sensors.other", "payload": {"kind": "temperature"}}');
    assert.equal(result.matched, false);
    assert.match(result.reason ?? "", /sensors\.other.*sensors\.reading/);
  });

  it("reads a JSON rule file and assumes pack `unknown` when it names none", () => {
    const rule = loadRuleFile(
      JSON.stringify({
        name: "r",
        trigger: { type: "core.st2.webhook" },
        action: { ref: "core.noop" },
      }),
      "r.json",
    );
    assert.equal(rule.ref, "unknown.r");
  });
});

describe("rule and trigger-instance file errors", () => {
  const bad: Array<[string, () => unknown, { field?: string; line?: number }, RegExp]> = [
    [
      "an unknown operator, with its line",
      () => loadRuleFile(RULE.replace("type: greaterthan", "type: above"), "rules/high_temp.yaml"),
      { field: "criteria.trigger.value.type", line: 13 },
      /^rules\/high_temp\.yaml:13: criteria\.trigger\.value\.type "above"/,
    ],
    [
      "a missing action",
      () => loadRuleFile(RULE.replace(/action:[\s\S]*$/, ""), "rules/high_temp.yaml"),
      { field: undefined },
      /action/,
    ],
    [
      "several problems at once",
      () => loadRuleFile("name: x\ntrigger: {}\naction: {ref: 1}\n", "x.yaml"),
      {},
      /the rule file is invalid:\n {2}x\.yaml:\d+: .*\n {2}x\.yaml:\d+: /,
    ],
    [
      "YAML that does not parse",
      () => loadRuleFile("name: x\ntrigger: [unclosed\n", "x.yaml"),
      {},
      /^x\.yaml:\d+: the rule file is not valid YAML or JSON/,
    ],
    [
      "a payload that is a list",
      () => loadTriggerInstanceFile("[1, 2]", "i.yaml"),
      { field: "payload" },
      /i\.yaml: the payload must be a mapping/,
    ],
    [
      "an instance whose payload is a string",
      () => loadTriggerInstanceFile('{"trigger": "a.b", "payload": "x"}', "i.json"),
      { field: "payload" },
      /payload must be a mapping/,
    ],
  ];
  for (const [what, run, location, message] of bad) {
    it(`reports ${what}`, () => {
      assert.throws(run, (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.match(err.message, message);
        for (const [k, v] of Object.entries(location))
          if (v !== undefined) assert.equal(err.location?.[k as "field" | "line"], v, k);
        return true;
      });
    });
  }
});
