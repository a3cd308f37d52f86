/** Orquesta's status names and the groups its conductor branches on (orquesta/statuses.py). */

export type Status =
  | "requested"
  | "scheduled"
  | "delayed"
  | "running"
  | "pending"
  | "pausing"
  | "paused"
  | "resuming"
  | "succeeded"
  | "failed"
  | "timeout"
  | "abandoned"
  | "retrying"
  | "canceling"
  | "canceled"
  | "null";

export const ALL_STATUSES: readonly Status[] = [
  "requested",
  "scheduled",
  "delayed",
  "running",
  "pending",
  "pausing",
  "paused",
  "resuming",
  "succeeded",
  "failed",
  "timeout",
  "abandoned",
  "retrying",
  "canceling",
  "canceled",
  "null",
];

export const STARTING: readonly Status[] = [
  "requested",
  "scheduled",
  "delayed",
  "running",
  "pending",
];
export const RUNNING: readonly Status[] = [
  "requested",
  "scheduled",
  "delayed",
  "running",
  "resuming",
  "retrying",
];
export const ACTIVE: readonly Status[] = [
  "requested",
  "scheduled",
  "delayed",
  "running",
  "resuming",
  "pausing",
  "canceling",
];
export const PAUSE: readonly Status[] = ["pausing", "paused"];
export const CANCEL: readonly Status[] = ["canceling", "canceled"];
export const ABENDED: readonly Status[] = ["failed", "timeout", "abandoned"];
export const COMPLETED: readonly Status[] = [
  "succeeded",
  "failed",
  "timeout",
  "abandoned",
  "canceled",
];

export function isStatus(value: unknown): value is Status {
  return typeof value === "string" && (ALL_STATUSES as readonly string[]).includes(value);
}

export function isIn(status: Status | undefined, group: readonly Status[]): boolean {
  return status !== undefined && group.includes(status);
}
