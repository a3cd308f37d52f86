/**
 * The one loop every queue consumer shares: claim what is due, hand each job to a handler, and
 * sleep on the queue's wake-up (not a polling interval) when there is nothing to do.
 *
 * The idle cap exists only for work this process cannot be told about: leases of a dead
 * process that expire, and jobs enqueued by another process on the same database.
 */

import type { Logger } from "pino";
import type { Job, WorkQueue } from "../store/contract.ts";

export interface ClaimLoopOptions {
  queue: WorkQueue;
  kind: string;
  owner: string;
  leaseMs: number;
  /** How many claimed jobs may be in flight (claimed and not yet settled) at once. */
  concurrency: number;
  /** Handles one job. Must complete, extend or fail the job itself; errors are logged. */
  handle?: (job: Job) => Promise<void>;
  /**
   * Handles a whole claimed batch at once (instead of `handle`), for consumers that commit a
   * batch in one transaction. Capacity counts batches, not jobs.
   */
  handleBatch?: (jobs: Job[]) => Promise<void>;
  log: Logger;
  signal: AbortSignal;
  /** Upper bound on one idle wait, in ms. */
  idleMs?: number;
  batch?: number;
}

export interface ClaimLoop {
  /** Resolves when the loop has stopped claiming and every handler it started has settled. */
  readonly done: Promise<void>;
  /** Wakes the loop, e.g. when a handler finished and freed capacity. */
  poke(): void;
}

export function startClaimLoop(options: ClaimLoopOptions): ClaimLoop {
  const { queue, kind, owner, leaseMs, log, signal } = options;
  let jobsInFlight = 0;
  const handleBatch =
    options.handleBatch ??
    ((jobs: Job[]) => {
      const handle = options.handle;
      if (!handle) throw new Error(`claim loop for ${kind} has no handler`);
      return Promise.all(
        jobs.map((job) =>
          handle(job).catch((err: unknown) =>
            log.error({ err, kind, jobId: job.id }, "work handler failed"),
          ),
        ),
      ).then(() => undefined);
    });
  const idleMs = options.idleMs ?? 1_000;
  const batch = options.batch ?? 64;
  const inFlight = new Set<Promise<void>>();
  let wake: (() => void) | null = null;

  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  const sleepUntilPoked = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      wake = done;
      signal.addEventListener("abort", done, { once: true });
    });

  async function loop(): Promise<void> {
    while (!signal.aborted) {
      const free = options.concurrency - jobsInFlight;
      if (free <= 0) {
        await sleepUntilPoked(idleMs);
        continue;
      }
      let jobs: Job[];
      try {
        jobs = await queue.claim(kind, Math.min(free, batch), owner, leaseMs);
      } catch (err) {
        log.error({ err, kind }, "claiming work failed; retrying");
        await sleepUntilPoked(idleMs);
        continue;
      }
      if (jobs.length === 0) {
        const next = await queue.nextRunAt(kind);
        const wait = next === null ? idleMs : Math.min(idleMs, Math.max(0, next - Date.now()));
        if (wait > 0) await queue.waitFor(kind, wait, signal);
        continue;
      }
      jobsInFlight += jobs.length;
      const p: Promise<void> = handleBatch(jobs)
        .catch((err: unknown) => log.error({ err, kind, jobs: jobs.length }, "work handler failed"))
        .finally(() => {
          jobsInFlight -= jobs.length;
          inFlight.delete(p);
          poke();
        });
      inFlight.add(p);
    }
    await Promise.allSettled([...inFlight]);
  }

  return { done: loop(), poke };
}
