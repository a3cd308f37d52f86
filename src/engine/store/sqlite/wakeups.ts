/**
 * In-process wake-ups for queue consumers. SQLite has no LISTEN/NOTIFY; with a single writer
 * process, every enqueue passes through this object, so announcing committed work here is enough
 * to let idle workers sleep instead of polling.
 */

import { EventEmitter } from "node:events";
import type { Job } from "../contract.ts";

/** Resolves on wake-up, timeout or abort; `cancel` resolves it early and frees the listener. */
export interface Waiter {
  promise: Promise<void>;
  cancel(): void;
}

export class WakeUps {
  /** Jobs beyond this many waiting for one consumer are left to be claimed from the database. */
  static readonly HANDOVER_LIMIT = 100_000;
  readonly #emitter = new EventEmitter();
  #closed = false;
  /**
   * Committed jobs inserted already leased, by kind and lease owner, oldest first from `head`.
   * A consumer takes a few at a time from a backlog that can reach thousands under a burst, so
   * taking moves a head index instead of shifting the array (which made each take cost the
   * whole backlog and let a burst feed on itself).
   */
  readonly #handedOver = new Map<string, { jobs: Job[]; head: number }>();

  constructor() {
    // Any number of workers may wait on one kind; that is not a leak.
    this.#emitter.setMaxListeners(0);
  }

  /** Announces committed work. Call only after the transaction that wrote it has committed. */
  notify(kinds: Iterable<string>): void {
    for (const kind of kinds) this.#emitter.emit(eventName(kind));
  }

  /**
   * Keeps committed, already leased jobs for their owner's next `take`. Call only after the
   * transaction that wrote them has committed.
   */
  handOver(jobs: readonly Job[]): void {
    for (const job of jobs) {
      const key = handOverKey(job.kind, job.leaseOwner);
      let queue = this.#handedOver.get(key);
      if (!queue) {
        queue = { jobs: [], head: 0 };
        this.#handedOver.set(key, queue);
      }
      // A consumer that stopped taking: the oldest are dropped here and claimed from the
      // database once their lease lapses.
      if (queue.jobs.length - queue.head >= WakeUps.HANDOVER_LIMIT) queue.head++;
      queue.jobs.push(job);
      compact(queue);
    }
  }

  /**
   * Up to `n` jobs handed over to `owner`, oldest first. Jobs whose lease would end within
   * `minLeaseMs` are dropped instead: the database hands them out again once it lapses.
   */
  take(kind: string, owner: string, n: number, now: number, minLeaseMs: number): Job[] {
    const key = handOverKey(kind, owner);
    const queue = this.#handedOver.get(key);
    if (!queue) return [];
    const out: Job[] = [];
    while (queue.head < queue.jobs.length && out.length < n) {
      const job = queue.jobs[queue.head] as Job;
      queue.head++;
      if (job.leaseUntil - now >= minLeaseMs) out.push(job);
    }
    if (queue.head >= queue.jobs.length) this.#handedOver.delete(key);
    else compact(queue);
    return out;
  }

  /** Whether jobs of `kind` wait to be taken (by any owner). */
  hasHandedOver(kind: string): boolean {
    for (const [key, queue] of this.#handedOver)
      if (queue.jobs.length > queue.head && key.startsWith(`${kind}\u0000`)) return true;
    return false;
  }

  /** Forgets what was handed to `owner` (its leases are being released). */
  forgetOwner(owner: string): void {
    for (const key of [...this.#handedOver.keys()])
      if (key.endsWith(`\u0000${owner}`)) this.#handedOver.delete(key);
  }

  /** Registers synchronously, so work enqueued after this call is never missed. */
  wait(kind: string, timeoutMs: number, signal?: AbortSignal): Waiter {
    if (this.#closed || signal?.aborted) return { promise: Promise.resolve(), cancel: () => {} };
    const event = eventName(kind);
    let finish: () => void = () => {};
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), Math.max(0, timeoutMs));
      finish = () => {
        clearTimeout(timer);
        this.#emitter.off(event, finish);
        this.#emitter.off(CLOSE, finish);
        signal?.removeEventListener("abort", finish);
        resolve();
      };
      this.#emitter.once(event, finish);
      this.#emitter.once(CLOSE, finish);
      signal?.addEventListener("abort", finish, { once: true });
    });
    return { promise, cancel: () => finish() };
  }

  /** Releases every waiter, so workers notice the store closing instead of sleeping on. */
  close(): void {
    this.#closed = true;
    this.#emitter.emit(CLOSE);
  }
}

// Prefixed so a kind such as "error" cannot collide with EventEmitter's special events.
const eventName = (kind: string) => `kind:${kind}`;
const CLOSE = "store:close";
const handOverKey = (kind: string, owner: string) => `${kind}\u0000${owner}`;

/** Drops taken entries once they are most of the array, so memory follows the backlog. */
function compact(queue: { jobs: Job[]; head: number }): void {
  if (queue.head > 1024 && queue.head * 2 > queue.jobs.length) {
    queue.jobs = queue.jobs.slice(queue.head);
    queue.head = 0;
  }
}
