/**
 * Trigger instances on SQLite, with idempotency keys: an instance created under a key that a
 * live (unexpired) instance holds is not created; the holder is reported as the duplicate.
 */

import type { Database, Statement } from "better-sqlite3";
import { ConflictError, NotFoundError, ValidationError } from "../../../core/errors.ts";
import {
  TRIGGER_INSTANCE_STATUSES,
  type TriggerInstance,
  type TriggerInstanceStatus,
} from "../../../core/reactor/model.ts";
import type { Page, PageResult } from "../contract.ts";
import type { NewTriggerInstance, TriggerInstanceFilter } from "../reactor-contract.ts";
import {
  asStored,
  conditionsOf,
  isoTimestamp,
  isPlainObject,
  normalPage,
  parseJson,
  requireId,
  requireText,
  type StatementCache,
  sqliteCode,
} from "./shared.ts";
import * as sql from "./sql/reactor.ts";

interface InstanceRow {
  id: string;
  trigger: string;
  status: TriggerInstanceStatus;
  occurrence_time: string;
  trace_tag: string;
  idempotency_key: string | null;
  error: string | null;
  payload: string;
}

function toInstance(row: InstanceRow): TriggerInstance {
  return {
    id: row.id,
    trigger: row.trigger,
    payload: parseJson<Record<string, unknown>>(
      row.payload,
      `trigger_instances.payload (id ${row.id})`,
    ),
    occurrence_time: row.occurrence_time,
    status: row.status,
    trace_tag: row.trace_tag,
    idempotency_key: row.idempotency_key,
    error: row.error,
  };
}

const STATUSES: ReadonlySet<string> = new Set(TRIGGER_INSTANCE_STATUSES);

function checkInstanceStatus(status: unknown): asserts status is TriggerInstanceStatus {
  if (typeof status !== "string" || !STATUSES.has(status)) {
    throw new ValidationError(
      `unknown trigger instance status ${String(status)} (one of: ${TRIGGER_INSTANCE_STATUSES.join(", ")})`,
      { field: "status" },
    );
  }
}

function checkError(error: unknown): void {
  if (error != null && typeof error !== "string") {
    throw new ValidationError("error must be a string or null", { field: "error" });
  }
}

/**
 * The record a new trigger instance is stored as, given its normalised occurrence time and
 * idempotency key. Pure, so the writer thread's caller can know it without being sent it.
 */
export function newInstanceRecord(
  instance: NewTriggerInstance,
  occurrence: string,
  key: string | null,
  payload: Record<string, unknown> = instance.payload,
): TriggerInstance {
  return {
    id: instance.id,
    trigger: instance.trigger,
    payload,
    occurrence_time: occurrence,
    status: instance.status ?? "pending",
    trace_tag: instance.trace_tag,
    idempotency_key: key,
    error: null,
  };
}

export interface Idempotency {
  key: string;
  /** ms since the epoch, store clock. */
  expiresAt: number;
}

export class InstanceTable {
  readonly #insert: Statement;
  readonly #get: Statement<[string], InstanceRow>;
  readonly #setStatus: Statement;
  readonly #claimKey: Statement;
  readonly #takeKey: Statement;
  readonly #byKey: Statement<[string], InstanceRow>;
  readonly #expireKeys: Statement<[number]>;

  constructor(
    db: Database,
    private readonly lists: StatementCache,
    private readonly now: () => number,
    /** See asStored. */
    private readonly copyResults = true,
  ) {
    this.#insert = db.prepare(sql.INSERT_INSTANCE);
    this.#get = db.prepare(sql.GET_INSTANCE);
    this.#setStatus = db.prepare(sql.SET_INSTANCE_STATUS);
    this.#claimKey = db.prepare(sql.CLAIM_IDEMPOTENCY_KEY);
    this.#takeKey = db.prepare(sql.TAKE_IDEMPOTENCY_KEY);
    this.#byKey = db.prepare(sql.INSTANCE_BY_KEY);
    this.#expireKeys = db.prepare(sql.EXPIRE_IDEMPOTENCY_KEYS);
  }

  /**
   * In the caller's transaction. With `idempotency`, a live holder of the key wins: nothing is
   * written and the holder comes back with `duplicate: true`.
   */
  create(
    instance: NewTriggerInstance,
    idempotency?: Idempotency,
  ): { instance: TriggerInstance; duplicate: boolean } {
    const id = requireId(instance?.id, "instance.id");
    requireText(instance.trigger, "instance.trigger");
    requireText(instance.trace_tag, "instance.trace_tag");
    if (!isPlainObject(instance.payload)) {
      throw new ValidationError(`trigger instance ${id}: payload must be an object`, {
        field: "instance.payload",
      });
    }
    const occurrence = isoTimestamp(instance.occurrence_time, "instance.occurrence_time");
    const status = instance.status ?? "pending";
    checkInstanceStatus(status);
    let key = instance.idempotency_key ?? null;
    if (idempotency !== undefined) {
      requireText(idempotency.key, "idempotency.key");
      if (!Number.isFinite(idempotency.expiresAt)) {
        throw new ValidationError("idempotency.expiresAt must be a finite number of ms", {
          field: "idempotency.expiresAt",
        });
      }
      if (key !== null && key !== idempotency.key) {
        throw new ValidationError(
          `trigger instance ${id}: idempotency_key ${key} differs from idempotency.key`,
          { field: "instance.idempotency_key" },
        );
      }
      key = idempotency.key;
      const params = { key, id, expiresAt: idempotency.expiresAt, now: this.now() };
      if (this.#claimKey.run(params).changes === 0) {
        const holder = this.#byKey.get(key);
        if (holder) return { instance: toInstance(holder), duplicate: true };
        // The holder was purged while its key lived on: nothing to de-duplicate against.
        this.#takeKey.run(params);
      }
    }
    const row: InstanceRow = {
      id,
      trigger: instance.trigger,
      status,
      occurrence_time: occurrence,
      trace_tag: instance.trace_tag,
      idempotency_key: key,
      error: null,
      payload: JSON.stringify(instance.payload),
    };
    try {
      this.#insert.run(row);
    } catch (err) {
      if (sqliteCode(err) === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw new ConflictError(`trigger instance ${id} already exists`, { cause: err });
      }
      throw err;
    }
    // The payload just serialised is returned as decoded from that text (a copy, as stored).
    const payload = asStored<Record<string, unknown>>(
      instance.payload,
      row.payload,
      this.copyResults,
    );
    return { instance: newInstanceRecord(instance, occurrence, key, payload), duplicate: false };
  }

  /** In the caller's transaction. `error` replaces the stored one; omitted, it is cleared. */
  setStatus(id: string, status: TriggerInstanceStatus, error: string | null | undefined): void {
    requireText(id, "id");
    checkInstanceStatus(status);
    checkError(error);
    if (this.#setStatus.run({ id, status, error: error ?? null }).changes !== 1) {
      throw new NotFoundError(`trigger instance ${id} not found`);
    }
  }

  get(id: string): TriggerInstance | null {
    const row = this.#get.get(id);
    return row ? toInstance(row) : null;
  }

  list(filter: TriggerInstanceFilter, page: Page): PageResult<TriggerInstance> {
    const { limit, offset } = normalPage(page);
    if (filter.status !== undefined) checkInstanceStatus(filter.status);
    const { conditions, params } = conditionsOf(sql.INSTANCE_FILTER_SQL, {
      trigger: filter.trigger,
      status: filter.status,
      timestamp_gt:
        filter.timestamp_gt === undefined
          ? undefined
          : isoTimestamp(filter.timestamp_gt, "timestamp_gt"),
      timestamp_lt:
        filter.timestamp_lt === undefined
          ? undefined
          : isoTimestamp(filter.timestamp_lt, "timestamp_lt"),
    });
    const table = "trigger_instances";
    const rows = this.lists
      .get(sql.listNewestSql(table, sql.INSTANCE_COLUMNS, conditions))
      .all(...params, limit, offset) as InstanceRow[];
    const { total } = this.lists.get(sql.countSql(table, conditions)).get(...params) as {
      total: number;
    };
    return { items: rows.map(toInstance), total };
  }

  /** In the caller's transaction: deletes keys whose window has passed at `now`. */
  expireKeys(now: number): number {
    if (!Number.isFinite(now)) {
      throw new ValidationError("now must be a finite number of ms", { field: "now" });
    }
    return this.#expireKeys.run(now).changes;
  }
}
