/**
 * The durable work item behind every timer occurrence. One job per (trigger, fire time): its
 * key makes scheduling the same occurrence twice (two nodes syncing, a restart, a chain and a
 * sync meeting) a no-op while the first is pending, and the queue's lease lets exactly one node
 * handle it.
 */

import type { WorkItem } from "../../store/contract.ts";

export const TIMER_FIRE = "timer.fire";

export interface FireJob {
  trigger: string;
  /** ms since the epoch. */
  fireAt: number;
  /** The trigger's parameters when this occurrence was computed (canonical JSON). */
  params: string;
}

/** JSON with object keys sorted, so equal parameters always compare equal as text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function fireKey(trigger: string, fireAt: number): string {
  return `timer:${trigger}:${new Date(fireAt).toISOString()}`;
}

export function fireWork(job: FireJob): WorkItem {
  return {
    kind: TIMER_FIRE,
    payload: {
      trigger: job.trigger,
      fire_at: new Date(job.fireAt).toISOString(),
      params: job.params,
    },
    key: fireKey(job.trigger, job.fireAt),
    runAt: job.fireAt,
  };
}

/** Reads a job's payload back; null when it is not one this version wrote. */
export function readFireJob(payload: Record<string, unknown>): FireJob | null {
  const { trigger, fire_at, params } = payload;
  if (typeof trigger !== "string" || typeof fire_at !== "string" || typeof params !== "string") {
    return null;
  }
  const fireAt = Date.parse(fire_at);
  return Number.isFinite(fireAt) ? { trigger, fireAt, params } : null;
}
