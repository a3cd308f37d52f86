/**
 * Pieces every aggregate shares: the write-transaction wrapper (which announces queued work only
 * after commit), page normalisation and JSON column decoding.
 */

import Database, { type Statement } from "better-sqlite3";
import { SquallError, ValidationError } from "../../../core/errors.ts";
import { DEFAULT_PAGE_SIZE, type Job, MAX_PAGE_SIZE, type Page } from "../contract.ts";
import type { WakeUps } from "./wakeups.ts";

/**
 * What a write transaction reports back: the job kinds it enqueued, to wake after commit, and
 * the jobs it inserted already leased, to hand to their consumers after commit.
 */
export interface TxEffects {
  woken: Set<string>;
  leased: Job[];
}

export class Writer {
  readonly #tx: (fn: (effects: TxEffects) => unknown, effects: TxEffects) => unknown;

  constructor(
    readonly db: Database.Database,
    private readonly wakeups: WakeUps,
    /** The store clock, ms since the epoch. */
    readonly now: () => number,
  ) {
    const tx = db.transaction((fn: (effects: TxEffects) => unknown, effects: TxEffects) =>
      fn(effects),
    );
    // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes
    // can fail with SQLITE_BUSY instead of waiting when another process writes in between.
    this.#tx = (fn, effects) => tx.immediate(fn, effects);
  }

  /** Runs `fn` in one IMMEDIATE transaction; wakes waiters for enqueued kinds once committed. */
  run<T>(fn: (effects: TxEffects) => T): T {
    const effects: TxEffects = { woken: new Set(), leased: [] };
    const result = this.#tx(fn, effects) as T;
    if (effects.leased.length > 0) this.wakeups.handOver(effects.leased);
    this.wakeups.notify(effects.woken);
    return result;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }
}

export interface NormalPage {
  limit: number;
  offset: number;
}

/** Applies the contract's default and cap; rejects values no caller could mean. */
export function normalPage(page: Page): NormalPage {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  const offset = page.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ValidationError(`page limit must be a positive integer, got ${String(limit)}`, {
      field: "limit",
    });
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ValidationError(`page offset must be a non-negative integer, got ${String(offset)}`, {
      field: "offset",
    });
  }
  return { limit: Math.min(limit, MAX_PAGE_SIZE), offset };
}

/** Decodes a JSON column; a corrupt value names its table, column and row instead of crashing. */
export function parseJson<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new SquallError(`corrupt JSON in ${where}`, { cause: err });
  }
}

/**
 * A value just written as `text`, as a returned record holds it: decoded from the text (a copy
 * the caller may change without changing anything else), or, for a store whose every result is
 * serialised before anyone sees it (the writer thread's), the value itself. The two read back
 * equal for JSON data, which is what records hold (a commit's operations even arrive as JSON);
 * a value JSON cannot express (undefined in a list, NaN) would come back as given rather than
 * as stored.
 */
export function asStored<T>(value: unknown, text: string, copy: boolean): T {
  return (copy ? JSON.parse(text) : value) as T;
}

/** JSON for a column; `undefined` (no value) becomes SQL NULL rather than the string "undefined". */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Rejects a string argument that is empty or not a string, naming the field. */
export function requireText(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new ValidationError(`${field} must be a non-empty string`, { field });
  }
  return value;
}

/** Record ids Squall makes (see ids.ts): time-ordered, so "newest first" is an id-order walk. */
const ID_PATTERN = /^[0-9a-f]{24}$/;

/** Rejects an id that is not 24 lowercase hex characters, naming the field. */
export function requireId(value: unknown, field: string): string {
  if (typeof value !== "string" || !ID_PATTERN.test(value)) {
    throw new ValidationError(`${field} must be 24 lowercase hex characters`, { field });
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The last timestamp normalised and its normal form: one event's records (its instance, its
 * trace links) carry the same time, and parsing and formatting it is most of this function.
 */
let lastTimestamp: { value: unknown; iso: string } = { value: {}, iso: "" };

/** Normalises an ISO timestamp so string comparison with stored ISO values is exact. */
export function isoTimestamp(value: unknown, field: string): string {
  if (value === lastTimestamp.value) return lastTimestamp.iso;
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ValidationError(`${field} must be an ISO-8601 timestamp, got ${String(value)}`, {
      field,
    });
  }
  const iso = new Date(ms).toISOString();
  lastTimestamp = { value: value as string, iso };
  return iso;
}

/** The SQLite error code of `err` (e.g. SQLITE_CONSTRAINT_PRIMARYKEY), if it is one. */
export function sqliteCode(err: unknown): string | undefined {
  return err instanceof Database.SqliteError ? err.code : undefined;
}

/**
 * Prepared statements by SQL text, for listings whose text depends on which filters are set.
 * The set of texts is small (one per filter combination), so the cache needs no eviction.
 */
export class StatementCache {
  readonly #cache = new Map<string, Statement>();
  constructor(private readonly db: Database.Database) {}

  get(text: string): Statement {
    let statement = this.#cache.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.#cache.set(text, statement);
    }
    return statement;
  }
}

/** A listing's WHERE fragments and their values, for the filter fields that are set. */
export function conditionsOf<K extends string>(
  fragments: Readonly<Record<K, string>>,
  values: Partial<Record<K, unknown>>,
): { conditions: string[]; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  for (const key of Object.keys(fragments) as K[]) {
    const value = values[key];
    if (value === undefined) continue;
    conditions.push(fragments[key]);
    params.push(value);
  }
  return { conditions, params };
}
