/**
 * One step of a workflow: the inputs that arrived since the last commit (children's status
 * changes, pause/resume/cancel requests) are applied to the conductor, the tasks it hands out
 * become child executions, and the workflow's own execution follows the conductor. The result
 * is a list of writes for ONE commit: the inputs' own writes, one `workflow.event` per recorded
 * event (with explicit seq, so a racing writer fails the whole commit), the children and their
 * jobs, the execution's status changes and, now and then, a snapshot.
 *
 * Work per step is proportional to what arrived and what is handed out, never to the size of
 * the workflow: nothing is replayed, and the state is serialised only for a snapshot.
 */

import type { Execution } from "../../core/execution/model.ts";
import type { ExecutionStatus } from "../../core/execution/status.ts";
import { isCompleted } from "../../core/execution/status.ts";
import {
  CANCEL,
  COMPLETED,
  isIn,
  PAUSE,
  type Status,
} from "../../core/workflow/orquesta/statuses.ts";
import type { ExecutionService } from "../services/executions.ts";
import type { WriteOp } from "../store/reactor-contract.ts";
import { planChildren } from "./children.ts";
import type { InlineRunner } from "./inline.ts";
import type { WorkflowRecord } from "./records.ts";
import type { WorkflowSession } from "./session.ts";
import { executionSyncOps } from "./status-sync.ts";

export type ControlRequest = "pause" | "resume" | "cancel";

export type StepInput =
  | {
      kind: "child";
      /** The child as it was before the change (its context says which task it runs). */
      before: Execution;
      to: ExecutionStatus;
      result: unknown;
      ops: WriteOp[];
    }
  | { kind: "control"; request: ControlRequest }
  | { kind: "kick" };

export interface StepOutcome {
  ops: WriteOp[];
  records: number;
  /** Per input: an error that refused it (the others still apply). */
  refused: Map<number, unknown>;
  /** The execution status the workflow moves to in this step, if it moves. */
  to: ExecutionStatus | null;
  from: Status;
  status: Status;
}

const REQUESTED: Record<ControlRequest, Status> = {
  pause: "paused",
  resume: "resuming",
  cancel: "canceled",
};

/** A child's execution status as the conductor's task event names it. */
function taskStatusOf(to: ExecutionStatus): Status {
  return to === "resuming" ? "running" : to;
}

export async function buildStep(
  session: WorkflowSession,
  execution: Execution,
  inputs: StepInput[],
  executions: ExecutionService,
  snapshotEvery: number,
  /** Events to apply before the inputs (a re-run's `rerun`). */
  prelude: WorkflowRecord[] = [],
  inline?: InlineRunner,
): Promise<StepOutcome> {
  const conductor = session.conductor;
  const from = conductor.getWorkflowStatus();
  const records: WorkflowRecord[] = [];
  const inputOps: WriteOp[] = [];
  const extra: WriteOp[] = [];
  const refused = new Map<number, unknown>();
  const at = () => new Date().toISOString();
  const record = (r: WorkflowRecord) => {
    try {
      records.push(session.applyLive(r));
    } catch (err) {
      const message = `${err instanceof Error ? err.name : "Error"}: ${err instanceof Error ? err.message : String(err)}`;
      records.push(session.applyLive({ k: "fail", message }));
    }
  };
  let resumeAfterPending = false;
  for (const r of prelude) record(r);

  for (const [n, input] of inputs.entries()) {
    if (input.kind === "kick") continue;
    if (input.kind === "control") {
      try {
        const r = session.applyLive({ k: "status", status: REQUESTED[input.request] });
        records.push(r);
      } catch (err) {
        refused.set(n, err);
      }
      continue;
    }
    inputOps.push(...input.ops);
    const child = input.before;
    if (!session.isActiveChild(child.id)) continue; // recorded already (or not ours)
    const orq = child.context.orquesta as Record<string, unknown>;
    const task = String(orq.task_id);
    const route = Number(orq.task_route ?? 0);
    const item = typeof orq.item_id === "number" ? orq.item_id : undefined;
    if (input.to === "abandoned" && !isIn(conductor.getWorkflowStatus(), CANCEL)) {
      // Its runner died with the process: nobody knows whether it ran, and StackStorm would
      // fail the task. A workflow child is run again instead, as a new execution; its
      // completion was never recorded, so the task cannot have advanced on it.
      const prepared = await executions.prepare({
        action: child.action.ref,
        parameters: child.parameters,
        context: child.context,
        parent: child.parent,
      });
      inputOps.push(...executions.creationOps(prepared));
      record({ k: "redispatch", old: child.id, child: prepared.id });
      continue;
    }
    const done = isCompleted(input.to);
    const status = taskStatusOf(input.to);
    if (!done && session.childStatus(child.id) === status) continue; // heard already
    const wasPending =
      (item === undefined
        ? conductor.state.entry(task, route)?.status
        : conductor.state.getStaged(task, route)?.items?.[item]?.status) === "pending";
    record({
      k: "task",
      task,
      route,
      status,
      child: child.id,
      ...(done ? { result: input.result } : {}),
      ...(item !== undefined ? { item } : {}),
      at: at(),
    });
    if (done && wasPending) resumeAfterPending = true;
  }
  // StackStorm resumes the workflow once an inquiry is answered.
  if (resumeAfterPending && conductor.getWorkflowStatus() === "paused")
    record({ k: "status", status: "resuming" });

  await advance(session, execution, executions, records, extra, at, inline);

  const status = conductor.getWorkflowStatus();
  if (isIn(status, COMPLETED) && !isIn(from, COMPLETED)) record({ k: "output" });
  const final = conductor.getWorkflowStatus();
  const sync = executionSyncOps(execution, conductor);

  const ops: WriteOp[] = [...inputOps];
  let seq = session.lastSeq;
  for (const event of records)
    ops.push({ op: "workflow.event", workflowId: session.id, seq: ++seq, event });
  ops.push(...extra, ...sync.ops);
  if (final !== from) ops.push({ op: "workflow.status", workflowId: session.id, status: final });
  const compact = isIn(final, COMPLETED) || session.sinceSnapshot + records.length >= snapshotEvery;
  if (records.length > 0 && compact)
    ops.push({
      op: "workflow.snapshot",
      workflowId: session.id,
      upToSeq: seq,
      snapshot: session.snapshot(),
    });
  return { ops, records: records.length, refused, to: sync.to, from, status: final };
}

/** Hands out tasks until the conductor has nothing more to give in this step. */
async function advance(
  session: WorkflowSession,
  execution: Execution,
  executions: ExecutionService,
  records: WorkflowRecord[],
  extra: WriteOp[],
  at: () => string,
  inline?: InlineRunner,
): Promise<void> {
  const conductor = session.conductor;
  if (isIn(conductor.getWorkflowStatus(), ["null", "requested", "scheduled"]))
    records.push(session.applyLive({ k: "status", status: "running" }));
  // Bounded: a step that completes tasks without children (noop tasks) may stage more; a loop
  // with no action at all would otherwise never yield.
  for (let round = 0; round < 10_000; round++) {
    const status = conductor.getWorkflowStatus();
    const errors = conductor.errors.length;
    const { tasks, kv } = session.nextTasksLive();
    const changed = conductor.getWorkflowStatus() !== status || conductor.errors.length !== errors;
    if (tasks.length === 0 && !changed) return;
    const batch = await planChildren(
      session,
      tasks,
      executions,
      execution.context.trace_context,
      inline,
    );
    extra.push(...batch.ops);
    records.push(
      session.applyLive({
        k: "next",
        at: at(),
        dispatched: batch.dispatched,
        ...(Object.keys(kv).length > 0 ? { kv } : {}),
      }),
    );
    for (const c of batch.completed) {
      try {
        records.push(
          session.applyLive({
            k: "task",
            task: c.task,
            route: c.route,
            status: c.status,
            result: c.result,
            child: c.child,
            ...(c.item !== undefined ? { item: c.item } : {}),
            at: at(),
          }),
        );
      } catch (err) {
        records.push(session.applyLive({ k: "fail", message: String(err) }));
      }
    }
    if (tasks.length === 0) return;
    if (batch.completed.length === 0 && batch.dispatched.every((d) => d.child)) return;
  }
}

/** Whether a workflow's parent (when it is a child) must hear about this status change. */
export function parentCares(before: ExecutionStatus, to: ExecutionStatus): boolean {
  if (isCompleted(to) || to === "paused" || to === "pending") return true;
  return to === "running" && isIn(before as Status, [...PAUSE, "pending", "resuming"]);
}
