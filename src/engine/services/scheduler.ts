/**
 * The scheduler: moves `requested` executions to `scheduled` (or `delayed` first when a delay
 * was asked for), handing each one to the action workers through the queue in the same
 * transaction. Concurrency and rate policies plug in here (a later issue).
 *
 * Every step is idempotent: a job replayed after a crash finds the execution already moved and
 * only completes itself.
 */

import { ConflictError } from "../../core/errors.ts";
import type { Logger } from "../logger.ts";
import type { Job, JobRef, Store } from "../store/contract.ts";
import { type ClaimLoop, startClaimLoop } from "./claim-loop.ts";
import type { ExecutionService } from "./executions.ts";
import { jobExecutionId, runWork, scheduleWork, WORK } from "./work-kinds.ts";

export interface SchedulerOptions {
  store: Store;
  executions: ExecutionService;
  nodeId: string;
  leaseMs: number;
  log: Logger;
  signal: AbortSignal;
  now?: () => number;
}

export function startScheduler(options: SchedulerOptions): ClaimLoop {
  const { store, executions, log } = options;
  const now = options.now ?? Date.now;
  const owner = `${options.nodeId}:scheduler`;

  async function handle(job: Job): Promise<void> {
    const ref: JobRef = { id: job.id, owner };
    const id = jobExecutionId(job.payload);
    if (id === null) return store.queue.fail(ref, "job payload has no execution id");
    // A cancel may race with us; on conflict re-read and decide again.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await step(id, ref);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    await store.queue.fail(ref, "execution kept changing while being scheduled", now() + 1_000);
  }

  async function step(id: string, job: JobRef): Promise<void> {
    const execution = await store.executions.get(id);
    if (!execution) return store.queue.fail(job, `execution ${id} not found`);
    const { status, delay } = execution;
    if (status === "requested" && delay && delay > 0) {
      await executions.transition(id, "delayed", {
        expectFrom: ["requested"],
        completeJob: job,
        enqueue: [{ ...scheduleWork(id, now() + delay), key: `delayed:${id}` }],
      });
      log.debug({ executionId: id, delay }, "execution delayed");
      return;
    }
    if (status === "requested" || status === "delayed") {
      await executions.transition(id, "scheduled", {
        expectFrom: [status],
        completeJob: job,
        enqueue: [runWork(id)],
      });
      return;
    }
    // Already scheduled, canceled or further along: this job was a replay.
    await store.queue.complete(job);
  }

  return startClaimLoop({
    queue: store.queue,
    kind: WORK.schedule,
    owner,
    leaseMs: options.leaseMs,
    concurrency: 256,
    handle,
    log,
    signal: options.signal,
  });
}
