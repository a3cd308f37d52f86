/**
 * Date parsing for the timediff operators, following StackStorm's `date_utils.parse`: ISO 8601 /
 * RFC 3339 first (ciso8601), then the common human formats dateutil accepts (RFC 2822 style
 * `Tue, 15 Nov 1994 08:12:31 GMT`, `Nov 15 1994 8:12 PM`). A value without a zone is UTC.
 * Anything else raises ValueError rather than guessing.
 */

import { OperatorError } from "../expr/python/errors.ts";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micro: number;
  offsetMinutes: number;
}

function invalid(text: string): never {
  throw new OperatorError("ValueError", `Unknown string format: ${text}`);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function toEpochMs(p: Parts, text: string): number {
  if (p.year < 1 || p.month < 1 || p.month > 12) invalid(text);
  if (p.day < 1 || p.day > daysIn(p.year, p.month)) invalid(text);
  if (p.hour > 23 || p.minute > 59 || p.second > 59) invalid(text);
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  d.setUTCHours(p.hour, p.minute, p.second, 0);
  return d.getTime() - p.offsetMinutes * 60_000 + p.micro / 1000;
}

function micros(fraction: string | undefined): number {
  if (!fraction) return 0;
  return Number(fraction.slice(0, 6).padEnd(6, "0"));
}

function offset(tz: string | undefined, text: string): number {
  if (!tz || /^(z|utc|gmt|ut)$/i.test(tz)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(tz);
  if (!m) invalid(text);
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (Number(m[2]) > 23 || Number(m[3] ?? 0) > 59) invalid(text);
  return m[1] === "-" ? -minutes : minutes;
}

const ISO =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|(\d{2})(\d{2}))?(?:[Tt ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseIso(text: string): number | null {
  const m = ISO.exec(text);
  if (!m) return null;
  // A zone needs a time (ciso8601 rejects `2020-01-01Z`).
  if (m[10] && m[6] === undefined) return null;
  return toEpochMs(
    {
      year: Number(m[1]),
      month: Number(m[2] ?? m[4] ?? 1),
      day: Number(m[3] ?? m[5] ?? 1),
      hour: Number(m[6] ?? 0),
      minute: Number(m[7] ?? 0),
      second: Number(m[8] ?? 0),
      micro: micros(m[9]),
      offsetMinutes: offset(m[10], text),
    },
    text,
  );
}

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/;

/** `[Weekday,] DD Mon YYYY [time] [zone]` or `Mon DD[,] YYYY [time] [zone]`. */
function parseHuman(text: string): number | null {
  const tokens = text
    .replace(/,/g, " ")
    .split(/\s+/)
    .filter((t) => t !== "");
  if (tokens.length > 0 && /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?$/i.test(tokens[0] ?? "")) {
    tokens.shift();
  }
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  let time: RegExpExecArray | null = null;
  let meridiem: string | undefined;
  let tz: string | undefined;
  for (const token of tokens) {
    const lower = token.toLowerCase().replace(/\.$/, "");
    const monthIndex = MONTHS.findIndex((m) => lower.startsWith(m) && lower.length >= 3);
    if (month === undefined && monthIndex >= 0 && /^[a-z]+$/.test(lower)) month = monthIndex + 1;
    else if (/^\d{1,2}$/.test(token) && day === undefined) day = Number(token);
    else if (/^\d{4}$/.test(token) && year === undefined) year = Number(token);
    else if (time === null && TIME.test(token)) time = TIME.exec(token);
    else if (/^(am|pm)$/i.test(token) && meridiem === undefined) meridiem = lower;
    else if (tz === undefined && /^(z|utc|gmt|ut|[+-]\d{2}:?\d{2})$/i.test(token)) tz = token;
    else return null;
  }
  if (day === undefined || month === undefined || year === undefined) return null;
  let hour = Number(time?.[1] ?? 0);
  if (meridiem) {
    if (!time || hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === "pm" ? 12 : 0);
  }
  return toEpochMs(
    {
      year,
      month,
      day,
      hour,
      minute: Number(time?.[2] ?? 0),
      second: Number(time?.[3] ?? 0),
      micro: micros(time?.[4]),
      offsetMinutes: offset(tz, text),
    },
    text,
  );
}

/** Milliseconds since the epoch (fractional: microseconds are kept). */
export function parseDate(text: string): number {
  const trimmed = text.trim();
  const result = parseIso(trimmed) ?? parseHuman(trimmed);
  if (result === null) invalid(text);
  return result;
}
