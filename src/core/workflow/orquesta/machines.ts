/**
 * Applies Orquesta's status machines (the tables in machine-tables.ts). An event's name gets
 * context words appended first (`_workflow_active`, `_items_incomplete`, ...) because the same
 * raw event leads to different statuses depending on what else is running.
 */

import { anyAbended, anyIncomplete, summarize } from "./items.ts";
import { TASK_TRANSITIONS, WORKFLOW_TRANSITIONS } from "./machine-tables.ts";
import type { StagedTask, TaskStateEntry, WorkflowState } from "./state.ts";
import { ABENDED, ACTIVE, CANCEL, COMPLETED, isIn, PAUSE, type Status } from "./statuses.ts";

export type EngineCommand = "continue" | "fail" | "noop" | "retry";

/** What a host (or the conductor itself) reports about a task. */
export type TaskEvent =
  | { type: "action"; status: Status; result?: unknown }
  | {
      type: "item";
      itemId: number;
      status: Status;
      result?: unknown;
      /** The host's list of item results so far, indexed by item id. */
      accumulatedResult?: unknown[];
    }
  | { type: "engine"; command: EngineCommand };

const ENGINE_STATUS: Record<EngineCommand, Status> = {
  continue: "succeeded",
  fail: "failed",
  noop: "succeeded",
  retry: "retrying",
};

export function eventStatus(event: TaskEvent): Status {
  return event.type === "engine" ? ENGINE_STATUS[event.command] : event.status;
}

/** The conductor queries the workflow machine needs. */
export interface MachineHost {
  readonly state: WorkflowState;
  hasNextTasks(taskId: string, route: number): boolean;
  hasBarrierNext(taskId: string, route: number): boolean;
  unreachableBarriers(): StagedTask[];
  logUnreachableJoin(staged: StagedTask): void;
}

const ITEM_CONTEXT_STATUSES: readonly Status[] = [
  "resuming",
  "pending",
  "paused",
  "succeeded",
  "failed",
  "timeout",
  "abandoned",
  "canceled",
];

function itemEventName(
  state: WorkflowState,
  entry: TaskStateEntry,
  itemId: number,
  status: Status,
) {
  const name = `action_${status}`;
  if (!ITEM_CONTEXT_STATUSES.includes(status)) return name;
  const staged = state.getStaged(entry.id, entry.route);
  // The other items' statuses, counted rather than scanned (see items.ts).
  const others = summarize(staged?.items ?? [], itemId);
  const active = others.count(ACTIVE) > 0;
  const suffix = active ? "_task_active" : "_task_dormant";
  if (!active && (others.has("pending") || others.has("paused")))
    return `${name}${suffix}_items_paused`;
  if (!active && others.has("canceled")) return `${name}${suffix}_items_canceled`;
  if (!active && anyAbended(others)) return `${name}${suffix}_items_failed`;
  return `${name}${suffix}${anyIncomplete(others) ? "_items_incomplete" : "_items_completed"}`;
}

function applyTask(entry: TaskStateEntry, eventName: string): void {
  const next = TASK_TRANSITIONS[entry.status ?? "null"]?.[eventName];
  if (next !== undefined) entry.status = next;
}

export function processTaskEvent(state: WorkflowState, entry: TaskStateEntry, event: TaskEvent) {
  if (event.type === "engine") {
    applyTask(entry, `task_${event.command}_requested`);
  } else if (event.type === "item") {
    applyTask(entry, itemEventName(state, entry, event.itemId, event.status));
  } else {
    applyTask(entry, `action_${event.status}`);
  }
}

/** A workflow status request passed down to an active task (pause/cancel reach its items). */
export function processWorkflowEventOnTask(
  state: WorkflowState,
  entry: TaskStateEntry,
  status: Status,
): void {
  let name = `workflow_${status}`;
  const staged = state.getStaged(entry.id, entry.route);
  if ((isIn(status, PAUSE) || isIn(status, CANCEL)) && staged?.items) {
    const items = summarize(staged.items);
    name += items.count(ACTIVE) > 0 ? "_task_active" : "_task_dormant";
    name += anyIncomplete(items) ? "_items_incomplete" : "_items_completed";
  }
  applyTask(entry, name);
}

/** Applies a workflow event; false when the current status has no row for it. */
function applyWorkflow(state: WorkflowState, eventName: string): boolean {
  const next = WORKFLOW_TRANSITIONS[state.status]?.[eventName];
  if (next === undefined) return false;
  state.status = next;
  return true;
}

export function processWorkflowRequest(state: WorkflowState, status: Status): void {
  let name = `workflow_${status}`;
  if (isIn(status, PAUSE) || isIn(status, CANCEL)) {
    name += state.hasActiveTasks ? "_workflow_active" : "_workflow_dormant";
  }
  if (
    state.status === "paused" &&
    (status === "running" || status === "resuming") &&
    !state.hasActiveTasks &&
    !state.hasStagedTasks &&
    !state.hasTasksIn(["paused", "pending"])
  ) {
    name += "_workflow_completed";
  }
  applyWorkflow(state, name);
}

const CONDITIONAL = [
  "pending",
  "paused",
  "succeeded",
  "failed",
  "remediated",
  "canceled",
  "retrying",
];

export function processTaskExecution(
  host: MachineHost,
  taskId: string,
  route: number,
  status: Status,
): void {
  const state = host.state;
  const hasNext = host.hasNextTasks(taskId, route);
  let kind: string = status;
  if (isIn(status, ABENDED) && (hasNext || host.hasBarrierNext(taskId, route))) kind = "remediated";
  let name = `task_${kind}`;
  if (CONDITIONAL.includes(kind)) {
    name += state.hasActiveTasks ? "_workflow_active" : "_workflow_dormant";
  }
  if (kind === "succeeded" || kind === "remediated") {
    if (state.hasTasksIn(["canceling", "canceled"])) name += "_canceled";
    else if (state.hasTasksIn(["pausing", "paused", "pending"])) name += "_paused";
    else if (state.hasStagedTasks || hasNext) name += "_incomplete";
    else name += "_completed";
  }
  // Unreachable joins are only checked when the event moved the machine (as Orquesta does).
  if (!applyWorkflow(state, name)) return;
  if (isIn(state.status, COMPLETED)) {
    const unreachable = host.unreachableBarriers();
    if (unreachable.length > 0) {
      state.status = "failed";
      for (const staged of unreachable) host.logUnreachableJoin(staged);
    }
  }
}
