/**
 * Execution states and the legal moves between them, as data.
 *
 * StackStorm spreads its state machine across the scheduler, the action runner and the
 * workflow engine. Squall keeps it in one table so every writer (API, scheduler, runner,
 * crash recovery) is checked against the same rules, and the table doubles as the test
 * oracle.
 */

export const EXECUTION_STATUSES = [
  "requested",
  "scheduled",
  "delayed",
  "running",
  "succeeded",
  "failed",
  "timeout",
  "abandoned",
  "canceling",
  "canceled",
  "pending",
  "pausing",
  "paused",
  "resuming",
] as const;

export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** Terminal states: nothing moves an execution out of these. */
export const COMPLETED_STATUSES: ReadonlySet<ExecutionStatus> = new Set([
  "succeeded",
  "failed",
  "timeout",
  "canceled",
  "abandoned",
]);

/** StackStorm's LIVEACTION_FAILED_STATES. */
export const FAILED_STATUSES: ReadonlySet<ExecutionStatus> = new Set([
  "failed",
  "timeout",
  "abandoned",
]);

/** States from which a cancel request is accepted (StackStorm's LIVEACTION_CANCELABLE_STATES). */
export const CANCELABLE_STATUSES: ReadonlySet<ExecutionStatus> = new Set([
  "requested",
  "scheduled",
  "delayed",
  "running",
  "pausing",
  "paused",
  "resuming",
]);

/**
 * status → states it may move to. Anything not listed is illegal.
 *
 * Notes on the less obvious rows:
 * - `requested → abandoned` and `scheduled → abandoned` exist for crash recovery of work whose
 *   runner state cannot be known; `running → abandoned` is StackStorm's shutdown/death case.
 * - `pending` is an inquiry waiting for a person; it may be answered, time out or be canceled.
 * - `canceling` may still end in a runner-reported terminal state when the process finished
 *   before the signal landed.
 */
export const TRANSITIONS: Readonly<Record<ExecutionStatus, readonly ExecutionStatus[]>> = {
  requested: ["scheduled", "delayed", "canceled", "failed", "abandoned"],
  delayed: ["requested", "scheduled", "canceled", "failed", "abandoned"],
  scheduled: ["running", "delayed", "canceled", "failed", "abandoned"],
  running: [
    "succeeded",
    "failed",
    "timeout",
    "abandoned",
    "canceling",
    "canceled",
    "pending",
    "pausing",
  ],
  pending: ["succeeded", "failed", "timeout", "canceling", "canceled", "running", "abandoned"],
  pausing: ["paused", "canceling", "canceled", "succeeded", "failed", "timeout", "abandoned"],
  paused: ["resuming", "canceling", "canceled", "abandoned"],
  resuming: ["running", "canceling", "canceled", "succeeded", "failed", "timeout", "abandoned"],
  canceling: ["canceled", "succeeded", "failed", "timeout", "abandoned"],
  succeeded: [],
  failed: [],
  timeout: [],
  abandoned: [],
  canceled: [],
};

export function isExecutionStatus(value: unknown): value is ExecutionStatus {
  return typeof value === "string" && (EXECUTION_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: ExecutionStatus, to: ExecutionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isCompleted(status: ExecutionStatus): boolean {
  return COMPLETED_STATUSES.has(status);
}
