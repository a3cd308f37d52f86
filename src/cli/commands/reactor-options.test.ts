/** The pure option handling of the reactor commands (rule, trigger-instance, timer, -n). */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../core/errors.ts";
import { parseLast } from "./recent-list.ts";
import { type RuleView, ruleListQuery, toggledRule } from "./rule.ts";
import { timerTypeOf } from "./timer.ts";
import { instanceListQuery } from "./trigger.ts";

describe("rule list options", () => {
  const cases: Array<
    [string, Parameters<typeof ruleListQuery>[0], Record<string, string | undefined>]
  > = [
    ["nothing", {}, { pack: undefined, enabled: undefined, trigger_type: undefined }],
    ["--enabled", { enabled: true }, { pack: undefined, enabled: "true", trigger_type: undefined }],
    [
      "--disabled and --pack",
      { disabled: true, pack: "p" },
      { pack: "p", enabled: "false", trigger_type: undefined },
    ],
    [
      "-g",
      { triggerType: "core.st2.webhook" },
      { pack: undefined, enabled: undefined, trigger_type: "core.st2.webhook" },
    ],
  ];
  for (const [what, options, query] of cases)
    it(`maps ${what}`, () => assert.deepEqual(ruleListQuery(options), query));

  it("refuses --enabled with --disabled", () => {
    assert.throws(() => ruleListQuery({ enabled: true, disabled: true }), ValidationError);
  });
});

describe("toggledRule", () => {
  it("sends the rule back as read, with only `enabled` changed", () => {
    const rule = {
      id: "p.r",
      ref: "p.r",
      uid: "rule:p:r",
      name: "r",
      pack: "p",
      enabled: true,
      type: { ref: "standard" },
      trigger: { type: "p.t", parameters: {}, ref: "p.t" },
      criteria: {},
      action: { ref: "core.noop", parameters: { secret: "********" } },
      metadata_file: "rules/r.yaml",
    } as RuleView;
    assert.deepEqual(toggledRule(rule, false), { ...rule, enabled: false });
    assert.equal(rule.enabled, true, "the input is not modified");
  });
});

describe("trigger-instance list options", () => {
  it("maps the flags to st2's query names", () => {
    assert.deepEqual(
      instanceListQuery({
        last: "5",
        trigger: "core.st2.webhook",
        status: "processed",
        timestampGt: "2024-01-01T00:00:00Z",
      }),
      {
        trigger: "core.st2.webhook",
        status: "processed",
        timestamp_gt: "2024-01-01T00:00:00Z",
        timestamp_lt: undefined,
      },
    );
  });
  const bad: Array<[string, Parameters<typeof instanceListQuery>[0], string]> = [
    ["an unknown status", { last: "1", status: "done" }, "--status"],
    ["a time that is not a time", { last: "1", timestampLt: "yesterday-ish" }, "--timestamp-lt"],
  ];
  for (const [what, options, field] of bad)
    it(`refuses ${what}`, () =>
      assert.throws(
        () => instanceListQuery(options),
        (e: unknown) => e instanceof ValidationError && e.location?.field === field,
      ));
});

describe("timer types and -n", () => {
  const types: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined],
    ["core.st2.CronTimer", "core.st2.CronTimer"],
    ["IntervalTimer", "core.st2.IntervalTimer"],
    ["DateTimer", "core.st2.DateTimer"],
  ];
  for (const [raw, ref] of types)
    it(`reads --timer-type ${raw}`, () => assert.equal(timerTypeOf(raw), ref));
  it("refuses a type that is not a timer", () => {
    assert.throws(() => timerTypeOf("core.st2.webhook"), ValidationError);
  });

  const counts: Array<[string, number | null]> = [
    ["50", 50],
    [" 7 ", 7],
    ["0", 0],
    ["-1", null],
    ["ten", null],
    ["1.5", null],
  ];
  for (const [raw, n] of counts)
    it(`reads -n "${raw}"`, () => {
      if (n === null) assert.throws(() => parseLast(raw), ValidationError);
      else assert.equal(parseLast(raw), n);
    });
});
