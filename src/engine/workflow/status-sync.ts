/**
 * Keeps the workflow's execution record in step with its conductor: which execution status a
 * conductor status means, the legal path between two execution statuses (the table in
 * core/execution/status.ts allows no shortcuts, e.g. paused → running goes through resuming),
 * and the final result in the shape of StackStorm's orquesta runner.
 */

import type { Execution } from "../../core/execution/model.ts";
import { type ExecutionStatus, isCompleted, TRANSITIONS } from "../../core/execution/status.ts";
import type { WorkflowConductor } from "../../core/workflow/orquesta/conductor.ts";
import { ABENDED, isIn, type Status } from "../../core/workflow/orquesta/statuses.ts";
import { notifyWork } from "../services/work-kinds.ts";
import type { WriteOp } from "../store/reactor-contract.ts";

export function executionStatusFor(status: Status): ExecutionStatus {
  switch (status) {
    case "pausing":
    case "paused":
    case "canceling":
    case "canceled":
    case "succeeded":
    case "failed":
    case "timeout":
    case "abandoned":
      return status;
    case "pending":
      return "paused";
    default:
      return "running";
  }
}

/** Shortest legal path from `from` to `to` (excluding `from`); empty when equal or impossible. */
export function transitionPath(from: ExecutionStatus, to: ExecutionStatus): ExecutionStatus[] {
  if (from === to) return [];
  const prev = new Map<ExecutionStatus, ExecutionStatus>();
  const queue: ExecutionStatus[] = [from];
  while (queue.length > 0) {
    const at = queue.shift() as ExecutionStatus;
    for (const next of TRANSITIONS[at]) {
      if (prev.has(next) || next === from) continue;
      prev.set(next, at);
      if (next === to) {
        const path: ExecutionStatus[] = [to];
        for (let p = at; p !== from; p = prev.get(p) as ExecutionStatus) path.unshift(p);
        return path;
      }
      // Never pass through a terminal status on the way somewhere else.
      if (!isCompleted(next)) queue.push(next);
    }
  }
  return [];
}

/** StackStorm's result: `{output}`, plus `errors` when the workflow ended abended. */
export function workflowResult(conductor: WorkflowConductor): Record<string, unknown> {
  const status = conductor.getWorkflowStatus();
  const result: Record<string, unknown> = { output: conductor.getWorkflowOutput() };
  if (isIn(status, ABENDED)) return { errors: conductor.errors, ...result };
  return result;
}

/**
 * The writes that move the workflow's execution from `current` to what the conductor says,
 * with the result when it completes (and the notifier's job, as every completion gets).
 */
export function executionSyncOps(
  execution: Pick<Execution, "id" | "status">,
  conductor: WorkflowConductor,
): { ops: WriteOp[]; to: ExecutionStatus | null } {
  const target = executionStatusFor(conductor.getWorkflowStatus());
  const path = transitionPath(execution.status, target);
  if (path.length === 0) return { ops: [], to: null };
  const ops: WriteOp[] = [];
  let from = execution.status;
  for (const to of path) {
    ops.push({
      op: "execution.transition",
      id: execution.id,
      to,
      options: {
        expectFrom: [from],
        ...(isCompleted(to) ? { patch: { result: workflowResult(conductor) } } : {}),
      },
    });
    from = to;
  }
  if (isCompleted(target)) ops.push({ op: "job.enqueue", items: [notifyWork(execution.id)] });
  return { ops, to: target };
}
