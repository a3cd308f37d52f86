/**
 * The durable Orquesta engine. A workflow execution is conducted here instead of by a runner:
 * its run job starts it (one commit: running, the workflow record, the first children and
 * their jobs), and from then on it advances whenever a child changes status, in the same
 * commit as that change (see step.ts).
 *
 * Concurrency: inputs for one workflow queue up and are applied by one drain at a time, so the
 * conductor in memory is never touched by two steps at once; whatever arrives while a commit is
 * in flight is applied together in the next step (one commit for many children at high fan-out).
 * A commit that fails leaves the cached conductor ahead of the store, so the session is dropped
 * and rebuilt from the store; a failed batch is retried one input at a time so one bad input
 * fails alone.
 *
 * Crash safety: a child's completion and the events it causes commit together, so after
 * kill -9 either both are stored or neither. A task whose completion was recorded never runs
 * again. A child that was running when the process died cannot be known to have finished: it is
 * abandoned and its task gets a NEW child (it may therefore run twice; see `redispatch` in
 * step.ts). Recovery (recovery.ts) rebuilds active workflows and feeds them completions whose
 * step was lost.
 */

import type { Execution } from "../../core/execution/model.ts";
import {
  type ExecutionStatus,
  isCompleted as isCompletedStatus,
} from "../../core/execution/status.ts";
import { COMPLETED, isIn, PAUSE } from "../../core/workflow/orquesta/statuses.ts";
import type { WorkflowHooks } from "../services/executions.ts";
import type { JobRef } from "../store/contract.ts";
import type { CommitResult, WriteOp } from "../store/reactor-contract.ts";
import { ORQUESTA } from "./children.ts";
import type { EngineHost } from "./host.ts";
import { type InlineRunner, inlineRunner } from "./inline.ts";
import { prefetchKv } from "./kv.ts";
import type { WorkflowEngineOptions } from "./options.ts";
import { WorkflowSession } from "./session.ts";
import { startWorkflow } from "./start.ts";

export type { WorkflowEngineOptions } from "./options.ts";

import { buildStep, type ControlRequest, parentCares, type StepInput } from "./step.ts";

interface Pending {
  input: StepInput;
  resolve: (result: CommitResult) => void;
  reject: (err: unknown) => void;
  /** Retried alone after its batch failed: a second failure is its own. */
  solo?: boolean;
}

const RETIRED_KEPT = 10_000;

function shape(ops: WriteOp[]): number {
  return ops.filter((o) => o.op === "execution.create" || o.op === "execution.transition").length;
}

export class WorkflowEngine implements WorkflowHooks, EngineHost {
  private readonly sessions = new Map<string, WorkflowSession>();
  private readonly queues = new Map<string, Pending[]>();
  private readonly draining = new Set<string>();
  /**
   * Recently completed workflows with no child left running: nothing a child publishes can be
   * news to them, so the bus watcher need not rebuild them from the store to find that out
   * (their own step publishes every inline child it completed).
   */
  private readonly retired = new Set<string>();
  readonly snapshotEvery: number;
  private readonly cacheSize: number;

  constructor(readonly options: WorkflowEngineOptions) {
    this.snapshotEvery = options.snapshotEvery ?? 500;
    this.cacheSize = options.cacheSize ?? 1_000;
  }

  /** A fresh inline runner for one step (its budget is per step), or undefined. */
  inline(): InlineRunner | undefined {
    const { runners, prepare, apiUrl, nodeId, notifications } = this.options;
    if (!runners) return undefined;
    return inlineRunner({
      runners,
      prepare,
      apiUrl,
      nodeId,
      notifications,
      budget: this.options.inlineBudget ?? 1_000,
    });
  }

  handles(runnerType: string): boolean {
    return runnerType === ORQUESTA;
  }

  /** Starts a scheduled workflow execution claimed by the action worker (job = its run job). */
  start(execution: Execution, job: JobRef): Promise<void> {
    return startWorkflow(this, execution, job);
  }

  /** Keeps a started workflow in memory (start.ts hands over the session it built). */
  adopt(session: WorkflowSession): void {
    this.remember(session);
  }

  /** Forgets a workflow that completed (see `retired`). */
  retire(session: WorkflowSession): void {
    this.sessions.delete(session.id);
    if (session.activeChildren().length > 0) return;
    this.retired.add(session.id);
    for (const key of this.retired) {
      if (this.retired.size <= RETIRED_KEPT) break;
      this.retired.delete(key);
    }
  }

  commitChildChange(
    before: Execution,
    to: ExecutionStatus,
    result: unknown,
    ops: WriteOp[],
  ): Promise<CommitResult> | null {
    const orq = before.context.orquesta as Record<string, unknown> | undefined;
    const workflowId = orq?.workflow_execution_id;
    // Like StackStorm's update_task_state, only these changes reach the conductor.
    if (typeof workflowId !== "string" || !parentCares(before.status, to)) return null;
    return this.submit(workflowId, { kind: "child", before, to, result, ops });
  }

  cancelWorkflow(execution: Execution): Promise<Execution> | null {
    if (!this.handles(execution.action.runner_type)) return null;
    return this.control(execution.id, "cancel");
  }

  /** Whether a published child change may still be news to its workflow (see recovery.ts). */
  mayNeed(workflowId: string, child: Execution): boolean {
    if (!isCompletedStatus(child.status) && child.status !== "paused" && child.status !== "pending")
      return false;
    const session = this.sessions.get(workflowId);
    if (!session) return !this.draining.has(workflowId) && !this.retired.has(workflowId);
    if (!session.isActiveChild(child.id)) return false;
    return isCompletedStatus(child.status) || session.childStatus(child.id) !== child.status;
  }

  /** Pause, resume or cancel; resolves with the execution as the step left it. */
  async control(id: string, request: ControlRequest): Promise<Execution> {
    await this.submit(id, { kind: "control", request });
    return this.options.executions.get(id);
  }

  /** Runs a step with no input: hands out whatever the conductor has staged. */
  async kick(id: string): Promise<void> {
    await this.submit(id, { kind: "kick" });
  }

  /** Commits `ops`; when the workflow is itself a child and its parent must hear of the change, through the parent's queue. */
  commitFor(
    execution: Execution,
    to: ExecutionStatus | null,
    ops: WriteOp[],
  ): Promise<CommitResult> {
    const result = ops.findLast(
      (o) => o.op === "execution.transition" && o.id === execution.id && o.options?.patch,
    );
    const patch = result?.op === "execution.transition" ? result.options?.patch : undefined;
    if (to !== null && parentCares(execution.status, to)) {
      const via = this.commitChildChange(execution, to, patch?.result ?? null, ops);
      if (via) return via;
    }
    return this.options.store.reactor.commit(ops);
  }

  submit(workflowId: string, input: StepInput): Promise<CommitResult> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(workflowId) ?? [];
      queue.push({ input, resolve, reject });
      this.queues.set(workflowId, queue);
      if (!this.draining.has(workflowId)) void this.drain(workflowId);
    });
  }

  private async drain(id: string): Promise<void> {
    this.draining.add(id);
    try {
      for (;;) {
        const queue = this.queues.get(id) ?? [];
        if (queue.length === 0) break;
        // A retried input runs alone; otherwise everything that arrived runs in one step.
        const batch = queue[0]?.solo ? queue.splice(0, 1) : queue.splice(0);
        await this.runBatch(id, batch);
      }
    } finally {
      this.queues.delete(id);
      this.draining.delete(id);
    }
  }

  private async runBatch(id: string, batch: Pending[]): Promise<void> {
    const { store, executions, log } = this.options;
    let ok = false;
    try {
      const session = await this.session(id);
      const execution = session ? await store.executions.get(id) : null;
      if (!session || !execution) {
        // Not a workflow this store knows: children's own writes still commit.
        for (const p of batch) {
          if (p.input.kind !== "child") p.reject(new Error(`workflow ${id} not found`));
          else await store.reactor.commit(p.input.ops).then(p.resolve, p.reject);
        }
        ok = true;
        return;
      }
      if (session.kvPlan)
        session.setLiveKv(await prefetchKv(store.kv, session.kvPlan, session.user()));
      const inputs = batch.map((p) => p.input);
      const step = await buildStep(
        session,
        execution,
        inputs,
        executions,
        this.snapshotEvery,
        [],
        this.inline(),
      );
      const committed =
        step.ops.length === 0
          ? { executions: [], instances: [] }
          : await this.commitFor(execution, step.to, step.ops);
      session.lastSeq += step.records;
      const compacted = step.ops.some((o) => o.op === "workflow.snapshot");
      session.sinceSnapshot = compacted ? 0 : session.sinceSnapshot + step.records;
      ok = true;
      let at = 0;
      for (const [n, p] of batch.entries()) {
        const count = p.input.kind === "child" ? shape(p.input.ops) : 0;
        const mine = committed.executions.slice(at, at + count);
        at += count;
        const refused = step.refused.get(n);
        if (refused) p.reject(refused);
        else p.resolve({ executions: mine, instances: [] });
      }
      executions.published(committed.executions.slice(at));
      if (isIn(step.status, COMPLETED)) this.retire(session);
      this.cascade(session, step.from, step.status);
    } catch (err) {
      this.sessions.delete(id);
      if (batch.length > 1 || !batch[0]?.solo) {
        log.debug(
          { err, workflowId: id, inputs: batch.length },
          "workflow step failed; retrying inputs one by one",
        );
        const queue = this.queues.get(id) ?? [];
        queue.unshift(...batch.map((p) => ({ ...p, solo: true })));
        this.queues.set(id, queue);
      } else {
        log.warn({ err, workflowId: id }, "workflow step failed");
        batch[0]?.reject(err);
      }
    } finally {
      if (!ok) this.sessions.delete(id);
    }
  }

  /**
   * Pause and cancel reach the children after the workflow's own change is stored: running
   * children are canceled, child workflows are paused or resumed with it. Not awaited inside the
   * drain: a child's reaction comes back through this workflow's queue.
   */
  private cascade(session: WorkflowSession, from: string, to: string): void {
    const { executions, log } = this.options;
    const children = session.activeChildren();
    const entered = (group: readonly string[]) => group.includes(to) && !group.includes(from);
    const act = (childId: string, what: () => Promise<unknown>) =>
      void what().catch((err: unknown) =>
        log.debug({ err, workflowId: session.id, childId }, "cascading to a child failed"),
      );
    if (entered(["canceling", "canceled"])) {
      for (const [childId] of children) act(childId, () => executions.cancel(childId));
    } else if (entered(PAUSE)) {
      for (const [childId, c] of children) if (c.workflow) act(childId, () => this.pause(childId));
    } else if (isIn(from as never, PAUSE) && (to === "resuming" || to === "running")) {
      for (const [childId, c] of children) if (c.workflow) act(childId, () => this.resume(childId));
    }
  }

  async pause(id: string): Promise<Execution> {
    return this.control(id, "pause");
  }

  async resume(id: string): Promise<Execution> {
    return this.control(id, "resume");
  }

  /** The cached session, or one rebuilt from the store; null when there is no such workflow. */
  async session(id: string): Promise<WorkflowSession | null> {
    const cached = this.sessions.get(id);
    if (cached) {
      // Most recently used last, so eviction drops the idlest workflow.
      this.sessions.delete(id);
      this.sessions.set(id, cached);
      return cached;
    }
    const stored = await this.options.store.workflows.getWorkflow(id);
    if (!stored) return null;
    const session = WorkflowSession.restore(stored, this.sessionOptions());
    this.remember(session);
    return session;
  }

  sessionOptions() {
    return this.options.decryptKv ? { decryptKv: this.options.decryptKv } : {};
  }

  private remember(session: WorkflowSession): void {
    this.sessions.set(session.id, session);
    for (const key of this.sessions.keys()) {
      if (this.sessions.size <= this.cacheSize) break;
      if (!this.draining.has(key)) this.sessions.delete(key);
    }
  }
}
