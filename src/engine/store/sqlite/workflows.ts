/**
 * Workflow state on SQLite: the `workflow.*` operations of the reactor's commit (applied in the
 * caller's transaction) and the read side. Appending an event touches only workflow_events, so
 * its cost is independent of how many events the workflow already has.
 */

import type { Database, Statement } from "better-sqlite3";
import { ConflictError, NotFoundError, ValidationError } from "../../../core/errors.ts";
import type { SerializedConductor } from "../../../core/workflow/orquesta/conductor.ts";
import { COMPLETED, isStatus } from "../../../core/workflow/orquesta/statuses.ts";
import type { Page, PageResult } from "../contract.ts";
import type {
  StoredWorkflow,
  WorkflowEvent,
  WorkflowFilter,
  WorkflowStatus,
  WorkflowStore,
  WorkflowSummary,
} from "../workflow-contract.ts";
import {
  conditionsOf,
  isPlainObject,
  normalPage,
  parseJson,
  requireId,
  requireText,
  type StatementCache,
  sqliteCode,
} from "./shared.ts";
import * as sql from "./sql/workflows.ts";

interface WorkflowRow {
  id: string;
  status: string;
  spec: string;
  snapshot: string;
  snapshot_seq: number;
  created_at: string;
  updated_at: string;
}

type SummaryRow = Omit<WorkflowRow, "spec" | "snapshot">;

function checkStatus(value: unknown, field: string): WorkflowStatus {
  if (!isStatus(value)) {
    throw new ValidationError(`${field} must be an Orquesta status, got ${String(value)}`, {
      field,
    });
  }
  return value;
}

/** JSON text of a plain object; values JSON cannot hold (cycles, BigInt) are a ValidationError. */
function objectJson(value: unknown, field: string): string {
  if (!isPlainObject(value)) {
    throw new ValidationError(`${field} must be an object`, { field });
  }
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new ValidationError(`${field} is not JSON: ${(err as Error).message}`, { field });
  }
}

function checkSeq(value: unknown, field: string, min: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new ValidationError(`${field} must be an integer >= ${min}, got ${String(value)}`, {
      field,
    });
  }
  return value;
}

/** 1 while the workflow may still move; recovery lists these. */
function activeFlag(status: WorkflowStatus): number {
  return COMPLETED.includes(status) ? 0 : 1;
}

export class WorkflowTable {
  readonly #insert: Statement;
  readonly #get: Statement<[string], WorkflowRow>;
  readonly #nextSeq: Statement<[string], { next: number }>;
  readonly #insertEvent: Statement;
  readonly #eventsAfter: Statement<[string, number], { seq: number; event: string }>;
  readonly #setSnapshot: Statement;
  readonly #dropEvents: Statement<[string, number]>;
  readonly #setStatus: Statement;
  readonly #read: (id: string) => StoredWorkflow | null;

  constructor(
    db: Database,
    private readonly lists: StatementCache,
    private readonly nowIso: () => string,
  ) {
    this.#insert = db.prepare(sql.INSERT_WORKFLOW);
    this.#get = db.prepare(sql.GET_WORKFLOW);
    this.#nextSeq = db.prepare(sql.NEXT_EVENT_SEQ);
    this.#insertEvent = db.prepare(sql.INSERT_EVENT);
    this.#eventsAfter = db.prepare(sql.EVENTS_AFTER);
    this.#setSnapshot = db.prepare(sql.SET_SNAPSHOT);
    this.#dropEvents = db.prepare(sql.DROP_EVENTS_UP_TO);
    this.#setStatus = db.prepare(sql.SET_STATUS);
    // Deferred read transaction: the row and its events come from one database snapshot, so a
    // compaction committed by another process between the two reads cannot lose events.
    const read = db.transaction((id: string) => this.#readNow(id));
    this.#read = (id) => read.deferred(id);
  }

  /** In the caller's transaction. */
  create(op: {
    id: string;
    spec: Record<string, unknown>;
    snapshot: SerializedConductor;
    status?: WorkflowStatus;
  }): void {
    const id = requireId(op?.id, "id");
    const status = checkStatus(op.status ?? "requested", "status");
    const params = {
      id,
      status,
      active: activeFlag(status),
      spec: objectJson(op.spec, "spec"),
      snapshot: objectJson(op.snapshot, "snapshot"),
      now: this.nowIso(),
    };
    try {
      this.#insert.run(params);
    } catch (err) {
      if (sqliteCode(err) === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw new ConflictError(`workflow ${id} already exists`, { cause: err });
      }
      throw err;
    }
  }

  /** In the caller's transaction. Returns the seq the event got. */
  append(op: { workflowId: string; seq?: number; event: Record<string, unknown> }): number {
    const workflowId = requireId(op?.workflowId, "workflowId");
    const event = objectJson(op.event, "event");
    const expected = op.seq === undefined ? undefined : checkSeq(op.seq, "seq", 1);
    const row = this.#nextSeq.get(workflowId);
    if (!row) throw new NotFoundError(`workflow ${workflowId} not found`);
    if (expected !== undefined && expected !== row.next) {
      throw new ConflictError(
        `workflow ${workflowId}: event seq ${expected} is not the next one (${row.next})`,
      );
    }
    this.#insertEvent.run({ workflowId, seq: row.next, event });
    return row.next;
  }

  /** In the caller's transaction. */
  snapshot(op: { workflowId: string; upToSeq: number; snapshot: SerializedConductor }): void {
    const workflowId = requireId(op?.workflowId, "workflowId");
    const upToSeq = checkSeq(op.upToSeq, "upToSeq", 0);
    const snapshot = objectJson(op.snapshot, "snapshot");
    const current = this.#get.get(workflowId);
    if (!current) throw new NotFoundError(`workflow ${workflowId} not found`);
    if (upToSeq < current.snapshot_seq) {
      throw new ConflictError(
        `workflow ${workflowId}: snapshot up to ${upToSeq} is older than the stored one ` +
          `(${current.snapshot_seq})`,
      );
    }
    const last = (this.#nextSeq.get(workflowId)?.next ?? 1) - 1;
    if (upToSeq > last) {
      throw new ValidationError(
        `workflow ${workflowId}: snapshot up to ${upToSeq} covers events not recorded ` +
          `(last is ${last})`,
        { field: "upToSeq" },
      );
    }
    this.#setSnapshot.run({ workflowId, upToSeq, snapshot, now: this.nowIso() });
    this.#dropEvents.run(workflowId, upToSeq);
  }

  /** In the caller's transaction. */
  setStatus(op: { workflowId: string; status: WorkflowStatus }): void {
    const workflowId = requireId(op?.workflowId, "workflowId");
    const status = checkStatus(op.status, "status");
    const info = this.#setStatus.run({
      workflowId,
      status,
      active: activeFlag(status),
      now: this.nowIso(),
    });
    if (info.changes === 0) throw new NotFoundError(`workflow ${workflowId} not found`);
  }

  get(id: string): StoredWorkflow | null {
    requireText(id, "id");
    return this.#read(id);
  }

  #readNow(id: string): StoredWorkflow | null {
    const row = this.#get.get(id);
    if (!row) return null;
    const events: WorkflowEvent[] = this.#eventsAfter.all(id, row.snapshot_seq).map((e) => ({
      seq: e.seq,
      event: parseJson<Record<string, unknown>>(e.event, `workflow_events.event (${id}/${e.seq})`),
    }));
    return {
      ...summary(row),
      spec: parseJson<Record<string, unknown>>(row.spec, `workflows.spec (${id})`),
      snapshot: parseJson<SerializedConductor>(row.snapshot, `workflows.snapshot (${id})`),
      events,
      lastSeq: events.at(-1)?.seq ?? row.snapshot_seq,
    };
  }

  list(filter: WorkflowFilter, page: Page): PageResult<WorkflowSummary> {
    const { limit, offset } = normalPage(page);
    if (filter.active !== undefined && typeof filter.active !== "boolean") {
      throw new ValidationError("active must be a boolean", { field: "active" });
    }
    const status = filter.status === undefined ? undefined : checkStatus(filter.status, "status");
    const active = filter.active === undefined ? undefined : filter.active ? 1 : 0;
    const { conditions, params } = conditionsOf(sql.WORKFLOW_FILTER_SQL, { active, status });
    const rows = this.lists
      .get(sql.listWorkflowsSql(conditions))
      .all(...params, limit, offset) as SummaryRow[];
    const { total } = this.lists.get(sql.countWorkflowsSql(conditions)).get(...params) as {
      total: number;
    };
    return { items: rows.map(summary), total };
  }
}

function summary(row: SummaryRow): WorkflowSummary {
  return {
    id: row.id,
    status: row.status as WorkflowStatus,
    snapshotSeq: row.snapshot_seq,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export class SqliteWorkflowStore implements WorkflowStore {
  constructor(private readonly table: WorkflowTable) {}

  async getWorkflow(id: string): Promise<StoredWorkflow | null> {
    return this.table.get(id);
  }

  async listWorkflows(filter: WorkflowFilter, page: Page): Promise<PageResult<WorkflowSummary>> {
    return this.table.list(filter, page);
  }
}
