/**
 * The action worker: claims `scheduled` executions, runs them through their runner, and commits
 * the outcome together with the completion of its job.
 *
 * Crash semantics (the invariant the kill -9 test checks): the run job stays leased for as long
 * as the action runs, kept alive by a heartbeat. If this process dies, the lease lapses and
 * whichever worker claims the job next finds the execution still `running`. Nobody can know
 * what the dead action did, so, like StackStorm, it is marked `abandoned` rather than run twice.
 * A job found at `scheduled` had not started and simply runs.
 */

import type { ActionDef, RunnerType } from "../../core/content/model.ts";
import { ConflictError, IllegalTransitionError } from "../../core/errors.ts";
import type { Execution } from "../../core/execution/model.ts";
import { isCompleted } from "../../core/execution/status.ts";
import type { EventBus } from "../events.ts";
import { nowIso } from "../ids.ts";
import type { Logger, SecretRegistry } from "../logger.ts";
import type { Runner, RunnerOutcome, RunRequest } from "../runners/contract.ts";
import type { Job, JobRef, Store } from "../store/contract.ts";
import type { WriteOp } from "../store/reactor-contract.ts";
import { type ClaimLoop, startClaimLoop } from "./claim-loop.ts";
import type { ExecutionService } from "./executions.ts";
import type { ProcessGroupRecords } from "./orphans.ts";
import { OutputBuffer } from "./output-buffer.ts";
import { jobExecutionId, WORK } from "./work-kinds.ts";

/** Nothing cancels an in-process run midway, so one signal that never aborts serves them all. */
const NEVER_ABORTED = new AbortController().signal;

/** In-process runs print nothing; one sink serves them all. */
const DISCARD_OUTPUT: RunRequest["output"] = { write: () => undefined };

/** Everything a runner needs, resolved from the execution (parameters rendered and cast). */
export interface PreparedRun {
  action: ActionDef;
  runner: RunnerType;
  parameters: Record<string, unknown>;
  secretNames: ReadonlySet<string>;
  packPath: string;
  entryPointPath: string | null;
}

export interface ActionWorkerOptions {
  store: Store;
  executions: ExecutionService;
  runners: ReadonlyMap<string, Runner>;
  prepare: (execution: Execution) => Promise<PreparedRun>;
  bus: EventBus;
  secrets: SecretRegistry;
  log: Logger;
  nodeId: string;
  leaseMs: number;
  concurrency: number;
  apiUrl: () => string;
  signal: AbortSignal;
  /**
   * Builds a completed execution's trigger instances so they commit with the completion itself
   * (one hand-off fewer); without it the notifier picks completions up from the queue.
   */
  notifications?: (completed: Execution) => Promise<WriteOp[]>;
  /**
   * Trigger instances an execution emits when its runner reports `pending` (an inquiry's
   * `core.st2.generic.inquiry`), committed with the `pending` transition.
   */
  pendingNotifications?: (pending: Execution) => Promise<WriteOp[]>;
  /** The workflow engine (src/engine/workflow), which starts workflow executions itself. */
  workflows?: {
    handles(runnerType: string): boolean;
    start(execution: Execution, job: JobRef): Promise<void>;
  };
  /** Where running actions' process groups are recorded (see orphans.ts). */
  processGroups?: ProcessGroupRecords;
  /** Per-execution API tokens (ST2_ACTION_AUTH_TOKEN), revoked when the run ends. */
  executionTokens?: {
    issue(execution: Execution): string;
    revoke(token: string): void;
  };
}

export interface ActionWorker extends ClaimLoop {
  /** Executions this node is running right now. */
  running(): string[];
  /** Cancels everything still running and records it `abandoned` (graceful shutdown's last step). */
  abandonRunning(reason: string): Promise<void>;
}

export function startActionWorker(options: ActionWorkerOptions): ActionWorker {
  const { store, executions, log, leaseMs } = options;
  const owner = `${options.nodeId}:worker`;
  const active = new Map<string, AbortController>();
  const scheduledHere = new JustScheduled();

  // Cancels requested through this process reach the runner at once; cancels from another
  // process are noticed by the heartbeat.
  const onUpdate = (execution: Execution) => {
    if (execution.status === "canceling") active.get(execution.id)?.abort("canceled");
    scheduledHere.note(execution);
  };
  options.bus.on("execution.update", onUpdate);
  // Performance: runs this node schedules come to this worker without a claim (see WorkItem.lease).
  executions.leaseRunsTo({ owner, ms: leaseMs });
  options.signal.addEventListener(
    "abort",
    () => {
      options.bus.off("execution.update", onUpdate);
      executions.leaseRunsTo(undefined);
    },
    { once: true },
  );

  async function handle(job: Job): Promise<void> {
    const ref: JobRef = { id: job.id, owner };
    const id = jobExecutionId(job.payload);
    if (id === null) return store.queue.fail(ref, "job payload has no execution id");
    const execution = scheduledHere.take(id) ?? (await store.executions.get(id));
    if (!execution) return store.queue.fail(ref, `execution ${id} not found`);
    if (active.has(id)) return store.queue.extend(ref, leaseMs);

    switch (execution.status) {
      case "scheduled":
        return run(execution, ref);
      case "canceling":
        await finish(id, "canceled", null, ref, undefined, execution);
        return;
      default:
        if (isCompleted(execution.status)) return store.queue.complete(ref);
        if (options.processGroups?.killOrphan(id))
          log.warn({ executionId: id }, "killed the processes the stopped node left running");
        // running/pausing/pending/… with nobody holding it: its runner died with the process.
        await finish(
          id,
          "abandoned",
          {
            error: `execution was ${execution.status} on ${execution.runner_node ?? "a node"} that stopped`,
          },
          ref,
          undefined,
          execution,
        );
        log.warn({ executionId: id, was: execution.status }, "execution abandoned after a crash");
    }
  }

  async function run(execution: Execution, job: JobRef): Promise<void> {
    const id = execution.id;
    // Workflows are conducted by the workflow engine, not run by a runner.
    if (options.workflows?.handles(execution.action.runner_type))
      return options.workflows.start(execution, job);
    const runner = options.runners.get(execution.action.runner_type);
    if (runner?.inProcess) return runInProcess(execution, runner, job);
    try {
      await executions.transition(id, "running", {
        expectFrom: ["scheduled"],
        patch: { runner_node: options.nodeId },
      });
    } catch (err) {
      if (err instanceof ConflictError) return; // canceled meanwhile; the job is replayed and completed
      throw err;
    }
    const controller = new AbortController();
    active.set(id, controller);
    const heartbeat = setInterval(
      () => void beat(id, job, controller),
      Math.max(200, Math.floor(leaseMs / 3)),
    );
    let outcome: RunnerOutcome;
    let prepared: PreparedRun | null = null;
    let authToken = "";
    const output = new OutputBuffer(id, store.executions, options.bus, log, (t) =>
      options.secrets.maskText(t),
    );
    try {
      prepared = await options.prepare(execution);
      for (const name of prepared.secretNames) options.secrets.add(prepared.parameters[name]);
      const runner = options.runners.get(prepared.runner.name);
      if (!runner)
        throw new Error(
          `runner ${prepared.runner.name} is not available in this version of Squall`,
        );
      authToken = options.executionTokens?.issue(execution) ?? "";
      options.secrets.add(authToken);
      outcome = await runner.run({
        ...runRequest(execution, prepared, output, controller.signal),
        authToken,
        onSpawn: (pgid) => options.processGroups?.record(id, pgid),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      outcome = { status: "failed", result: { error: message } };
    } finally {
      clearInterval(heartbeat);
      options.processGroups?.forget(id);
      if (authToken !== "") {
        try {
          options.executionTokens?.revoke(authToken);
        } catch (err) {
          log.warn({ err, executionId: id }, "could not revoke the execution's token");
        }
      }
    }
    await output.flush();
    const result = options.secrets.maskDeep(outcome.result);
    if (prepared)
      for (const name of prepared.secretNames) options.secrets.remove(prepared.parameters[name]);
    options.secrets.remove(authToken);
    active.delete(id);
    const status = controller.signal.aborted ? "canceled" : outcome.status;
    let notifications: WriteOp[] | undefined;
    try {
      // A pending execution has not completed: it announces itself instead of notifying.
      const build = status === "pending" ? options.pendingNotifications : options.notifications;
      notifications = await build?.({
        ...execution,
        status,
        result,
        end_timestamp: status === "pending" ? null : new Date().toISOString(),
        runner_node: options.nodeId,
      });
    } catch (err) {
      // The notifier will build them from the stored execution instead.
      log.warn({ err, executionId: id }, "could not prepare notifications inline");
    }
    await finish(id, status, result, job, notifications, execution);
  }

  function runRequest(
    execution: Execution,
    prepared: PreparedRun,
    output: RunRequest["output"],
    signal: AbortSignal,
  ): RunRequest {
    return {
      executionId: execution.id,
      action: prepared.action,
      runner: prepared.runner,
      parameters: prepared.parameters,
      secretNames: prepared.secretNames,
      packPath: prepared.packPath,
      entryPointPath: prepared.entryPointPath,
      apiUrl: options.apiUrl(),
      // Set by run() for runners that start processes (see executionTokens).
      authToken: "",
      user: execution.context.user ?? "stanley",
      output,
      signal,
    };
  }

  /** Runs an in-process runner, then commits `running` and the outcome in one transaction. */
  async function runInProcess(execution: Execution, runner: Runner, job: JobRef): Promise<void> {
    const id = execution.id;
    let outcome: RunnerOutcome;
    try {
      const prepared = await options.prepare(execution);
      outcome = await runner.run(runRequest(execution, prepared, DISCARD_OUTPUT, NEVER_ABORTED));
    } catch (err) {
      outcome = {
        status: "failed",
        result: { error: err instanceof Error ? err.message : String(err) },
      };
    }
    const result = options.secrets.maskDeep(outcome.result);
    const completed = {
      ...execution,
      status: outcome.status,
      result,
      end_timestamp: nowIso(),
    };
    const notifications = await options.notifications?.(completed).catch(() => undefined);
    try {
      await executions.transitions(
        id,
        [
          { to: "running", expectFrom: ["scheduled"], patch: { runner_node: options.nodeId } },
          { to: outcome.status, patch: { result } },
        ],
        { completeJob: job, execution, ...(notifications ? { notifications } : {}) },
      );
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // Canceled meanwhile: nothing ran outside this process, so the job is simply done.
      await store.queue.complete(job).catch(() => undefined);
    }
  }

  async function finish(
    id: string,
    status: RunnerOutcome["status"] | "abandoned",
    result: unknown,
    job: JobRef,
    notifications?: WriteOp[],
    /** As read before the run: lets a workflow child's end advance its workflow in the same commit. */
    execution?: Execution,
  ) {
    try {
      await executions.transition(id, status, {
        expectFrom: ["running", "canceling", "pending", "pausing", "paused", "resuming"],
        patch: { result },
        completeJob: job,
        ...(notifications ? { notifications } : {}),
        ...(execution ? { execution } : {}),
      });
    } catch (err) {
      // Someone else already completed it (e.g. abandoned during shutdown): keep their answer.
      if (!(err instanceof ConflictError || err instanceof IllegalTransitionError)) throw err;
      // A cancel that landed while the runner was asking cannot wait for an answer (canceling
      // may not become pending): nothing runs any more, so the cancel completes now.
      if (status === "pending" && err instanceof IllegalTransitionError && err.from === "canceling")
        return finish(id, "canceled", result, job, undefined, execution);
      await store.queue.complete(job).catch(() => undefined);
    }
  }

  async function beat(id: string, job: JobRef, controller: AbortController): Promise<void> {
    try {
      await store.queue.extend(job, leaseMs);
      const current = await store.executions.get(id);
      if (current?.status === "canceling" && !controller.signal.aborted)
        controller.abort("canceled");
    } catch (err) {
      log.error({ err, executionId: id }, "lease heartbeat failed");
    }
  }

  const loop = startClaimLoop({
    queue: store.queue,
    kind: WORK.run,
    owner,
    leaseMs,
    concurrency: options.concurrency,
    handle,
    log,
    signal: options.signal,
  });

  return {
    ...loop,
    running: () => [...active.keys()],
    async abandonRunning(reason: string) {
      const ids = [...active.keys()];
      for (const id of ids) {
        await executions
          .transition(id, "abandoned", {
            expectFrom: ["running", "canceling"],
            patch: { result: { error: reason } },
          })
          .catch((err: unknown) =>
            log.warn({ err, executionId: id }, "could not abandon execution"),
          );
        active.get(id)?.abort("canceled");
      }
    },
  };
}

/**
 * Executions this process has just seen become `scheduled` (on the bus, after their commit), so
 * the worker that claims one does not read back and decode the row just written. Each is handed
 * out once: a replayed job reads the database. A stale entry (canceled by another process) is
 * harmless: every start is a transition that expects `scheduled` and fails otherwise.
 */
class JustScheduled {
  static readonly LIMIT = 10_000;
  readonly #byId = new Map<string, Execution>();

  note(execution: Execution): void {
    if (execution.status !== "scheduled") {
      this.#byId.delete(execution.id);
      return;
    }
    this.#byId.set(execution.id, execution);
    if (this.#byId.size > JustScheduled.LIMIT) {
      const oldest = this.#byId.keys().next().value;
      if (oldest !== undefined) this.#byId.delete(oldest);
    }
  }

  take(id: string): Execution | undefined {
    const hit = this.#byId.get(id);
    if (hit) this.#byId.delete(id);
    return hit;
  }
}
