/**
 * Wall-clock time in an IANA time zone, with the `fold` rule of Python's PEP 495 (which
 * APScheduler 3 relies on through `zoneinfo`). Offsets come from the global `Intl.DateTimeFormat`
 * so core stays free of node: modules and of a time-zone library.
 *
 * - An ambiguous wall time (the repeated hour when clocks go back) means its first occurrence
 *   with fold 0 and its second with fold 1.
 * - A wall time that does not exist (skipped when clocks go forward) is read with the offset in
 *   force before the transition for fold 0, so it lands after the gap by the gap's length
 *   (02:30 on a spring-forward day in New York is 03:30 EDT), and with the offset after the
 *   transition for fold 1.
 */

import { ValidationError } from "../errors.ts";

/** Calendar fields as a clock on the wall shows them; not necessarily an existing instant. */
export interface Wall {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 1 selects the second occurrence of an ambiguous wall time. */
  fold: 0 | 1;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/**
 * Returns the canonical spelling of an IANA zone name, or throws ValidationError naming
 * `field`. Intl accepts names case-insensitively; the canonical form keeps cache keys unique.
 */
export function checkTimeZone(name: unknown, field: string): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new ValidationError(`${field} must be an IANA time zone name such as "UTC"`, { field });
  }
  try {
    return formatter(name).resolvedOptions().timeZone;
  } catch {
    throw new ValidationError(`${field}: unknown time zone "${name}"`, { field });
  }
}

/** The fields of a wall time read as if it were UTC, in ms: plain calendar arithmetic. */
export function naiveMs(w: Omit<Wall, "fold">): number {
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: the latter maps years 0–99 onto 1900–1999.
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
}

export function naiveWall(ms: number, fold: 0 | 1 = 0): Wall {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    fold,
  };
}

function exactOffset(zone: string, whole: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(whole)) {
    if (p.type !== "literal" && p.type !== "era") parts[p.type] = Number(p.value);
  }
  const wall = naiveMs({
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  });
  return wall - whole;
}

const HOUR_MS = 3_600_000;
const MAX_CACHED = 100_000;
/** Offsets of whole UTC hours in which no transition happens, per zone: Intl is slow. */
const hourCache = new Map<string, Map<number, number>>();

/** UTC offset in ms in force at `instant` (whole seconds). */
export function offsetAt(zone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const hour = Math.floor(whole / HOUR_MS);
  let cache = hourCache.get(zone);
  const hit = cache?.get(hour);
  if (hit !== undefined) return hit;
  // Zones change offset at most once within an hour, so equal offsets at both ends of the
  // hour hold throughout it.
  const first = exactOffset(zone, hour * HOUR_MS);
  const last = exactOffset(zone, (hour + 1) * HOUR_MS - 1000);
  if (first !== last) return exactOffset(zone, whole);
  if (!cache || cache.size >= MAX_CACHED) {
    cache = new Map();
    hourCache.set(zone, cache);
  }
  cache.set(hour, first);
  return first;
}

/**
 * The instants that show wall time `w` (ignoring fold), earliest first: none in a gap, two in
 * an overlap. Offsets a day either side bound the candidates; zones change offset at most once
 * in such a window in practice.
 */
function candidates(
  zone: string,
  w: Omit<Wall, "fold">,
): { found: number[]; before: number; after: number } {
  const local = naiveMs(w);
  const before = offsetAt(zone, local - DAY_MS);
  const after = offsetAt(zone, local + DAY_MS);
  const found: number[] = [];
  for (const off of before === after ? [before] : [before, after]) {
    const t = local - off;
    if (offsetAt(zone, t) === off && !found.includes(t)) found.push(t);
  }
  found.sort((a, b) => a - b);
  return { found, before, after };
}

/** The instant a wall time denotes, by PEP 495's fold rule (see the header). */
export function toInstant(zone: string, w: Wall): number {
  const { found, before, after } = candidates(zone, w);
  const [first, second] = found;
  if (first === undefined) return naiveMs(w) - (w.fold === 0 ? before : after);
  if (second !== undefined && w.fold === 1) return second;
  return first;
}

/** The wall time at `instant` (truncated to the second), with fold 1 on a repeat. */
export function fromInstant(zone: string, instant: number): Wall {
  const whole = Math.floor(instant / 1000) * 1000;
  const w = naiveWall(whole + offsetAt(zone, whole));
  const { found } = candidates(zone, w);
  if (found.length === 2 && found[1] === whole) w.fold = 1;
  return w;
}
