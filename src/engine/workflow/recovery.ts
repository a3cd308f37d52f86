/**
 * Start-up recovery and the safety net for changes that did not come through the hook.
 *
 * After kill -9 every step that was committed is in the store, and nothing else is. What can be
 * missing is a step for a change that committed on its own: a child completed by a path that
 * did not know its workflow (shutdown's abandon, another process), or a child of a workflow
 * whose step failed. So at start every active workflow is rebuilt, each child it still counts
 * as running is read, and a child found completed is fed to the workflow as if it had just
 * finished (an `abandoned` one is run again as a new child, see step.ts). Children still
 * scheduled or running are left to the action worker: their run jobs were released with this
 * node's leases, and their completion comes through the hook.
 */

import type { Execution } from "../../core/execution/model.ts";
import { isCompleted } from "../../core/execution/status.ts";
import type { EventBus } from "../events.ts";
import { MAX_PAGE_SIZE } from "../store/contract.ts";
import type { WorkflowEngine } from "./engine.ts";

export interface RecoveryReport {
  workflows: number;
  /** Completed children whose step had been lost, now fed to their workflows. */
  resumed: number;
}

export async function recoverWorkflows(engine: WorkflowEngine): Promise<RecoveryReport> {
  const { store, log } = engine.options;
  const ids: string[] = [];
  for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
    const page = await store.workflows.listWorkflows(
      { active: true },
      { limit: MAX_PAGE_SIZE, offset },
    );
    ids.push(...page.items.map((w) => w.id));
    if (page.items.length < MAX_PAGE_SIZE) break;
  }
  let resumed = 0;
  const pending: Array<Promise<unknown>> = [];
  for (const id of ids) {
    try {
      const session = await engine.session(id);
      if (!session) continue;
      for (const [childId] of session.activeChildren()) {
        const child = await store.executions.get(childId);
        if (!child || !isCompleted(child.status)) continue;
        resumed++;
        pending.push(feed(engine, child));
      }
      pending.push(engine.kick(id));
    } catch (err) {
      log.error({ err, workflowId: id }, "could not recover workflow");
    }
  }
  const results = await Promise.allSettled(pending);
  for (const r of results)
    if (r.status === "rejected") log.warn({ err: r.reason }, "workflow recovery step failed");
  return { workflows: ids.length, resumed };
}

function feed(engine: WorkflowEngine, child: Execution): Promise<unknown> {
  return engine.commitChildChange(child, child.status, child.result, []) ?? Promise.resolve();
}

/**
 * Feeds the workflow any child change this process publishes that did not go through the hook
 * (the step then finds it already recorded, or records it). Cheap when the workflow is cached
 * and has already heard of the change, which is the usual case.
 */
export function watchChildren(engine: WorkflowEngine, bus: EventBus): () => void {
  const listener = (execution: Execution) => {
    const orq = execution.context.orquesta as Record<string, unknown> | undefined;
    if (!orq || typeof orq.workflow_execution_id !== "string") return;
    if (!engine.mayNeed(orq.workflow_execution_id, execution)) return;
    void feed(engine, execution)?.catch((err: unknown) =>
      engine.options.log.debug({ err, executionId: execution.id }, "late child change not applied"),
    );
  };
  bus.on("execution.update", listener);
  return () => bus.off("execution.update", listener);
}
