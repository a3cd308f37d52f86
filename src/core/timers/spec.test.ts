import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../errors.ts";
import { pythonUtcString, timerPayload, timerTraceTag } from "./payload.ts";
import {
  DATE_TIMER,
  INTERVAL_TIMER,
  isTimerType,
  nextFireTime,
  parseTimerSpec,
  TIMER_TYPES,
} from "./spec.ts";
import { fromInstant, toInstant } from "./zone.ts";

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const at = (s: string) => new Date(s);

describe("IntervalTimer", () => {
  it("fires on multiples of the interval since the epoch, strictly after `after`", () => {
    const spec = parseTimerSpec(INTERVAL_TIMER, { unit: "seconds", delta: 30 });
    assert.equal(iso(nextFireTime(spec, at("2026-05-05T12:00:10Z"))), "2026-05-05T12:00:30.000Z");
    assert.equal(iso(nextFireTime(spec, at("2026-05-05T12:00:30Z"))), "2026-05-05T12:01:00.000Z");
  });

  const units: Array<[string, number, string, string]> = [
    ["weeks", 1, "2026-05-05T12:00:00Z", "2026-05-07T00:00:00.000Z"],
    ["days", 2, "2026-05-05T12:00:00Z", "2026-05-07T00:00:00.000Z"],
    ["hours", 1, "2026-05-05T12:00:00.001Z", "2026-05-05T13:00:00.000Z"],
    ["minutes", 5, "2026-05-05T12:03:00Z", "2026-05-05T12:05:00.000Z"],
    ["seconds", 0, "2026-05-05T12:03:00.200Z", "2026-05-05T12:03:01.000Z"],
  ];
  for (const [unit, delta, after, expected] of units) {
    it(`unit ${unit}, delta ${delta}`, () => {
      const spec = parseTimerSpec(INTERVAL_TIMER, { unit, delta });
      assert.equal(iso(nextFireTime(spec, at(after))), expected);
    });
  }

  it("is elapsed time: the zone does not move the occurrences", () => {
    const utc = parseTimerSpec(INTERVAL_TIMER, { unit: "hours", delta: 1 });
    const ny = parseTimerSpec(INTERVAL_TIMER, {
      unit: "hours",
      delta: 1,
      timezone: "America/New_York",
    });
    const after = at("2026-03-08T06:30:00Z");
    assert.equal(iso(nextFireTime(ny, after)), iso(nextFireTime(utc, after)));
  });

  const invalid: Array<[unknown, string]> = [
    [{ delta: 5 }, "parameters.unit"],
    [{ unit: "months", delta: 1 }, "parameters.unit"],
    [{ unit: "seconds" }, "parameters.delta"],
    [{ unit: "seconds", delta: -1 }, "parameters.delta"],
    [{ unit: "seconds", delta: "5" }, "parameters.delta"],
    [{ unit: "seconds", delta: 1.5 }, "parameters.delta"],
    [{ unit: "seconds", delta: 5, every: 1 }, "parameters.every"],
    [{ unit: "seconds", delta: 5, timezone: 7 }, "parameters.timezone"],
    [[], "parameters"],
  ];
  for (const [params, field] of invalid) {
    it(`rejects ${JSON.stringify(params)} naming ${field}`, () => {
      assert.throws(
        () => parseTimerSpec(INTERVAL_TIMER, params),
        (err: unknown) => err instanceof ValidationError && err.location?.field === field,
      );
    });
  }
});

describe("DateTimer", () => {
  const cases: Array<[string, string, string | undefined, string]> = [
    [
      "naive wall time in UTC by default",
      "2026-12-31 23:59:59",
      undefined,
      "2026-12-31T23:59:59.000Z",
    ],
    [
      "naive wall time in the timer's zone",
      "2026-07-01 09:00:00",
      "Europe/Berlin",
      "2026-07-01T07:00:00.000Z",
    ],
    [
      "explicit offset wins over the zone",
      "2026-07-01T09:00:00+02:00",
      "America/New_York",
      "2026-07-01T07:00:00.000Z",
    ],
    ["Z suffix and fraction", "2026-07-01T09:00:00.25Z", "Asia/Tokyo", "2026-07-01T09:00:00.250Z"],
    ["date only means midnight", "2026-07-01", "UTC", "2026-07-01T00:00:00.000Z"],
    [
      "a wall time in the spring gap moves forward by the gap",
      "2026-03-08 02:30:00",
      "America/New_York",
      "2026-03-08T07:30:00.000Z",
    ],
    [
      "an ambiguous wall time means its first occurrence",
      "2026-11-01 01:30:00",
      "America/New_York",
      "2026-11-01T05:30:00.000Z",
    ],
  ];
  for (const [name, date, timezone, expected] of cases) {
    it(name, () => {
      const spec = parseTimerSpec(DATE_TIMER, timezone ? { date, timezone } : { date });
      assert.equal(iso(nextFireTime(spec, at("2026-01-01T00:00:00Z"))), expected);
    });
  }

  it("fires once: nothing after its date", () => {
    const spec = parseTimerSpec(DATE_TIMER, { date: "2026-07-01 09:00:00" });
    assert.equal(nextFireTime(spec, at("2026-07-01T09:00:00Z")), null);
    assert.equal(nextFireTime(spec, at("2027-01-01T00:00:00Z")), null);
  });

  const invalid: Array<[unknown, string]> = [
    [{}, "parameters.date"],
    [{ date: "tomorrow at noon" }, "parameters.date"],
    [{ date: "2026-02-30 10:00:00" }, "parameters.date"],
    [{ date: "2026-01-01 24:00:00" }, "parameters.date"],
    [{ date: 1767225600 }, "parameters.date"],
    [{ date: "2026-01-01", unit: "days" }, "parameters.unit"],
    [{ date: "2026-01-01", timezone: "Nowhere/Town" }, "parameters.timezone"],
  ];
  for (const [params, field] of invalid) {
    it(`rejects ${JSON.stringify(params)} naming ${field}`, () => {
      assert.throws(
        () => parseTimerSpec(DATE_TIMER, params),
        (err: unknown) => err instanceof ValidationError && err.location?.field === field,
      );
    });
  }
});

describe("timer types and options", () => {
  it("knows the three st2 timer types", () => {
    assert.deepEqual(TIMER_TYPES, [
      "core.st2.IntervalTimer",
      "core.st2.DateTimer",
      "core.st2.CronTimer",
    ]);
    assert.equal(isTimerType("core.st2.webhook"), false);
    assert.throws(
      () => parseTimerSpec("core.st2.webhook", {}),
      (err: unknown) => err instanceof ValidationError && err.location?.field === "type",
    );
  });

  it("uses defaultTimezone for timers without one", () => {
    const spec = parseTimerSpec(
      DATE_TIMER,
      { date: "2026-07-01 09:00:00" },
      { defaultTimezone: "Asia/Tokyo" },
    );
    assert.equal(iso(nextFireTime(spec, at("2026-01-01T00:00:00Z"))), "2026-07-01T00:00:00.000Z");
  });
});

describe("zone fold rule", () => {
  const ny = "America/New_York";
  it("reads the repeated hour with fold 0 then fold 1", () => {
    assert.deepEqual(fromInstant(ny, Date.parse("2026-11-01T05:30:00Z")), {
      year: 2026,
      month: 11,
      day: 1,
      hour: 1,
      minute: 30,
      second: 0,
      fold: 0,
    });
    assert.equal(fromInstant(ny, Date.parse("2026-11-01T06:30:00Z")).fold, 1);
    const wall = { year: 2026, month: 11, day: 1, hour: 1, minute: 30, second: 0 };
    assert.equal(toInstant(ny, { ...wall, fold: 0 }), Date.parse("2026-11-01T05:30:00Z"));
    assert.equal(toInstant(ny, { ...wall, fold: 1 }), Date.parse("2026-11-01T06:30:00Z"));
  });

  it("maps a skipped wall time by the offset before (fold 0) or after (fold 1) the gap", () => {
    const wall = { year: 2026, month: 3, day: 8, hour: 2, minute: 30, second: 0 };
    assert.equal(toInstant(ny, { ...wall, fold: 0 }), Date.parse("2026-03-08T07:30:00Z"));
    assert.equal(toInstant(ny, { ...wall, fold: 1 }), Date.parse("2026-03-08T06:30:00Z"));
  });
});

describe("timer payload and trace tag", () => {
  it("prints executed_at as Python prints an aware UTC datetime", () => {
    assert.equal(pythonUtcString(Date.parse("2026-03-08T07:30:00Z")), "2026-03-08 07:30:00+00:00");
    assert.equal(
      pythonUtcString(Date.parse("2026-03-08T07:30:00.25Z")),
      "2026-03-08 07:30:00.250000+00:00",
    );
    assert.deepEqual(
      timerPayload(
        { parameters: { unit: "seconds", delta: 5 } },
        Date.parse("2026-03-08T07:30:00.007Z"),
      ),
      {
        executed_at: "2026-03-08 07:30:00.007000+00:00",
        schedule: null,
      },
    );
  });

  it("tags traces with the type's name and the trigger's name", () => {
    assert.equal(timerTraceTag({ type: "core.st2.CronTimer", name: "4f2c" }), "st2.CronTimer-4f2c");
  });
});
