/**
 * Children whose runner is in-process (noop) run inside the workflow step that creates them:
 * created, run and completed in the step's commit, and their completion applied to the
 * conductor at once. A chain of such tasks then costs one commit instead of a queue round trip
 * per task. This is the action worker's in-process path (runInProcess) moved earlier: nothing
 * runs outside this process, so committing start and end together leaves nothing to abandon
 * after a crash.
 *
 * Runs per step are capped so one step never holds the event loop for long; children past the
 * cap go through the queue as usual.
 */

import type { Execution, NewExecution } from "../../core/execution/model.ts";
import type { Runner, RunnerOutcome } from "../runners/contract.ts";
import type { PreparedRun } from "../services/action-worker.ts";
import { notifyWork } from "../services/work-kinds.ts";
import type { WriteOp } from "../store/reactor-contract.ts";

/** The outcome and the writes that create and complete `child`; null: run it through the queue. */
export type InlineRunner = (
  child: NewExecution,
) => Promise<{ outcome: RunnerOutcome; ops: WriteOp[] } | null>;

export interface InlineOptions {
  runners: ReadonlyMap<string, Runner>;
  prepare: (execution: Execution) => Promise<PreparedRun>;
  apiUrl: () => string;
  nodeId: string;
  /** In-process children run per step. */
  budget: number;
  /**
   * Builds a completed child's trigger instances (core.st2.generic.actiontrigger and notify
   * routes) so they commit with the child itself, like the action worker's `notifications`;
   * without it, or when it fails, the notifier's job is enqueued instead.
   */
  notifications?: ((completed: Execution) => Promise<WriteOp[]>) | undefined;
}

/** An inline runner with its own per-step budget (call `reset` at the start of each step). */
export function inlineRunner(options: InlineOptions): InlineRunner & { reset(): void } {
  let left = options.budget;
  const run = (async (child: NewExecution) => {
    const runner = options.runners.get(child.action.runner_type);
    if (!runner?.inProcess || child.delay || left <= 0) return null;
    left--;
    const now = new Date().toISOString();
    const record: Execution = {
      ...child,
      parent: child.parent ?? null,
      delay: null,
      status: "scheduled",
      result: null,
      start_timestamp: now,
      end_timestamp: null,
      log: [],
      runner_node: options.nodeId,
      revision: 0,
    };
    let outcome: RunnerOutcome;
    try {
      const prepared = await options.prepare(record);
      outcome = await runner.run({
        executionId: child.id,
        action: prepared.action,
        runner: prepared.runner,
        parameters: prepared.parameters,
        secretNames: prepared.secretNames,
        packPath: prepared.packPath,
        entryPointPath: prepared.entryPointPath,
        apiUrl: options.apiUrl(),
        authToken: "",
        user: child.context.user ?? "stanley",
        output: { write: () => undefined },
        signal: new AbortController().signal,
      });
    } catch (err) {
      outcome = {
        status: "failed",
        result: { error: err instanceof Error ? err.message : String(err) },
      };
    }
    const notified = await options
      .notifications?.({
        ...record,
        status: outcome.status,
        result: outcome.result,
        end_timestamp: new Date().toISOString(),
      })
      .catch(() => undefined);
    const ops: WriteOp[] = [
      { op: "execution.create", execution: { ...child, status: "scheduled" } },
      {
        op: "execution.transition",
        id: child.id,
        to: "running",
        options: { expectFrom: ["scheduled"], patch: { runner_node: options.nodeId } },
      },
      {
        op: "execution.transition",
        id: child.id,
        to: outcome.status,
        options: { expectFrom: ["running"], patch: { result: outcome.result } },
      },
      ...(notified ?? [{ op: "job.enqueue" as const, items: [notifyWork(child.id)] }]),
    ];
    return { outcome, ops };
  }) as InlineRunner & { reset(): void };
  run.reset = () => {
    left = options.budget;
  };
  return run;
}
