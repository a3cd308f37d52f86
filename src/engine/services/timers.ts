/**
 * The timer service: fires IntervalTimer, DateTimer and CronTimer triggers (st2's timers
 * engine) from any number of nodes without duplicates and without losing the schedule on a
 * restart.
 *
 * Each occurrence is a `timer.fire` job keyed by trigger and fire time, due at the fire time.
 * Handling one commits, in one transaction, the trigger instance, the job's completion and the
 * job for the next occurrence, so a crash either fires and reschedules or does neither, and the
 * lease ensures only one node handles it. `syncTimers` (at start, periodically, and when rules
 * change) enqueues each timer's next occurrence; the keys make that idempotent, so chains that
 * meet merge. Removed triggers are not chased: their pending job finds the trigger gone at fire
 * time and ends the chain. Changed parameters end the old chain the same way (the job carries
 * the parameters it was computed from) and start the new schedule.
 *
 * Late fires follow APScheduler's defaults as st2 uses them (misfire_grace_time 1 s, coalesce):
 * an occurrence handled more than the grace after its time is skipped, several missed ones
 * collapse into at most one fire, and the next occurrence is the first one after now.
 */

import { ConflictError, ValidationError } from "../../core/errors.ts";
import type { TriggerDef } from "../../core/reactor/model.ts";
import {
  isTimerType,
  nextFireTime,
  parseTimerSpec,
  TIMER_TYPES,
  type TimerPayload,
  type TimerSpec,
  timerPayload,
  timerTraceTag,
} from "../../core/timers/index.ts";
import type { Logger } from "../logger.ts";
import { type Job, type JobRef, MAX_PAGE_SIZE, type Store } from "../store/contract.ts";
import type { WriteOp } from "../store/reactor-contract.ts";
import { canonicalJson, type FireJob, fireWork, readFireJob, TIMER_FIRE } from "./timers/work.ts";

export { TIMER_FIRE } from "./timers/work.ts";

/** What the service asks of whoever creates trigger instances (the reactor's instance builder). */
export interface TimerDispatchOptions {
  traceTag: string;
  /** Suppresses a second instance for the same occurrence, whichever node or chain makes it. */
  idempotency: { key: string; expiresAt: number };
  /** Occurrence time, ms since the epoch. */
  at: number;
}

/** Builds the writes that create one trigger instance; they are committed with the job's own. */
export type TimerEmit = (
  triggerRef: string,
  payload: TimerPayload,
  options: TimerDispatchOptions,
) => Promise<{ ops: WriteOp[] }> | { ops: WriteOp[] };

export interface TimerServiceOptions {
  store: Store;
  clock: { now(): number };
  signal: AbortSignal;
  log: Logger;
  emit: TimerEmit;
  /** Names this node's leases; default "node". */
  nodeId?: string;
  /** How long a claimed fire job is held before another node may take it; default 30 s. */
  leaseMs?: number;
  /** How late an occurrence may still fire; default 1 s (APScheduler's default). */
  misfireGraceMs?: number;
  /** Zone of timers without a `timezone` parameter; default UTC. */
  defaultTimezone?: string;
  /** Longest sleep between looks at the queue (jobs from other processes); default 1 s. */
  idleMs?: number;
  /** How often to re-read the timer triggers (ones created by other nodes); default 60 s. */
  resyncMs?: number;
  /**
   * Whether any enabled rule uses this timer trigger. A timer nobody listens to is not
   * scheduled, and its pending occurrence ends its chain, so a disabled rule's timer stops.
   */
  inUse?: (triggerRef: string) => boolean;
}

export interface TimerSyncResult {
  /** Timers whose next occurrence is enqueued (or already was). */
  scheduled: number;
  /** Date timers in the past and schedules that can never fire. */
  finished: number;
  /** Triggers whose parameters are not a valid timer; logged and left alone. */
  invalid: number;
}

export interface TimerService {
  /** Resolves when the service has stopped (after `signal` aborts). */
  readonly done: Promise<void>;
  /** Enqueues the next occurrence of every timer trigger; call after timer triggers change. */
  syncTimers(): Promise<TimerSyncResult>;
  /** Handles the fire jobs due now; returns how many. The loop calls it; tests may too. */
  runDue(): Promise<number>;
}

const BATCH = 64;
/** Idempotency keys outlive the grace window by this much, covering clock skew between nodes. */
const KEY_MARGIN_MS = 60_000;

/**
 * A job claimed for `fireAt` at `now`: which occurrence to fire (if any) and which comes next.
 * The job's own time is trusted rather than recomputed: in a DST gap, the occurrence reached
 * from the day before (02:30 → 03:30 EDT) is not found again by searching from just before it.
 */
export function planFire(
  spec: TimerSpec,
  fireAt: number,
  now: number,
  graceMs: number,
): { fireFor: number | null; next: number | null } {
  const next = nextFireTime(spec, new Date(Math.max(now, fireAt)))?.getTime() ?? null;
  if (now - fireAt <= graceMs) return { fireFor: fireAt, next };
  // Late: the most recent occurrence may still be within the grace (coalescing the rest).
  const recent = nextFireTime(spec, new Date(now - graceMs - 1))?.getTime() ?? null;
  return { fireFor: recent !== null && recent <= now ? recent : null, next };
}

export function startTimerService(options: TimerServiceOptions): TimerService {
  const { store, clock, signal, log, emit } = options;
  const owner = `${options.nodeId ?? "node"}:timers`;
  const leaseMs = options.leaseMs ?? 30_000;
  const graceMs = options.misfireGraceMs ?? 1_000;
  const idleMs = options.idleMs ?? 1_000;
  const resyncMs = options.resyncMs ?? 60_000;
  const parseOptions = { defaultTimezone: options.defaultTimezone ?? "UTC" };

  function specOf(trigger: TriggerDef): TimerSpec | null {
    try {
      return parseTimerSpec(trigger.type, trigger.parameters, parseOptions);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      log.warn(
        { trigger: trigger.ref, field: err.location?.field },
        `timer not scheduled: ${err.message}`,
      );
      return null;
    }
  }

  async function syncTimers(): Promise<TimerSyncResult> {
    const result: TimerSyncResult = { scheduled: 0, finished: 0, invalid: 0 };
    const now = clock.now();
    const items = [];
    for (const type of TIMER_TYPES) {
      for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
        const page = await store.reactor.listTriggers({ type }, { limit: MAX_PAGE_SIZE, offset });
        for (const trigger of page.items) {
          if (options.inUse && !options.inUse(trigger.ref)) continue;
          const spec = specOf(trigger);
          if (!spec) {
            result.invalid++;
            continue;
          }
          const next = nextFireTime(spec, new Date(now));
          if (!next) {
            result.finished++;
            continue;
          }
          const params = canonicalJson(trigger.parameters);
          items.push(fireWork({ trigger: trigger.ref, fireAt: next.getTime(), params }));
          result.scheduled++;
        }
        if (page.items.length < MAX_PAGE_SIZE) break;
      }
    }
    if (items.length > 0) await store.queue.enqueue(items);
    log.debug({ ...result }, "timers synced");
    return result;
  }

  async function handle(job: Job): Promise<void> {
    const ref: JobRef = { id: job.id, owner };
    const fire = readFireJob(job.payload);
    if (!fire) return store.queue.fail(ref, "timer.fire job without trigger, fire_at and params");
    const trigger = await store.reactor.getTrigger(fire.trigger);
    const spec = trigger && isTimerType(trigger.type) ? specOf(trigger) : null;
    if (!trigger || !spec || (options.inUse && !options.inUse(trigger.ref))) {
      log.debug(
        { trigger: fire.trigger },
        "timer trigger gone, invalid or unused; its schedule ends",
      );
      return store.queue.complete(ref);
    }
    const now = clock.now();
    const params = canonicalJson(trigger.parameters);
    const ops: WriteOp[] = [];
    let next: number | null;
    // A job computed under old parameters fires only if its time is also an occurrence of the
    // new schedule: the new chain's job for that time was a no-op because this one held the key.
    const current =
      params === fire.params ||
      nextFireTime(spec, new Date(fire.fireAt - 1))?.getTime() === fire.fireAt;
    if (!current) {
      next = nextFireTime(spec, new Date(Math.max(now, fire.fireAt)))?.getTime() ?? null;
    } else {
      const plan = planFire(spec, fire.fireAt, now, graceMs);
      next = plan.next;
      if (plan.fireFor === null) {
        log.warn(
          {
            trigger: trigger.ref,
            fireAt: new Date(fire.fireAt).toISOString(),
            lateMs: now - fire.fireAt,
          },
          "timer occurrence missed (later than the misfire grace); skipped",
        );
      } else {
        const key = `timer:${trigger.ref}:${new Date(plan.fireFor).toISOString()}`;
        const built = await emit(trigger.ref, timerPayload(trigger, now), {
          traceTag: timerTraceTag(trigger),
          idempotency: { key, expiresAt: plan.fireFor + graceMs + KEY_MARGIN_MS },
          at: now,
        });
        ops.push(...built.ops);
      }
    }
    ops.push({ op: "job.complete", job: ref });
    if (next !== null) {
      const upcoming: FireJob = { trigger: trigger.ref, fireAt: next, params };
      ops.push({ op: "job.enqueue", items: [fireWork(upcoming)] });
    }
    await store.reactor.commit(ops);
  }

  async function runDue(): Promise<number> {
    const jobs = await store.queue.claim(TIMER_FIRE, BATCH, owner, leaseMs);
    for (const job of jobs) {
      try {
        await handle(job);
      } catch (err) {
        if (err instanceof ConflictError) {
          log.info({ jobId: job.id }, "timer job taken over by another node");
          continue;
        }
        log.error({ err, jobId: job.id, payload: job.payload }, "timer fire failed; retrying");
        // A retry later than the grace skips this occurrence but keeps the chain going.
        await store.queue
          .fail({ id: job.id, owner }, String(err), clock.now() + 1_000)
          .catch((e: unknown) =>
            log.error({ err: e, jobId: job.id }, "could not release timer job"),
          );
      }
    }
    return jobs.length;
  }

  async function loop(): Promise<void> {
    let lastSync = Number.NEGATIVE_INFINITY;
    while (!signal.aborted) {
      let handled = 0;
      try {
        if (clock.now() - lastSync >= resyncMs) {
          lastSync = clock.now();
          await syncTimers();
        }
        handled = await runDue();
      } catch (err) {
        log.error({ err }, "timer service step failed; retrying");
      }
      if (handled > 0 || signal.aborted) continue;
      const nextRun = await store.queue.nextRunAt(TIMER_FIRE).catch(() => null);
      const now = clock.now();
      const wait = Math.min(
        idleMs,
        lastSync + resyncMs - now,
        nextRun === null ? idleMs : nextRun - now,
      );
      // A floor keeps a job that is due but not claimable (held elsewhere) from spinning us.
      await store.queue.waitFor(TIMER_FIRE, Math.max(wait, 10), signal);
    }
  }

  return { done: loop(), syncTimers, runDue };
}
