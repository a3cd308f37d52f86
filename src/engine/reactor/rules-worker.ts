/**
 * The rules engine's worker: claims batches of pending trigger instances, matches each against
 * the in-memory rule index, and commits everything a batch caused in ONE transaction: rule
 * enforcements, executions with their scheduling jobs, trace links, the instances' final
 * status and the completion of their jobs. Batching is what lets SQLite's commit rate carry
 * thousands of events a second.
 *
 * If a batch's commit fails, its instances are retried one by one so a single bad instance
 * cannot hold back the others; that instance ends `processing_failed` with the reason.
 */

import type { TemplateEngine } from "../../core/expr/template.ts";
import type { Logger } from "../logger.ts";
import { type ClaimLoop, startClaimLoop } from "../services/claim-loop.ts";
import type { ExecutionService } from "../services/executions.ts";
import { WORK } from "../services/work-kinds.ts";
import type { Job, JobRef, Store } from "../store/contract.ts";
import type { WriteOp } from "../store/reactor-contract.ts";
import { createEnforcer } from "./enforcer.ts";
import type { RulesService } from "./rules-service.ts";

export interface RulesWorkerOptions {
  store: Store;
  rules: RulesService;
  executions: ExecutionService;
  engine: TemplateEngine;
  log: Logger;
  nodeId: string;
  leaseMs: number;
  signal: AbortSignal;
  now?: () => number;
  batchSize?: number;
}

export function startRulesWorker(options: RulesWorkerOptions): ClaimLoop {
  const { store, log } = options;
  const owner = `${options.nodeId}:rules`;
  const { enforce } = createEnforcer(options);

  async function opsForJob(job: Job): Promise<WriteOp[]> {
    const ref: JobRef = { id: job.id, owner };
    const id = typeof job.payload.id === "string" ? job.payload.id : null;
    const instance = id ? await store.reactor.getInstance(id) : null;
    if (!instance || instance.status === "processed" || instance.status === "processing_failed")
      return [{ op: "job.complete", job: ref }]; // gone, or a replay of finished work
    const ops = await enforce(instance);
    ops.push(
      { op: "instance.status", id: instance.id, status: "processed" },
      { op: "job.complete", job: ref },
    );
    return ops;
  }

  async function commitAndPublish(ops: WriteOp[]): Promise<void> {
    const result = await store.reactor.commit(ops);
    options.executions.published(result.executions);
  }

  async function handleBatch(jobs: Job[]): Promise<void> {
    const perJob: WriteOp[][] = [];
    for (const job of jobs) {
      try {
        perJob.push(await opsForJob(job));
      } catch (err) {
        perJob.push(failedOps(job, err));
      }
    }
    try {
      await commitAndPublish(perJob.flat());
      return;
    } catch (err) {
      log.warn({ err, jobs: jobs.length }, "batch commit failed; committing instances one by one");
    }
    for (const [i, ops] of perJob.entries()) {
      const job = jobs[i];
      if (!job) continue;
      try {
        await commitAndPublish(ops);
      } catch (err) {
        await commitAndPublish(failedOps(job, err)).catch((e: unknown) =>
          log.error({ err: e, jobId: job.id }, "could not record a failed trigger instance"),
        );
      }
    }
  }

  function failedOps(job: Job, err: unknown): WriteOp[] {
    const message = err instanceof Error ? err.message : String(err);
    const ops: WriteOp[] = [{ op: "job.complete", job: { id: job.id, owner } }];
    if (typeof job.payload.id === "string")
      ops.unshift({
        op: "instance.status",
        id: job.payload.id,
        status: "processing_failed",
        error: message,
      });
    return ops;
  }

  return startClaimLoop({
    queue: store.queue,
    kind: WORK.triggerProcess,
    owner,
    leaseMs: options.leaseMs,
    concurrency: (options.batchSize ?? 100) * 2,
    batch: options.batchSize ?? 100,
    handleBatch,
    log,
    signal: options.signal,
  });
}
