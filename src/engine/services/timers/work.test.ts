import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseTimerSpec } from "../../../core/timers/index.ts";
import { planFire } from "../timers.ts";
import { canonicalJson, fireWork, readFireJob, TIMER_FIRE } from "./work.ts";

describe("timer fire jobs", () => {
  it("compares parameters regardless of key order", () => {
    assert.equal(
      canonicalJson({ unit: "seconds", delta: 5, nested: { b: 1, a: [2, { d: 1, c: 0 }] } }),
      canonicalJson({ nested: { a: [2, { c: 0, d: 1 }], b: 1 }, delta: 5, unit: "seconds" }),
    );
    assert.notEqual(canonicalJson({ delta: 5 }), canonicalJson({ delta: 6 }));
  });

  it("keys a job by trigger and fire time and reads it back", () => {
    const fireAt = Date.parse("2026-03-08T07:30:00Z");
    const item = fireWork({ trigger: "core.abc", fireAt, params: "{}" });
    assert.deepEqual(item, {
      kind: TIMER_FIRE,
      payload: { trigger: "core.abc", fire_at: "2026-03-08T07:30:00.000Z", params: "{}" },
      key: "timer:core.abc:2026-03-08T07:30:00.000Z",
      runAt: fireAt,
    });
    assert.deepEqual(readFireJob(item.payload), { trigger: "core.abc", fireAt, params: "{}" });
    assert.equal(readFireJob({ trigger: "core.abc", fire_at: "soon", params: "{}" }), null);
    assert.equal(readFireJob({ fire_at: "2026-03-08T07:30:00Z" }), null);
  });
});

describe("planFire (APScheduler misfire_grace_time 1 s, coalesce)", () => {
  const every30s = parseTimerSpec("core.st2.IntervalTimer", { unit: "seconds", delta: 30 });
  const at = (s: string) => Date.parse(s);
  const cases: Array<[string, string, string, string | null, string]> = [
    ["on time", "00:00:30", "00:00:30", "00:00:30", "00:01:00"],
    ["late within the grace", "00:00:30", "00:00:31", "00:00:30", "00:01:00"],
    ["late beyond the grace", "00:00:30", "00:00:45", null, "00:01:00"],
    [
      "missed several, the last within the grace",
      "00:00:30",
      "00:05:00.900",
      "00:05:00",
      "00:05:30",
    ],
    ["missed several, none within the grace", "00:00:30", "00:05:02", null, "00:05:30"],
  ];
  for (const [name, fireAt, now, fireFor, next] of cases) {
    it(name, () => {
      const day = "2026-05-01T";
      const plan = planFire(every30s, at(`${day}${fireAt}Z`), at(`${day}${now}Z`), 1_000);
      assert.deepEqual(plan, {
        fireFor: fireFor === null ? null : at(`${day}${fireFor}Z`),
        next: at(`${day}${next}Z`),
      });
    });
  }

  it("trusts the job's time in a DST gap", () => {
    const spec = parseTimerSpec("core.st2.CronTimer", {
      hour: 2,
      minute: 30,
      timezone: "America/New_York",
    });
    const fireAt = at("2026-03-08T07:30:00Z");
    assert.deepEqual(planFire(spec, fireAt, fireAt + 200, 1_000), {
      fireFor: fireAt,
      next: at("2026-03-09T06:30:00Z"),
    });
  });
});
