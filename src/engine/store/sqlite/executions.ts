/**
 * Executions and their output on SQLite. Every state change is checked against the transition
 * table and committed in one transaction with the work it enqueues and the job it completes.
 */

import Database, { type Statement } from "better-sqlite3";
import {
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
} from "../../../core/errors.ts";
import type {
  Execution,
  ExecutionContext,
  NewExecution,
  OutputChunk,
  TransitionLogEntry,
} from "../../../core/execution/model.ts";
import {
  canTransition,
  type ExecutionStatus,
  isCompleted,
  isExecutionStatus,
} from "../../../core/execution/status.ts";
import type {
  ExecutionFilter,
  ExecutionStore,
  JobRef,
  Page,
  PageResult,
  TransitionOptions,
  WorkItem,
} from "../contract.ts";
import type { JobTable } from "./queue.ts";
import { normalPage, parseJson, requireText, toJson, type Writer } from "./shared.ts";
import * as sql from "./sql/executions.ts";

interface ExecutionRow {
  id: string;
  action_ref: string;
  runner_type: string;
  status: ExecutionStatus;
  parent: string | null;
  delay: number | null;
  start_timestamp: string;
  end_timestamp: string | null;
  runner_node: string | null;
  revision: number;
  parameters: string;
  result: string | null;
  context: string;
  log: string;
}

function toExecution(row: ExecutionRow): Execution {
  const where = (column: string) => `executions.${column} (id ${row.id})`;
  return {
    id: row.id,
    action: { ref: row.action_ref, runner_type: row.runner_type },
    parameters: parseJson<Record<string, unknown>>(row.parameters, where("parameters")),
    status: row.status,
    result: row.result === null ? null : parseJson<unknown>(row.result, where("result")),
    context: parseJson<ExecutionContext>(row.context, where("context")),
    parent: row.parent,
    delay: row.delay,
    start_timestamp: row.start_timestamp,
    end_timestamp: row.end_timestamp,
    log: parseJson<TransitionLogEntry[]>(row.log, where("log")),
    runner_node: row.runner_node,
    revision: row.revision,
  };
}

const ID_PATTERN = /^[0-9a-f]{24}$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkNew(execution: NewExecution): void {
  if (typeof execution?.id !== "string" || !ID_PATTERN.test(execution.id)) {
    throw new ValidationError("execution id must be 24 lowercase hex characters", { field: "id" });
  }
  requireText(execution.action?.ref, "action.ref");
  requireText(execution.action?.runner_type, "action.runner_type");
  if (!isPlainObject(execution.parameters)) {
    throw new ValidationError("parameters must be an object", { field: "parameters" });
  }
  if (!isPlainObject(execution.context)) {
    throw new ValidationError("context must be an object", { field: "context" });
  }
  if (execution.status !== undefined && !isExecutionStatus(execution.status)) {
    throw new ValidationError(`unknown status ${String(execution.status)}`, { field: "status" });
  }
  if (execution.parent != null) requireText(execution.parent, "parent");
  if (execution.delay != null && !(Number.isFinite(execution.delay) && execution.delay >= 0)) {
    throw new ValidationError("delay must be a non-negative number of ms", { field: "delay" });
  }
}

/** Normalises a timestamp filter so string comparison with stored ISO values is exact. */
function isoFilter(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ValidationError(`${field} must be an ISO-8601 timestamp, got ${value}`, { field });
  }
  return new Date(ms).toISOString();
}

function sqliteCode(err: unknown): string | undefined {
  return err instanceof Database.SqliteError ? err.code : undefined;
}

export class SqliteExecutionStore implements ExecutionStore {
  readonly #insert: Statement;
  readonly #get: Statement<[string], ExecutionRow>;
  readonly #update: Statement;
  readonly #lastSeq: Statement<[string], { last: number }>;
  readonly #insertOutput: Statement<[string, number, string, string, string]>;
  readonly #readOutput: Statement;
  /** Listing statements by SQL text; the set of texts is small (one per filter combination). */
  readonly #listCache = new Map<string, Statement>();

  constructor(
    private readonly writer: Writer,
    private readonly jobs: JobTable,
  ) {
    const db = writer.db;
    this.#insert = db.prepare(sql.INSERT_EXECUTION);
    this.#get = db.prepare(sql.GET_EXECUTION);
    this.#update = db.prepare(sql.UPDATE_EXECUTION);
    this.#lastSeq = db.prepare(sql.LAST_OUTPUT_SEQ);
    this.#insertOutput = db.prepare(sql.INSERT_OUTPUT);
    this.#readOutput = db.prepare(sql.READ_OUTPUT);
  }

  async create(
    execution: NewExecution,
    options: { enqueue?: WorkItem[]; completeJob?: JobRef } = {},
  ): Promise<Execution> {
    checkNew(execution);
    return this.writer.run((effects) => {
      const now = this.writer.nowIso();
      const status = execution.status ?? "requested";
      const row: ExecutionRow = {
        id: execution.id,
        action_ref: execution.action.ref,
        runner_type: execution.action.runner_type,
        status,
        parent: execution.parent ?? null,
        delay: execution.delay ?? null,
        start_timestamp: now,
        end_timestamp: isCompleted(status) ? now : null,
        runner_node: null,
        revision: 1,
        parameters: JSON.stringify(execution.parameters),
        result: null,
        context: JSON.stringify(execution.context),
        log: JSON.stringify([{ status, timestamp: now }]),
      };
      this.jobs.complete(options.completeJob);
      try {
        this.#insert.run(row);
      } catch (err) {
        if (sqliteCode(err) === "SQLITE_CONSTRAINT_PRIMARYKEY") {
          throw new ConflictError(`execution ${execution.id} already exists`, { cause: err });
        }
        throw err;
      }
      this.jobs.enqueue(options.enqueue, effects);
      return toExecution(row);
    });
  }

  async get(id: string): Promise<Execution | null> {
    const row = this.#get.get(id);
    return row ? toExecution(row) : null;
  }

  async list(filter: ExecutionFilter, page: Page): Promise<PageResult<Execution>> {
    const { limit, offset } = normalPage(page);
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.action !== undefined) {
      conditions.push(sql.FILTER_SQL.action);
      params.push(filter.action);
    }
    if (filter.runner_type !== undefined) {
      conditions.push(sql.FILTER_SQL.runner_type);
      params.push(filter.runner_type);
    }
    if (filter.parent === null) conditions.push(sql.FILTER_SQL.parentIsNull);
    else if (filter.parent !== undefined) {
      conditions.push(sql.FILTER_SQL.parent);
      params.push(filter.parent);
    }
    if (filter.status !== undefined) {
      // De-duplicated so the statement cache holds at most one entry per status count.
      const statuses = [...new Set(Array.isArray(filter.status) ? filter.status : [filter.status])];
      for (const s of statuses) {
        if (!isExecutionStatus(s)) {
          throw new ValidationError(`unknown status ${String(s)}`, { field: "status" });
        }
      }
      conditions.push(sql.statusInSql(statuses.length));
      params.push(...statuses);
    }
    for (const field of ["timestamp_gt", "timestamp_lt"] as const) {
      const value = filter[field];
      if (value === undefined) continue;
      conditions.push(sql.FILTER_SQL[field]);
      params.push(isoFilter(value, field));
    }
    const order = filter.sort === "asc" ? "ASC" : "DESC";
    const rows = this.#cached(sql.listExecutionsSql(conditions, order)).all(
      ...params,
      limit,
      offset,
    ) as ExecutionRow[];
    const counted = this.#cached(sql.countExecutionsSql(conditions)).get(...params) as {
      total: number;
    };
    return { items: rows.map(toExecution), total: counted.total };
  }

  async transition(
    id: string,
    to: ExecutionStatus,
    options: TransitionOptions = {},
  ): Promise<Execution> {
    if (!isExecutionStatus(to)) {
      throw new ValidationError(`unknown status ${String(to)}`, { field: "status" });
    }
    return this.writer.run((effects) => {
      const current = this.#get.get(id);
      if (!current) throw new NotFoundError(`execution ${id} not found`);
      const from = current.status;
      if (options.expectFrom && !options.expectFrom.includes(from)) {
        throw new ConflictError(
          `execution ${id} is ${from}, expected one of: ${options.expectFrom.join(", ")}`,
        );
      }
      if (!canTransition(from, to)) throw new IllegalTransitionError(from, to, id);
      this.jobs.complete(options.completeJob);

      const now = this.writer.nowIso();
      const patch = options.patch ?? {};
      const log = parseJson<TransitionLogEntry[]>(current.log, `executions.log (id ${id})`);
      log.push({ status: to, timestamp: now });
      const next: ExecutionRow = {
        ...current,
        status: to,
        result: "result" in patch ? toJson(patch.result) : current.result,
        context: patch.context !== undefined ? JSON.stringify(patch.context) : current.context,
        runner_node: patch.runner_node !== undefined ? patch.runner_node : current.runner_node,
        end_timestamp:
          patch.end_timestamp !== undefined
            ? patch.end_timestamp
            : isCompleted(to)
              ? now
              : current.end_timestamp,
        log: JSON.stringify(log),
        revision: current.revision + 1,
      };
      const info = this.#update.run({ ...next, revision: current.revision });
      if (info.changes !== 1) throw new ConflictError(`execution ${id} changed concurrently`);
      this.jobs.enqueue(options.enqueue, effects);
      return toExecution(next);
    });
  }

  async appendOutput(
    executionId: string,
    chunks: Array<Pick<OutputChunk, "output_type" | "data">>,
  ): Promise<void> {
    if (chunks.length === 0) return;
    chunks.forEach((chunk, i) => {
      if (chunk.output_type !== "stdout" && chunk.output_type !== "stderr") {
        throw new ValidationError(`chunks[${i}].output_type must be stdout or stderr`, {
          field: `chunks[${i}].output_type`,
        });
      }
      if (typeof chunk.data !== "string") {
        throw new ValidationError(`chunks[${i}].data must be a string`, {
          field: `chunks[${i}].data`,
        });
      }
    });
    this.writer.run(() => {
      const now = this.writer.nowIso();
      let seq = this.#lastSeq.get(executionId)?.last ?? 0;
      try {
        for (const chunk of chunks) {
          seq += 1;
          this.#insertOutput.run(executionId, seq, chunk.output_type, chunk.data, now);
        }
      } catch (err) {
        if (sqliteCode(err) === "SQLITE_CONSTRAINT_FOREIGNKEY") {
          throw new NotFoundError(`execution ${executionId} not found`, { cause: err });
        }
        throw err;
      }
    });
  }

  async readOutput(
    executionId: string,
    options: { afterSeq?: number; outputType?: OutputChunk["output_type"]; limit?: number } = {},
  ): Promise<OutputChunk[]> {
    const { afterSeq = 0, outputType, limit } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new ValidationError("limit must be a positive integer", { field: "limit" });
    }
    return this.#readOutput.all({
      id: executionId,
      after: afterSeq,
      type: outputType ?? null,
      limit: limit ?? -1,
    }) as OutputChunk[];
  }

  #cached(text: string): Statement {
    let statement = this.#listCache.get(text);
    if (!statement) {
      statement = this.writer.db.prepare(text);
      this.#listCache.set(text, statement);
    }
    return statement;
  }
}
