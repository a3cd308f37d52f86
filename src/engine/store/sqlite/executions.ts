/**
 * Executions and their output on SQLite. Every state change is checked against the transition
 * table and committed in one transaction with the work it enqueues and the job it completes.
 */

import type { Statement } from "better-sqlite3";
import { NotFoundError, ValidationError } from "../../../core/errors.ts";
import type { Execution, NewExecution, OutputChunk } from "../../../core/execution/model.ts";
import { type ExecutionStatus, isExecutionStatus } from "../../../core/execution/status.ts";
import type {
  ExecutionDistinctField,
  ExecutionFilter,
  ExecutionStore,
  JobRef,
  Page,
  PageResult,
  TransitionOptions,
  WorkItem,
} from "../contract.ts";
import { type ExecutionRow, type ExecutionTable, toExecution } from "./execution-table.ts";
import type { JobTable } from "./queue.ts";
import { isoTimestamp, normalPage, StatementCache, sqliteCode, type Writer } from "./shared.ts";
import * as sql from "./sql/executions.ts";

export class SqliteExecutionStore implements ExecutionStore {
  readonly #lastSeq: Statement<[string], { last: number }>;
  readonly #insertOutput: Statement<[string, number, string, string, string]>;
  readonly #readOutput: Statement;
  readonly #lists: StatementCache;

  constructor(
    private readonly writer: Writer,
    private readonly table: ExecutionTable,
    private readonly jobs: JobTable,
  ) {
    const db = writer.db;
    this.#lastSeq = db.prepare(sql.LAST_OUTPUT_SEQ);
    this.#insertOutput = db.prepare(sql.INSERT_OUTPUT);
    this.#readOutput = db.prepare(sql.READ_OUTPUT);
    this.#lists = new StatementCache(db);
  }

  async create(
    execution: NewExecution,
    options: { enqueue?: WorkItem[]; completeJob?: JobRef } = {},
  ): Promise<Execution> {
    // Validation happens inside: a bad record throws and the transaction rolls back untouched.
    return this.writer.run((effects) => {
      this.jobs.complete(options.completeJob);
      const created = this.table.insert(execution);
      this.jobs.enqueue(options.enqueue, effects);
      return created;
    });
  }

  async get(id: string): Promise<Execution | null> {
    return this.table.get(id);
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
      params.push(isoTimestamp(value, field));
    }
    for (const field of ["user", "trigger_instance", "rule"] as const) {
      const value = filter[field];
      if (value === undefined) continue;
      conditions.push(sql.FILTER_SQL[field]);
      params.push(value);
    }
    const order = filter.sort === "asc" ? "ASC" : "DESC";
    const rows = this.#lists
      .get(sql.listExecutionsSql(conditions, order))
      .all(...params, limit, offset) as ExecutionRow[];
    const counted = this.#lists.get(sql.countExecutionsSql(conditions)).get(...params) as {
      total: number;
    };
    return { items: rows.map(toExecution), total: counted.total };
  }

  async distinctValues(field: ExecutionDistinctField): Promise<Array<string | null>> {
    if (!Object.hasOwn(sql.DISTINCT_SQL, field))
      throw new ValidationError(`cannot list distinct values of ${String(field)}`, { field });
    const rows = this.#lists.get(sql.DISTINCT_SQL[field]).all() as Array<{ value: unknown }>;
    return rows.map((r) => (r.value === null || r.value === undefined ? null : String(r.value)));
  }

  async transition(
    id: string,
    to: ExecutionStatus,
    options: TransitionOptions = {},
  ): Promise<Execution> {
    return this.writer.run((effects) => {
      const moved = this.table.transition(id, to, options);
      this.jobs.complete(options.completeJob);
      this.jobs.enqueue(options.enqueue, effects);
      return moved;
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
}
