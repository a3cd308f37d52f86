/**
 * Next fire time of a CronTimer, with APScheduler 3's CronTrigger semantics (the library
 * StackStorm's timer engine uses; st2 pins 3.11.0).
 *
 * Why not `croner` or another cron package: they number weekdays from Sunday = 0, have no ISO
 * `week` field, no `<nth> <weekday>` day expressions, and fill unset fields differently. Rules
 * written for StackStorm must fire at the same instants, so this follows APScheduler's model:
 *
 * - Unset fields: those after the least significant field that is set take their minimum
 *   (`DEFAULTS`); unset fields before it are `*`. So `{hour: 5}` fires at 05:00:00 daily and
 *   `{day: 1, minute: 30}` at every hh:30:00 on the first of the month.
 * - The search walks the fields from year to second on the wall clock of the timer's zone.
 *   A field with no allowed value left carries into the next more significant field, which is
 *   incremented by elapsed time (the difference of the wall clocks, added to the instant);
 *   a field whose next allowed value is higher is set on the wall clock directly. `week` and
 *   `day_of_week` are not set but move the day on by one.
 * - DST, which falls out of that walk (see zone.ts for the fold rule): a wall time that is set
 *   into a spring-forward gap fires the gap's length later (02:30 → 03:30 EDT), once; a wall
 *   time in the repeated autumn hour fires at both of its occurrences (a daily 01:30 timer
 *   fires at 01:30 EDT and again at 01:30 EST on that day), because each occurrence shows a
 *   matching wall clock. This is the behaviour of APScheduler 3.11.2; 3.11.0, which st2 pins,
 *   has a bug that keeps returning the second occurrence forever.
 */

import { lastDayOfMonth, weekday } from "./calendar.ts";
import {
  CRON_FIELDS,
  type CronField,
  type CronFieldName,
  compileField,
  DEFAULTS,
  DERIVED,
  fieldMax,
  fieldValue,
  MIN,
} from "./cron-fields.ts";
import { fromInstant, naiveMs, toInstant, type Wall } from "./zone.ts";

export interface CronSchedule {
  /** The eight fields in order of significance, defaults applied. */
  fields: readonly CronField[];
}

/** Builds a schedule from the CronTimer parameters (timezone excluded). */
export function compileCron(parameters: Partial<Record<CronFieldName, unknown>>): CronSchedule {
  const given = CRON_FIELDS.filter(
    (name) => parameters[name] !== undefined && parameters[name] !== null,
  );
  const lastGiven =
    given.length === 0 ? -1 : CRON_FIELDS.indexOf(given[given.length - 1] as CronFieldName);
  const fields = CRON_FIELDS.map((name, i) => {
    const value = parameters[name];
    if (value !== undefined && value !== null) return compileField(name, value);
    return compileField(name, i > lastGiven && lastGiven >= 0 ? DEFAULTS[name] : "*");
  });
  return { fields };
}

/** Sets field `index` on the wall clock, keeping more significant fields and zeroing the rest. */
function setField(fields: readonly CronField[], w: Wall, index: number, value: number): Wall {
  const out: Wall = { ...w };
  fields.forEach((f, i) => {
    if (DERIVED.has(f.name) || i < index) return;
    const name = f.name as Exclude<CronFieldName, "week" | "day_of_week">;
    out[name] = i === index ? value : MIN[name];
  });
  return out;
}

/**
 * Increments the nearest real field at or above `index` that is below its maximum (carrying
 * past fields at their maximum), resetting less significant fields. The step is applied as
 * elapsed time from the current instant. Returns null past year 9999.
 */
function carry(
  fields: readonly CronField[],
  zone: string,
  w: Wall,
  index: number,
): { wall: Wall; index: number } | null {
  let i = index;
  while (i >= 0) {
    const f = fields[i] as CronField;
    if (!DERIVED.has(f.name) && fieldValue(f.name, w) < fieldMax(f.name, w)) break;
    i--;
  }
  if (i < 0) return null;
  const f = fields[i] as CronField;
  const target = setField(fields, w, i, fieldValue(f.name, w) + 1);
  const instant = toInstant(zone, w) + (naiveMs(target) - naiveMs(w));
  return { wall: fromInstant(zone, instant), index: i };
}

/** A backstop only; the year-type check below ends hopeless searches long before. */
const MAX_STEPS = 200_000;

/**
 * Years with the same weekday on 1 January and the same leap-ness (and the previous year's,
 * which decides the ISO week of early January) have identical calendars. Once a whole year of
 * some type was walked without a match, later years of that type are skipped, and once every
 * type has been walked in vain the schedule can never fire.
 */
function yearType(year: number): string {
  const leap = (y: number) => lastDayOfMonth(y, 2) === 29;
  return `${weekday(year, 1, 1)}:${leap(year)}:${leap(year - 1)}`;
}

/** How many calendar types the 400-year Gregorian cycle holds. */
const YEAR_TYPES = new Set(Array.from({ length: 400 }, (_, k) => yearType(2000 + k))).size;

/** The first fire time strictly after `after` (ms), or null when the schedule never fires again. */
export function nextCronTime(schedule: CronSchedule, zone: string, after: number): number | null {
  const { fields } = schedule;
  // Fire times are whole seconds: start at the first whole second after `after`.
  const start = Math.floor(after / 1000) * 1000 + 1000;
  let w = fromInstant(zone, start);
  let i = 0;
  const barren = new Set<string>();
  let year = w.year;
  let wholeYear = false;
  for (let steps = 0; i >= 0 && i < fields.length; steps++) {
    if (steps > MAX_STEPS) return null;
    if (i === 1 && w.year !== year) {
      // The year field accepted a new year, so the rest of `year` held no match.
      if (wholeYear) barren.add(yearType(year));
      if (barren.size >= YEAR_TYPES) return null;
      year = w.year;
      wholeYear = !barren.has(yearType(year));
      if (!wholeYear) {
        const skipped = carry(fields, zone, w, 0);
        if (!skipped) return null;
        w = skipped.wall;
        i = 0;
        continue;
      }
    }
    const f = fields[i] as CronField;
    const current = fieldValue(f.name, w);
    const next = f.next(w);
    if (next === null || (next > current && DERIVED.has(f.name))) {
      const moved = carry(fields, zone, w, next === null ? i - 1 : i);
      if (!moved) return null;
      w = moved.wall;
      i = moved.index;
    } else if (next > current) {
      w = setField(fields, w, i, next);
      i++;
    } else {
      i++;
    }
  }
  return i < 0 ? null : toInstant(zone, w);
}
