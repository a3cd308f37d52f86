/**
 * A subset of yaql's date/time library (standard_library/date_time.py): construction, parsing of
 * ISO-like text, `now()`, timespans, the common properties and arithmetic (in operators.ts).
 */

import { pyError } from "../errors.ts";
import { isoDate } from "../pyops.ts";
import { type FunctionDef, fn, opt, p, T } from "../registry.ts";
import { mkFloat, num, YDateTime, YTimespan } from "../values.ts";

const N = T.number;
const ISO =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

export function parseDateTime(text: string): YDateTime {
  const m = ISO.exec(text.trim());
  if (!m) throw pyError("ValueError", `Unknown string format: ${text}`);
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "0", tz] = m;
  let offset: number | null = null;
  if (tz) {
    if (tz === "Z") offset = 0;
    else {
      const sign = tz.startsWith("-") ? -1 : 1;
      const digits = tz.slice(1).replace(":", "");
      offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    }
  }
  const ms =
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) +
    Math.floor(Number(frac.padEnd(6, "0")) / 1000) -
    (offset ?? 0) * 60000;
  return new YDateTime(ms, offset);
}

const MS = {
  days: 86400000,
  hours: 3600000,
  minutes: 60000,
  seconds: 1000,
  milliseconds: 1,
  microseconds: 0.001,
};

function part(d: YDateTime, f: (x: Date) => number): number {
  return f(new Date(d.ms + (d.offsetMinutes ?? 0) * 60000));
}

const props: [string, (d: YDateTime) => unknown][] = [
  ["year", (d) => part(d, (x) => x.getUTCFullYear())],
  ["month", (d) => part(d, (x) => x.getUTCMonth() + 1)],
  ["day", (d) => part(d, (x) => x.getUTCDate())],
  ["hour", (d) => part(d, (x) => x.getUTCHours())],
  ["minute", (d) => part(d, (x) => x.getUTCMinutes())],
  ["second", (d) => part(d, (x) => x.getUTCSeconds())],
  ["microsecond", (d) => part(d, (x) => x.getUTCMilliseconds() * 1000)],
  ["dayOfWeek", (d) => (part(d, (x) => x.getUTCDay()) + 6) % 7],
  ["timestamp", (d) => mkFloat(d.ms / 1000)],
];

export const datetimeFunctions: FunctionDef[] = [
  fn(
    "datetime",
    "function",
    [p("string", T.string), opt("format", T.nullable(T.string), null)],
    (_c, [s]) => parseDateTime(s as string),
  ),
  fn(
    "datetime",
    "function",
    [
      p("year", T.int),
      p("month", T.int),
      p("day", T.int),
      opt("hour", T.int, 0),
      opt("minute", T.int, 0),
      opt("second", T.int, 0),
      opt("microsecond", T.int, 0),
    ],
    (_c, a) => {
      const [y, mo, d, h, mi, s, us] = a as number[];
      return new YDateTime(
        Date.UTC(y as number, (mo as number) - 1, d, h, mi, s) + Math.floor((us as number) / 1000),
        0,
      );
    },
  ),
  fn("now", "function", [], () => new YDateTime(Date.now(), 0)),
  fn("isDatetime", "function", [p("value")], (_c, [v]) => v instanceof YDateTime),
  fn("isTimespan", "function", [p("value")], (_c, [v]) => v instanceof YTimespan),
  fn(
    "timespan",
    "function",
    Object.keys(MS).map((k) => opt(k, N, 0)),
    (_c, a) => new YTimespan(Object.values(MS).reduce((acc, unit, i) => acc + num(a[i]) * unit, 0)),
  ),
  fn("format", "method", [p("dt", T.datetime), p("format", T.string)], (_c, [d]) =>
    isoDate(d as YDateTime),
  ),
  ...props.map(([name, f]) =>
    fn(`#property#${name}`, "function", [p("obj", T.datetime)], (_c, [d]) => f(d as YDateTime)),
  ),
  ...(["days", "hours", "minutes", "seconds", "milliseconds", "microseconds"] as const).map(
    (name) =>
      fn(
        `#property#total${name[0]?.toUpperCase()}${name.slice(1)}`,
        "function",
        [p("obj", T.timespan)],
        (_c, [t]) => mkFloat((t as YTimespan).ms / MS[name]),
      ),
  ),
];
