/**
 * The `date` parameter of a DateTimer. StackStorm parses it with dateutil, which reads almost
 * anything; we accept the ISO-8601 shapes its docs and packs use (`2014-12-31 23:59:59`,
 * `2014-12-31T23:59:59.5Z`, `2026-03-08T02:30:00-05:00`, `2026-03-08`) and reject the rest
 * with a clear error rather than guess. A date without an offset is wall time in the timer's
 * zone (fold 0, as APScheduler localizes it).
 */

import { ValidationError } from "../errors.ts";
import { lastDayOfMonth } from "./calendar.ts";
import { naiveMs, toInstant } from "./zone.ts";

const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Parses `value` to ms since the epoch; throws ValidationError naming `field`. */
export function parseTimerDate(value: unknown, zone: string, field: string): number {
  if (typeof value !== "string") {
    throw new ValidationError(`${field} must be a date-time string such as "2026-12-31 23:59:59"`, {
      field,
    });
  }
  const m = DATE_RE.exec(value.trim());
  if (!m) {
    throw new ValidationError(
      `${field}: "${value}" is not an ISO-8601 date-time (e.g. "2026-12-31 23:59:59" or "2026-12-31T23:59:59Z")`,
      { field },
    );
  }
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) =>
    Number(m[i] ?? 0),
  ) as [number, number, number, number, number, number];
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > lastDayOfMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new ValidationError(`${field}: "${value}" is not a valid calendar date and time`, {
      field,
    });
  }
  const fractionMs = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const wall = { year, month, day, hour, minute, second, fold: 0 as const };
  const offset = m[8]?.toUpperCase();
  if (offset === undefined) return toInstant(zone, wall) + fractionMs;
  if (offset === "Z" || offset === "UTC" || offset === "GMT") return naiveMs(wall) + fractionMs;
  const sign = offset.startsWith("-") ? -1 : 1;
  const digits = offset.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || "0");
  if (hours > 23 || minutes > 59) {
    throw new ValidationError(`${field}: "${value}" has an invalid UTC offset`, { field });
  }
  return naiveMs(wall) - sign * (hours * 60 + minutes) * 60_000 + fractionMs;
}
