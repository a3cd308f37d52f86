import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../errors.ts";
import { CRON_TIMER, nextFireTime, parseTimerSpec } from "./spec.ts";

/** Successive fire times after `after`; null ends the list when the schedule is exhausted. */
function fires(params: Record<string, unknown>, timezone: string, after: string, n: number) {
  const spec = parseTimerSpec(CRON_TIMER, { ...params, timezone });
  const out: Array<string | null> = [];
  let t = new Date(after);
  for (let i = 0; i < n; i++) {
    const next = nextFireTime(spec, t);
    out.push(next ? next.toISOString().replace(".000Z", "Z") : null);
    if (!next) break;
    t = next;
  }
  return out;
}

// Expected values were cross-checked against APScheduler 3.11.2's CronTrigger.
const TABLE: Array<[string, Record<string, unknown>, string, string, Array<string | null>]> = [
  [
    "hour only: minute and second default to 0",
    { hour: 5 },
    "UTC",
    "2026-01-01T06:00:00Z",
    ["2026-01-02T05:00:00Z", "2026-01-03T05:00:00Z", "2026-01-04T05:00:00Z"],
  ],
  [
    "weekdays 09:30 in New York (day_of_week counts from Monday)",
    { day_of_week: "mon-fri", hour: 9, minute: 30 },
    "America/New_York",
    "2026-03-06T15:00:00Z",
    ["2026-03-09T13:30:00Z", "2026-03-10T13:30:00Z", "2026-03-11T13:30:00Z"],
  ],
  [
    "day_of_week 0 is Monday",
    { day_of_week: 0 },
    "UTC",
    "2026-06-03T00:00:00Z",
    ["2026-06-08T00:00:00Z", "2026-06-15T00:00:00Z"],
  ],
  [
    "day_of_week by name, sun",
    { day_of_week: "sun", hour: 12 },
    "UTC",
    "2026-06-03T00:00:00Z",
    ["2026-06-07T12:00:00Z", "2026-06-14T12:00:00Z"],
  ],
  [
    "last day of month, leap February",
    { day: "last" },
    "UTC",
    "2028-01-31T00:00:00Z",
    ["2028-02-29T00:00:00Z", "2028-03-31T00:00:00Z", "2028-04-30T00:00:00Z"],
  ],
  [
    "last friday of the month",
    { day: "last fri", hour: 17 },
    "UTC",
    "2026-01-01T00:00:00Z",
    ["2026-01-30T17:00:00Z", "2026-02-27T17:00:00Z", "2026-03-27T17:00:00Z"],
  ],
  [
    "2nd tuesday",
    { day: "2nd tue" },
    "UTC",
    "2026-01-01T00:00:00Z",
    ["2026-01-13T00:00:00Z", "2026-02-10T00:00:00Z", "2026-03-10T00:00:00Z"],
  ],
  [
    "5th monday skips months without one",
    { day: "5th mon" },
    "UTC",
    "2026-01-01T00:00:00Z",
    ["2026-03-30T00:00:00Z", "2026-06-29T00:00:00Z", "2026-08-31T00:00:00Z"],
  ],
  [
    "ISO week 53 exists only in some years",
    { week: 53, day_of_week: "mon" },
    "UTC",
    "2026-01-01T00:00:00Z",
    ["2026-12-28T00:00:00Z", "2032-12-27T00:00:00Z"],
  ],
  [
    "ISO week 1 can start in December",
    { week: 1, day_of_week: "mon" },
    "UTC",
    "2026-01-06T00:00:00Z",
    ["2027-01-04T00:00:00Z", "2028-01-03T00:00:00Z"],
  ],
  [
    "every 15 minutes",
    { minute: "*/15" },
    "UTC",
    "2026-05-05T10:07:00Z",
    ["2026-05-05T10:15:00Z", "2026-05-05T10:30:00Z", "2026-05-05T10:45:00Z"],
  ],
  [
    "every 20 seconds",
    { second: "*/20" },
    "UTC",
    "2026-05-05T10:07:05Z",
    ["2026-05-05T10:07:20Z", "2026-05-05T10:07:40Z", "2026-05-05T10:08:00Z"],
  ],
  [
    "range with step",
    { hour: "9-17/4" },
    "UTC",
    "2026-05-05T10:00:00Z",
    ["2026-05-05T13:00:00Z", "2026-05-05T17:00:00Z", "2026-05-06T09:00:00Z"],
  ],
  [
    "list",
    { minute: "5,35" },
    "UTC",
    "2026-05-05T10:07:00Z",
    ["2026-05-05T10:35:00Z", "2026-05-05T11:05:00Z", "2026-05-05T11:35:00Z"],
  ],
  [
    "month names and a day",
    { month: "jan,jul", day: 15 },
    "UTC",
    "2026-02-01T00:00:00Z",
    ["2026-07-15T00:00:00Z", "2027-01-15T00:00:00Z"],
  ],
  [
    "unset fields above the last set one stay *",
    { day: 1, minute: 30 },
    "UTC",
    "2026-05-31T23:00:00Z",
    ["2026-06-01T00:30:00Z", "2026-06-01T01:30:00Z", "2026-06-01T02:30:00Z"],
  ],
  [
    "year with step",
    { year: "2027/2", month: 3 },
    "UTC",
    "2026-05-01T00:00:00Z",
    ["2027-03-01T00:00:00Z", "2029-03-01T00:00:00Z"],
  ],
  [
    "no field set fires every second",
    {},
    "UTC",
    "2026-05-05T10:07:05.500Z",
    ["2026-05-05T10:07:06Z", "2026-05-05T10:07:07Z", "2026-05-05T10:07:08Z"],
  ],
  [
    "impossible date never fires",
    { year: 2027, month: 2, day: 29 },
    "UTC",
    "2026-01-01T00:00:00Z",
    [null],
  ],
  [
    "DST gap in New York: 02:30 fires at 03:30 EDT",
    { hour: 2, minute: 30 },
    "America/New_York",
    "2026-03-07T12:00:00Z",
    ["2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"],
  ],
  [
    "DST gap: every 30 minutes jumps from 01:30 EST to 03:00 EDT",
    { minute: "*/30" },
    "America/New_York",
    "2026-03-08T06:20:00Z",
    ["2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z"],
  ],
  [
    "DST overlap in New York: 01:30 fires in EDT and again in EST",
    { hour: 1, minute: 30 },
    "America/New_York",
    "2026-10-31T12:00:00Z",
    ["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T06:30:00Z"],
  ],
  [
    "DST overlap: every 30 minutes walks both 01:xx hours",
    { minute: "*/30" },
    "America/New_York",
    "2026-11-01T04:50:00Z",
    [
      "2026-11-01T05:00:00Z",
      "2026-11-01T05:30:00Z",
      "2026-11-01T06:00:00Z",
      "2026-11-01T06:30:00Z",
      "2026-11-01T07:00:00Z",
      "2026-11-01T07:30:00Z",
    ],
  ],
  [
    "daily 09:00 keeps wall time across the change",
    { hour: 9 },
    "America/New_York",
    "2026-10-30T00:00:00Z",
    [
      "2026-10-30T13:00:00Z",
      "2026-10-31T13:00:00Z",
      "2026-11-01T14:00:00Z",
      "2026-11-02T14:00:00Z",
    ],
  ],
  [
    "DST gap in Berlin",
    { hour: 2, minute: 30 },
    "Europe/Berlin",
    "2026-03-28T12:00:00Z",
    ["2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"],
  ],
  [
    "half-hour zone",
    { hour: 0 },
    "Asia/Kolkata",
    "2026-05-05T00:00:00Z",
    ["2026-05-05T18:30:00Z", "2026-05-06T18:30:00Z"],
  ],
];

describe("CronTimer next fire times (APScheduler semantics)", () => {
  for (const [name, params, zone, after, expected] of TABLE) {
    it(name, () => {
      assert.deepEqual(fires(params, zone, after, expected.length), expected);
    });
  }

  it("is strictly after the given instant, even on a matching second", () => {
    assert.deepEqual(fires({ minute: 0 }, "UTC", "2026-05-05T10:00:00Z", 1), [
      "2026-05-05T11:00:00Z",
    ]);
    assert.deepEqual(fires({ minute: 0 }, "UTC", "2026-05-05T09:59:59.999Z", 1), [
      "2026-05-05T10:00:00Z",
    ]);
  });

  it("gives up on schedules that can never match without walking to year 9999", () => {
    assert.deepEqual(fires({ month: 6, week: 1 }, "America/New_York", "2026-01-01T00:00:00Z", 1), [
      null,
    ]);
  });

  it("accepts integers and case-insensitive names", () => {
    assert.deepEqual(fires({ day_of_week: "SAT-Sun", hour: 8 }, "UTC", "2026-06-01T00:00:00Z", 2), [
      "2026-06-06T08:00:00Z",
      "2026-06-07T08:00:00Z",
    ]);
  });
});

const INVALID: Array<[string, Record<string, unknown>, string]> = [
  ["step of zero", { minute: "*/0" }, "parameters.minute"],
  ["reversed range", { minute: "5-3" }, "parameters.minute"],
  ["step larger than the field", { minute: "*/60" }, "parameters.minute"],
  ["last is only for day", { hour: "last" }, "parameters.hour"],
  ["no 6th weekday", { day: "6th mon" }, "parameters.day"],
  ["weekday names are not days of month", { day: "mon-fri" }, "parameters.day"],
  ["day_of_week above 6 (Sunday)", { day_of_week: 7 }, "parameters.day_of_week"],
  ["weekday range wrapping the week", { day_of_week: "sun-mon" }, "parameters.day_of_week"],
  ["unknown weekday name", { day_of_week: "funday" }, "parameters.day_of_week"],
  ["unknown month name", { month: "foo" }, "parameters.month"],
  ["position needs a weekday name", { day: "last 1" }, "parameters.day"],
  ["week 0", { week: 0 }, "parameters.week"],
  ["year before 1970", { year: 1969 }, "parameters.year"],
  ["fractional number", { second: 1.5 }, "parameters.second"],
  ["boolean", { hour: true }, "parameters.hour"],
  ["trailing garbage after names", { day_of_week: "mon-fri/2" }, "parameters.day_of_week"],
  ["unknown parameter", { minutes: 5 }, "parameters.minutes"],
  ["unknown time zone", { hour: 1, timezone: "Mars/Olympus" }, "parameters.timezone"],
];

describe("CronTimer parameter validation", () => {
  for (const [name, params, field] of INVALID) {
    it(`rejects ${name} naming ${field}`, () => {
      assert.throws(
        () => parseTimerSpec(CRON_TIMER, params),
        (err: unknown) => err instanceof ValidationError && err.location?.field === field,
      );
    });
  }
});
