/**
 * The durable work queue on SQLite: jobs with leases, keyed de-duplication, and dead jobs kept
 * with their error. `JobTable` holds the operations that must also run inside other aggregates'
 * transactions (the outbox: an execution's state change and the work it causes commit together).
 */

import type { Database, Statement } from "better-sqlite3";
import { ConflictError, ValidationError } from "../../../core/errors.ts";
import type { Job, JobRef, WorkItem, WorkQueue } from "../contract.ts";
import { asStored, parseJson, requireText, type TxEffects, type Writer } from "./shared.ts";
import * as sql from "./sql/queue.ts";
import type { WakeUps } from "./wakeups.ts";

interface JobRow {
  id: number;
  kind: string;
  payload: string;
  run_at: number;
  ready_at: number;
  key: string | null;
  attempts: number;
  lease_owner: string;
  lease_until: number;
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    payload: parseJson<Record<string, unknown>>(row.payload, `jobs.payload (id ${row.id})`),
    runAt: row.run_at,
    key: row.key,
    attempts: row.attempts,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
  };
}

function checkItem(item: WorkItem, index: number): void {
  const field = `enqueue[${index}]`;
  requireText(item?.kind, `${field}.kind`);
  const payload: unknown = item.payload;
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new ValidationError(`${field}.payload must be an object`, { field: `${field}.payload` });
  }
  if (item.runAt !== undefined && !Number.isFinite(item.runAt)) {
    throw new ValidationError(`${field}.runAt must be a finite number of ms`, {
      field: `${field}.runAt`,
    });
  }
  if (item.key !== undefined) requireText(item.key, `${field}.key`);
  if (item.lease !== undefined) {
    requireText(item.lease?.owner, `${field}.lease.owner`);
    if (!Number.isFinite(item.lease.ms) || item.lease.ms <= 0)
      throw new ValidationError(`${field}.lease.ms must be a positive number of ms`, {
        field: `${field}.lease.ms`,
      });
  }
}

function checkRef(job: JobRef): void {
  if (!Number.isInteger(job?.id)) {
    throw new ValidationError("job id must be an integer", { field: "id" });
  }
  requireText(job.owner, "owner");
}

function checkLease(leaseMs: number): void {
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new ValidationError(`leaseMs must be a positive number, got ${String(leaseMs)}`, {
      field: "leaseMs",
    });
  }
}

/** Job operations that run inside a caller's transaction. */
export class JobTable {
  readonly #insert: Statement;
  readonly #insertLeased: Statement;
  readonly #lease: Statement<[number], { kind: string; lease_owner: string | null }>;
  readonly #delete: Statement<[number]>;
  readonly #deleteHeld: Statement<[number, string]>;

  constructor(
    db: Database,
    private readonly now: () => number,
    /** See asStored. */
    private readonly copyResults = true,
  ) {
    this.#insert = db.prepare(sql.INSERT_JOB);
    this.#insertLeased = db.prepare(sql.INSERT_LEASED_JOB);
    this.#lease = db.prepare(sql.JOB_LEASE);
    this.#delete = db.prepare(sql.DELETE_JOB);
    this.#deleteHeld = db.prepare(sql.DELETE_HELD_JOB);
  }

  /** Validates every item before writing any, so a bad item leaves the transaction unchanged. */
  enqueue(items: readonly WorkItem[] | undefined, effects: TxEffects): void {
    if (!items || items.length === 0) return;
    items.forEach(checkItem);
    const now = this.now();
    for (const item of items) {
      const row = {
        kind: item.kind,
        payload: JSON.stringify(item.payload),
        runAt: item.runAt ?? now,
        key: item.key ?? null,
        now,
      };
      if (item.lease) {
        const until = now + item.lease.ms;
        const info = this.#insertLeased.run({ ...row, owner: item.lease.owner, until });
        if (info.changes === 0) continue;
        effects.woken.add(item.kind);
        effects.leased.push({
          id: Number(info.lastInsertRowid),
          kind: item.kind,
          // The consumer gets its own copy, as a claim would decode it from the row.
          payload: asStored<Record<string, unknown>>(item.payload, row.payload, this.copyResults),
          runAt: row.runAt,
          key: row.key,
          attempts: 1,
          leaseOwner: item.lease.owner,
          leaseUntil: until,
        });
        continue;
      }
      const info = this.#insert.run(row);
      if (info.changes > 0) effects.woken.add(item.kind);
    }
  }

  /** Throws ConflictError unless `job.owner` holds the job; returns its kind. */
  assertHeld(job: JobRef): string {
    checkRef(job);
    const row = this.#lease.get(job.id);
    if (!row) throw new ConflictError(`job ${job.id} no longer exists (finished elsewhere)`);
    if (row.lease_owner !== job.owner) {
      throw new ConflictError(
        `job ${job.id} is not leased by ${job.owner} (lease holder: ${row.lease_owner ?? "none"})`,
      );
    }
    return row.kind;
  }

  /**
   * Finishes a job the caller holds. A lapsed lease that nobody re-claimed still counts as held:
   * the work was done and no one else started it, so refusing would only cause a re-run.
   */
  complete(job: JobRef | undefined): void {
    if (!job) return;
    checkRef(job);
    if (this.#deleteHeld.run(job.id, job.owner).changes === 1) return;
    // Not deleted: find out why, for the error (gone, or held by someone else).
    this.assertHeld(job);
    this.#delete.run(job.id);
  }
}

export class SqliteWorkQueue implements WorkQueue {
  readonly #claim: Statement;
  readonly #extend: Statement;
  readonly #retry: Statement;
  readonly #bury: Statement;
  readonly #delete: Statement<[number]>;
  readonly #release: Statement<[{ owner: string }], { kind: string }>;
  readonly #nextReady: Statement<[string], { next: number | null }>;
  readonly #hasDue: Statement<[string, number], { 1: number }>;
  readonly #stats: Statement<[{ now: number }], { kind: string; pending: number; leased: number }>;

  constructor(
    private readonly writer: Writer,
    private readonly jobs: JobTable,
    private readonly wakeups: WakeUps,
  ) {
    const db = writer.db;
    this.#claim = db.prepare(sql.CLAIM_JOBS);
    this.#extend = db.prepare(sql.EXTEND_LEASE);
    this.#retry = db.prepare(sql.RETRY_JOB);
    this.#bury = db.prepare(sql.BURY_JOB);
    this.#delete = db.prepare(sql.DELETE_JOB);
    this.#release = db.prepare(sql.RELEASE_OWNER);
    this.#nextReady = db.prepare(sql.NEXT_READY);
    this.#hasDue = db.prepare(sql.HAS_DUE);
    this.#stats = db.prepare(sql.STATS);
  }

  async enqueue(items: WorkItem[]): Promise<void> {
    this.writer.run((effects) => this.jobs.enqueue(items, effects));
  }

  async claim(kind: string, n: number, owner: string, leaseMs: number): Promise<Job[]> {
    requireText(kind, "kind");
    requireText(owner, "owner");
    checkLease(leaseMs);
    if (!Number.isInteger(n) || n < 0) {
      throw new ValidationError(`n must be a non-negative integer, got ${String(n)}`, {
        field: "n",
      });
    }
    if (n === 0) return [];
    // Jobs inserted already leased to this owner need no claim; half a lease must remain, or
    // they wait for the lease to lapse and are claimed below like any other.
    const now = this.writer.now();
    const handed = this.wakeups.take(kind, owner, n, now, leaseMs / 2);
    if (handed.length > 0) return handed;
    const rows = this.writer.run(() => {
      const now = this.writer.now();
      return this.#claim.all({ kind, n, owner, now, until: now + leaseMs }) as JobRow[];
    });
    // RETURNING gives rows in no promised order; hand them out in claim order.
    return rows.map(toJob).sort((a, b) => a.runAt - b.runAt || a.id - b.id);
  }

  async complete(job: JobRef, next?: WorkItem[]): Promise<void> {
    this.writer.run((effects) => {
      this.jobs.complete(job);
      this.jobs.enqueue(next, effects);
    });
  }

  async extend(job: JobRef, leaseMs: number): Promise<void> {
    checkLease(leaseMs);
    this.writer.run(() => {
      this.jobs.assertHeld(job);
      this.#extend.run({ id: job.id, owner: job.owner, until: this.writer.now() + leaseMs });
    });
  }

  async fail(job: JobRef, error: string, retryAt?: number): Promise<void> {
    if (typeof error !== "string") {
      throw new ValidationError("error must be a string", { field: "error" });
    }
    if (retryAt !== undefined && !Number.isFinite(retryAt)) {
      throw new ValidationError("retryAt must be a finite number of ms", { field: "retryAt" });
    }
    this.writer.run((effects) => {
      const kind = this.jobs.assertHeld(job);
      const params = { id: job.id, owner: job.owner, error };
      if (retryAt === undefined) {
        this.#bury.run({ ...params, now: this.writer.now() });
        this.#delete.run(job.id);
      } else {
        this.#retry.run({ ...params, retryAt });
        effects.woken.add(kind);
      }
    });
  }

  async releaseOwner(owner: string): Promise<number> {
    requireText(owner, "owner");
    this.wakeups.forgetOwner(owner);
    const released = this.writer.run((effects) => {
      const rows = this.#release.all({ owner });
      for (const row of rows) effects.woken.add(row.kind);
      return rows.length;
    });
    return released;
  }

  /**
   * The earliest time a job of `kind` becomes claimable: a pending job's runAt, or the lease end
   * of a claimed one (its holder may die), so a sleeping worker never oversleeps a lapsed lease.
   */
  async nextRunAt(kind: string): Promise<number | null> {
    return this.#nextReady.get(kind)?.next ?? null;
  }

  async waitFor(kind: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    // Listen first, then look: work committed between the two is then caught by the listener.
    const waiter = this.wakeups.wait(kind, timeoutMs, signal);
    // A closed store has released its waiters; there is nothing to look at.
    if (this.wakeups.hasHandedOver(kind)) waiter.cancel();
    else if (this.writer.db.open && this.#hasDue.get(kind, this.writer.now())) waiter.cancel();
    return waiter.promise;
  }

  async stats(): Promise<Record<string, { pending: number; leased: number }>> {
    const out: Record<string, { pending: number; leased: number }> = {};
    for (const row of this.#stats.all({ now: this.writer.now() })) {
      out[row.kind] = { pending: row.pending, leased: row.leased };
    }
    return out;
  }
}
