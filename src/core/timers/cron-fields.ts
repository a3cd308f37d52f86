/**
 * The eight fields of a CronTimer and the expressions each accepts, with APScheduler 3's
 * meaning: `*`, `*∕n`, `a`, `a-b`, `a-b∕n`, `a∕n` (from a to the maximum), lists `x,y`; month
 * and weekday names (`jan`, `mon-fri`); and for `day` also `last` and `<1st…5th|last> <weekday>`.
 * Weekdays count from Monday = 0 (Python's `weekday()`), and `week` is the ISO week number.
 *
 * Deliberately stricter than APScheduler in one way: its name and `last` patterns match only a
 * prefix (so `mon-fri/2` silently means `mon-fri`); here the whole expression must match.
 */

import { ValidationError } from "../errors.ts";
import { isoWeek, lastDayOfMonth, weekday } from "./calendar.ts";
import type { Wall } from "./zone.ts";

export const CRON_FIELDS = [
  "year",
  "month",
  "day",
  "week",
  "day_of_week",
  "hour",
  "minute",
  "second",
] as const;
export type CronFieldName = (typeof CRON_FIELDS)[number];

export const MIN: Record<CronFieldName, number> = {
  year: 1970,
  month: 1,
  day: 1,
  week: 1,
  day_of_week: 0,
  hour: 0,
  minute: 0,
  second: 0,
};
const MAX: Record<CronFieldName, number> = {
  year: 9999,
  month: 12,
  day: 31,
  week: 53,
  day_of_week: 6,
  hour: 23,
  minute: 59,
  second: 59,
};
/** What an unset field below the least significant set field becomes. */
export const DEFAULTS: Record<CronFieldName, string> = {
  year: "*",
  month: "1",
  day: "1",
  week: "*",
  day_of_week: "*",
  hour: "0",
  minute: "0",
  second: "0",
};
/** Fields that are not datetime components: a mismatch moves the day on rather than being set. */
export const DERIVED: ReadonlySet<CronFieldName> = new Set(["week", "day_of_week"]);

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const POSITIONS = ["1st", "2nd", "3rd", "4th", "5th", "last"];

export function fieldValue(name: CronFieldName, w: Wall): number {
  switch (name) {
    case "week":
      return isoWeek(w.year, w.month, w.day);
    case "day_of_week":
      return weekday(w.year, w.month, w.day);
    default:
      return w[name];
  }
}

export function fieldMax(name: CronFieldName, w: Wall): number {
  return name === "day" ? lastDayOfMonth(w.year, w.month) : MAX[name];
}

/** One comma-separated part of a field: the smallest allowed value ≥ the wall's, or null. */
type Expression = (w: Wall) => number | null;

/** Values first..last (last null = up to the field's maximum) stepping by `step` from first. */
function range(name: CronFieldName, first: number, last: number | null, step: number): Expression {
  return (w) => {
    const lo = Math.max(MIN[name], first);
    const hi = last === null ? fieldMax(name, w) : Math.min(fieldMax(name, w), last);
    let v = Math.max(lo, fieldValue(name, w));
    if (step > 1) v += (((step - (v - lo)) % step) + step) % step;
    return v <= hi ? v : null;
  };
}

function nthWeekday(position: number, day: number): Expression {
  return (w) => {
    const last = lastDayOfMonth(w.year, w.month);
    let first = day - weekday(w.year, w.month, 1) + 1;
    if (first <= 0) first += 7;
    const target = position < 5 ? first + position * 7 : first + Math.floor((last - first) / 7) * 7;
    return target <= last && target >= w.day ? target : null;
  };
}

class ExprError extends Error {}

function nameIndex(names: readonly string[], text: string, what: string): number {
  const i = names.indexOf(text.toLowerCase());
  if (i < 0) throw new ExprError(`invalid ${what} name "${text}"`);
  return i;
}

function checkedRange(
  name: CronFieldName,
  first: number,
  last: number | null,
  step: number | null,
): Expression {
  if (step === 0) throw new ExprError("the step must be higher than 0");
  if (last !== null && first > last) {
    throw new ExprError("the first value of a range must not be higher than the last");
  }
  if (first < MIN[name]) throw new ExprError(`${first} is lower than the minimum ${MIN[name]}`);
  if (last !== null && last > MAX[name]) {
    throw new ExprError(`${last} is higher than the maximum ${MAX[name]}`);
  }
  const span = (last ?? MAX[name]) - first;
  if (step !== null && step > span) {
    throw new ExprError(`the step ${step} is higher than the range of the expression (${span})`);
  }
  return range(name, first, last, step ?? 1);
}

const ALL_RE = /^\*(?:\/(\d+))?$/;
const RANGE_RE = /^(\d+)(?:-(\d+))?(?:\/(\d+))?$/;
const NAMES_RE = /^([a-z]+)(?:-([a-z]+))?$/i;
const POSITION_RE = /^(1st|2nd|3rd|4th|5th|last) +(\w+)$/i;

function compileOne(name: CronFieldName, text: string): Expression {
  let m = ALL_RE.exec(text);
  if (m) {
    const step = m[1] === undefined ? null : Number(m[1]);
    if (step === 0) throw new ExprError("the step must be higher than 0");
    const span = MAX[name] - MIN[name];
    if (step !== null && step > span) {
      throw new ExprError(`the step ${step} is higher than the range of the field (${span})`);
    }
    return range(name, MIN[name], null, step ?? 1);
  }
  m = RANGE_RE.exec(text);
  if (m) {
    const first = Number(m[1]);
    const last = m[2] !== undefined ? Number(m[2]) : m[3] === undefined ? first : null;
    return checkedRange(name, first, last, m[3] === undefined ? null : Number(m[3]));
  }
  if (name === "day") {
    m = POSITION_RE.exec(text);
    if (m) {
      const position = POSITIONS.indexOf((m[1] ?? "").toLowerCase());
      return nthWeekday(position, nameIndex(WEEKDAYS, m[2] ?? "", "weekday"));
    }
    if (text.toLowerCase() === "last") return (w) => lastDayOfMonth(w.year, w.month);
  }
  if (name === "month" || name === "day_of_week") {
    m = NAMES_RE.exec(text);
    if (m) {
      const names = name === "month" ? MONTHS : WEEKDAYS;
      const what = name === "month" ? "month" : "weekday";
      const base = name === "month" ? 1 : 0;
      const first = nameIndex(names, m[1] ?? "", what) + base;
      const last = m[2] === undefined ? first : nameIndex(names, m[2], what) + base;
      return checkedRange(name, first, last, null);
    }
  }
  throw new ExprError(`unrecognized expression "${text}"`);
}

export interface CronField {
  name: CronFieldName;
  /** The expression as written (or the default that applied). */
  source: string;
  /** Smallest allowed value ≥ the wall's current value of this field, or null. */
  next(w: Wall): number | null;
}

/** Compiles a field's value; throws ValidationError naming `parameters.<field>`. */
export function compileField(name: CronFieldName, value: unknown): CronField {
  const field = `parameters.${name}`;
  if (typeof value === "number" && !Number.isInteger(value)) {
    throw new ValidationError(`${field} must be an integer or a string, got ${value}`, { field });
  }
  if (typeof value !== "number" && typeof value !== "string") {
    throw new ValidationError(`${field} must be an integer or a string`, { field });
  }
  const source = String(value).trim();
  let expressions: Expression[];
  try {
    expressions = source.split(/ *, */).map((part) => compileOne(name, part));
  } catch (err) {
    if (!(err instanceof ExprError)) throw err;
    throw new ValidationError(`${field}: ${err.message} in "${source}"`, { field });
  }
  return {
    name,
    source,
    next(w) {
      let best: number | null = null;
      for (const e of expressions) {
        const v = e(w);
        if (v !== null && (best === null || v < best)) best = v;
      }
      return best;
    },
  };
}
