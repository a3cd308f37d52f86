/**
 * Which trigger calls a sensor needs when the set of triggers it serves changes: the
 * `add_trigger` / `update_trigger` / `remove_trigger` calls StackStorm's trigger watcher makes.
 * A trigger is known by ref; one whose parameters or description changed is an update.
 */

import type { TriggerDef } from "../../core/reactor/model.ts";
import type { TriggerChange } from "../../sdk/protocol.ts";

export interface TriggerCall {
  type: TriggerChange;
  trigger: TriggerDef;
}

function sameTrigger(a: TriggerDef, b: TriggerDef): boolean {
  return (
    a.type === b.type &&
    a.description === b.description &&
    canonical(a.parameters) === canonical(b.parameters)
  );
}

/** JSON with sorted keys, so parameter order does not make an update. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}

export function diffTriggers(
  current: ReadonlyMap<string, TriggerDef>,
  next: readonly TriggerDef[],
): TriggerCall[] {
  const calls: TriggerCall[] = [];
  const seen = new Set<string>();
  for (const trigger of next) {
    seen.add(trigger.ref);
    const before = current.get(trigger.ref);
    if (!before) calls.push({ type: "add_trigger", trigger });
    else if (!sameTrigger(before, trigger)) calls.push({ type: "update_trigger", trigger });
  }
  for (const [ref, trigger] of current)
    if (!seen.has(ref)) calls.push({ type: "remove_trigger", trigger });
  return calls;
}
