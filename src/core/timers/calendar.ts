/** Proleptic Gregorian calendar helpers with Python's conventions (Monday = 0, ISO weeks). */

const DAY_MS = 86_400_000;

function dayNumber(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.floor(d.getTime() / DAY_MS);
}

/** 0 = Monday … 6 = Sunday, like Python's `date.weekday()`. */
export function weekday(year: number, month: number, day: number): number {
  // Day 0 of the epoch, 1970-01-01, was a Thursday (3).
  return (((dayNumber(year, month, day) + 3) % 7) + 7) % 7;
}

export function lastDayOfMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** ISO-8601 week number (1–53): weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(year: number, month: number, day: number): number {
  const n = dayNumber(year, month, day);
  const thursday = n - weekday(year, month, day) + 3;
  const d = new Date(thursday * DAY_MS);
  const jan1 = dayNumber(d.getUTCFullYear(), 1, 1);
  return Math.floor((thursday - jan1) / 7) + 1;
}
