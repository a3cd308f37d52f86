/**
 * Turns the tasks the conductor hands out into child executions, with the context StackStorm's
 * workflow service gives them (request_action_execution): `parent` is the workflow's st2 context
 * and `orquesta` says which workflow, task, route and item the child runs for.
 */

import type { ExecutionContext } from "../../core/execution/model.ts";
import type { NextTask } from "../../core/workflow/orquesta/conductor.ts";
import { newId } from "../ids.ts";
import type { RunnerOutcome } from "../runners/contract.ts";
import type { ExecutionService } from "../services/executions.ts";
import type { WriteOp } from "../store/reactor-contract.ts";
import type { InlineRunner } from "./inline.ts";
import type { Dispatched } from "./records.ts";
import type { WorkflowSession } from "./session.ts";

export const ORQUESTA = "orquesta";

export interface ChildBatch {
  dispatched: Dispatched[];
  ops: WriteOp[];
  /** Children that already ran inline (see inline.ts), to report to the conductor next. */
  completed: Array<{ child: string; task: string; route: number; item?: number } & RunnerOutcome>;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** StackStorm's eval_action_execution_delay: seconds, applied to the first `concurrency` items. */
function delayOf(task: NextTask, item: number | undefined): number | undefined {
  const seconds = task.delay;
  if (!seconds || seconds <= 0) return undefined;
  const concurrency = typeof task.concurrency === "number" ? task.concurrency : null;
  if (item !== undefined && concurrency !== null && item >= concurrency) return undefined;
  return seconds * 1000;
}

/** The `parent` context children get: who runs the workflow, and which execution it is. */
export function childParentContext(session: WorkflowSession): Record<string, unknown> {
  const st2 = (session.conductor.getWorkflowParentContext().st2 ?? {}) as Record<string, unknown>;
  const parent: Record<string, unknown> = {
    execution_id: session.id,
    user: st2.user,
    pack: st2.pack,
  };
  if (st2.api_user) parent.api_user = st2.api_user;
  if (st2.source_channel) parent.source_channel = st2.source_channel;
  return parent;
}

export async function planChildren(
  session: WorkflowSession,
  tasks: NextTask[],
  executions: ExecutionService,
  trace: ExecutionContext["trace_context"],
  inline?: InlineRunner,
): Promise<ChildBatch> {
  const dispatched: Dispatched[] = [];
  const ops: WriteOp[] = [];
  const completed: ChildBatch["completed"] = [];
  const parent = childParentContext(session);
  for (const task of tasks) {
    const teid = session.ledger.runningTeid(task.id, task.route) ?? newId();
    const base = { task: task.id, route: task.route, teid };
    if (task.items_count === 0) {
      dispatched.push({ ...base, empty: true });
      continue;
    }
    for (const spec of task.actions) {
      const item = spec.item_id;
      const entry: Dispatched = { ...base, ...(item !== undefined ? { item } : {}) };
      dispatched.push(entry);
      if (spec.action === null || spec.action === undefined) continue;
      try {
        if (typeof spec.action !== "string")
          throw new Error(`the action of task "${task.id}" is not an action reference`);
        if (spec.input !== null && spec.input !== undefined && !isDict(spec.input))
          throw new Error(`the input of task "${task.id}" is not a mapping`);
        const pack = spec.action.split(".")[0] ?? parent.pack;
        const context: ExecutionContext = {
          pack: pack as string,
          user: parent.user as string,
          parent: parent as ExecutionContext["parent"] & object,
          orquesta: {
            workflow_execution_id: session.id,
            task_execution_id: teid,
            task_name: task.id,
            task_id: task.id,
            task_route: task.route,
            ...(item !== undefined ? { item_id: item } : {}),
          },
          ...(parent.api_user ? { api_user: String(parent.api_user) } : {}),
          ...(parent.source_channel ? { source_channel: String(parent.source_channel) } : {}),
          ...(trace ? { trace_context: trace } : {}),
        };
        const delay = delayOf(task, item);
        const prepared = await executions.prepare({
          action: spec.action,
          parameters: (spec.input as Record<string, unknown> | null) ?? {},
          context,
          parent: session.id,
          ...(delay ? { delay } : {}),
        });
        const ran = await inline?.(prepared);
        if (ran) {
          ops.push(...ran.ops);
          completed.push({
            child: prepared.id,
            task: task.id,
            route: task.route,
            ...(item !== undefined ? { item } : {}),
            ...ran.outcome,
          });
        } else ops.push(...executions.creationOps(prepared));
        entry.child = prepared.id;
        if (prepared.action.runner_type === ORQUESTA) entry.workflow = true;
      } catch (err) {
        entry.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      }
    }
  }
  return { dispatched, ops, completed };
}
