/**
 * What a timer emits, as st2's timer engine does (st2reactor/timer/base.py): the payload
 * `{executed_at, schedule}` and the trace tag `<trigger type name>-<trigger name>`.
 *
 * `executed_at` is the moment of firing printed the way Python prints an aware UTC datetime
 * (`2026-03-08 07:30:00.250000+00:00`, no fraction when it is zero), because rules and
 * workflows written for st2 slice and parse that string. `schedule` is st2's
 * `parameters.get("time")`, a parameter no timer type allows, so it is always null there too.
 */

import type { TriggerDef } from "../reactor/model.ts";

export interface TimerPayload {
  executed_at: string;
  schedule: unknown;
  [key: string]: unknown;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Python's `str(datetime)` for a UTC instant (ms precision, printed as microseconds). */
export function pythonUtcString(ms: number): string {
  const d = new Date(ms);
  const base =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const millis = d.getUTCMilliseconds();
  return `${base}${millis === 0 ? "" : `.${pad(millis, 3)}000`}+00:00`;
}

export function timerPayload(
  trigger: Pick<TriggerDef, "parameters">,
  firedAt: number,
): TimerPayload {
  return { executed_at: pythonUtcString(firedAt), schedule: trigger.parameters.time ?? null };
}

/** `st2.IntervalTimer-<name>`: st2 uses the type's name (the ref without its pack). */
export function timerTraceTag(trigger: Pick<TriggerDef, "type" | "name">): string {
  const dot = trigger.type.indexOf(".");
  const typeName = dot < 0 ? trigger.type : trigger.type.slice(dot + 1);
  return `${typeName}-${trigger.name}`;
}
