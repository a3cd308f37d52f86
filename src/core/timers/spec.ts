/**
 * StackStorm's three timer trigger types: their parameters (checked as st2's parameter schemas
 * do, with `additionalProperties: false`) and when they fire next.
 *
 * Interval timers differ from st2 in one respect, on purpose. APScheduler anchors an interval
 * at the moment the job is added (first fire one interval later), which in st2 means every
 * restart of the timer engine shifts the schedule. Squall schedules durably from several nodes,
 * so the anchor must be the same on every node and after every restart without stored state:
 * occurrences are the multiples of the interval since the Unix epoch (an hourly timer fires at
 * the top of each UTC hour, a 30-second one at :00 and :30). The zone does not move them: like
 * APScheduler, intervals are elapsed time, not wall-clock time.
 */

import { ValidationError } from "../errors.ts";
import { type CronSchedule, compileCron, nextCronTime } from "./cron.ts";
import type { CronFieldName } from "./cron-fields.ts";
import { CRON_FIELDS } from "./cron-fields.ts";
import { parseTimerDate } from "./date-parse.ts";
import { checkTimeZone } from "./zone.ts";

export const INTERVAL_TIMER = "core.st2.IntervalTimer";
export const DATE_TIMER = "core.st2.DateTimer";
export const CRON_TIMER = "core.st2.CronTimer";
export const TIMER_TYPES: readonly string[] = [INTERVAL_TIMER, DATE_TIMER, CRON_TIMER];

export function isTimerType(type: string): boolean {
  return TIMER_TYPES.includes(type);
}

export const INTERVAL_UNITS = ["weeks", "days", "hours", "minutes", "seconds"] as const;
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];
const UNIT_MS: Record<IntervalUnit, number> = {
  weeks: 604_800_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1_000,
};

export type TimerSpec =
  | { kind: "interval"; intervalMs: number; timezone: string }
  | { kind: "date"; runAt: number; timezone: string }
  | { kind: "cron"; schedule: CronSchedule; timezone: string };

export interface ParseTimerOptions {
  /** Zone for timers without a `timezone` parameter (st2 uses the host's zone); default UTC. */
  defaultTimezone?: string;
}

function checkKeys(parameters: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(parameters)) {
    if (!allowed.includes(key)) {
      throw new ValidationError(
        `parameters.${key} is not a parameter of this timer (allowed: ${allowed.join(", ")})`,
        { field: `parameters.${key}` },
      );
    }
  }
}

function zoneOf(parameters: Record<string, unknown>, options: ParseTimerOptions): string {
  const given = parameters.timezone;
  if (given === undefined || given === null) {
    return checkTimeZone(options.defaultTimezone ?? "UTC", "defaultTimezone");
  }
  return checkTimeZone(given, "parameters.timezone");
}

function parseInterval(p: Record<string, unknown>, timezone: string): TimerSpec {
  checkKeys(p, ["unit", "delta", "timezone"]);
  const { unit, delta } = p;
  if (unit === undefined) {
    throw new ValidationError("parameters.unit is required", { field: "parameters.unit" });
  }
  if (typeof unit !== "string" || !(INTERVAL_UNITS as readonly string[]).includes(unit)) {
    throw new ValidationError(`parameters.unit must be one of ${INTERVAL_UNITS.join(", ")}`, {
      field: "parameters.unit",
    });
  }
  if (delta === undefined) {
    throw new ValidationError("parameters.delta is required", { field: "parameters.delta" });
  }
  if (typeof delta !== "number" || !Number.isSafeInteger(delta) || delta < 0) {
    throw new ValidationError("parameters.delta must be a non-negative integer", {
      field: "parameters.delta",
    });
  }
  // APScheduler turns a zero interval into one second.
  const intervalMs = Math.max(delta * UNIT_MS[unit as IntervalUnit], 1_000);
  return { kind: "interval", intervalMs, timezone };
}

function parseDate(p: Record<string, unknown>, timezone: string): TimerSpec {
  checkKeys(p, ["date", "timezone"]);
  if (p.date === undefined) {
    throw new ValidationError("parameters.date is required", { field: "parameters.date" });
  }
  return { kind: "date", runAt: parseTimerDate(p.date, timezone, "parameters.date"), timezone };
}

function parseCron(p: Record<string, unknown>, timezone: string): TimerSpec {
  checkKeys(p, [...CRON_FIELDS, "timezone"]);
  return {
    kind: "cron",
    schedule: compileCron(p as Partial<Record<CronFieldName, unknown>>),
    timezone,
  };
}

/**
 * Checks a timer trigger's parameters and compiles them. Throws ValidationError whose field
 * names the parameter, e.g. `parameters.day_of_week`.
 */
export function parseTimerSpec(
  type: string,
  parameters: unknown,
  options: ParseTimerOptions = {},
): TimerSpec {
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    throw new ValidationError("parameters must be an object", { field: "parameters" });
  }
  const p = parameters as Record<string, unknown>;
  switch (type) {
    case INTERVAL_TIMER:
      return parseInterval(p, zoneOf(p, options));
    case DATE_TIMER:
      return parseDate(p, zoneOf(p, options));
    case CRON_TIMER:
      return parseCron(p, zoneOf(p, options));
    default:
      throw new ValidationError(`${type} is not a timer trigger type`, { field: "type" });
  }
}

/** The first fire time strictly after `after`, or null when the timer never fires again. */
export function nextFireTime(spec: TimerSpec, after: Date): Date | null {
  const t = after.getTime();
  if (!Number.isFinite(t))
    throw new ValidationError("after must be a valid date", { field: "after" });
  switch (spec.kind) {
    case "interval":
      return new Date((Math.floor(t / spec.intervalMs) + 1) * spec.intervalMs);
    case "date":
      return spec.runAt > t ? new Date(spec.runAt) : null;
    case "cron": {
      const next = nextCronTime(spec.schedule, spec.timezone, t);
      return next === null ? null : new Date(next);
    }
  }
}
