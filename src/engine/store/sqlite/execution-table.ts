/**
 * Execution writes that run inside a caller's transaction: the one code path behind both
 * `executions.create`/`transition` and the reactor's `commit`. Nothing here opens a transaction;
 * the caller's `Writer.run` does, together with the jobs it enqueues or completes.
 */

import type { Database, Statement } from "better-sqlite3";
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
  TransitionLogEntry,
} from "../../../core/execution/model.ts";
import {
  canTransition,
  type ExecutionStatus,
  isCompleted,
  isExecutionStatus,
} from "../../../core/execution/status.ts";
import type { TransitionOptions } from "../contract.ts";
import { isPlainObject, parseJson, requireId, requireText, sqliteCode, toJson } from "./shared.ts";
import * as sql from "./sql/executions.ts";

export interface ExecutionRow {
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

export function toExecution(row: ExecutionRow): Execution {
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

export function checkNewExecution(execution: NewExecution): void {
  requireId(execution?.id, "id");
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

export function checkStatus(to: unknown): asserts to is ExecutionStatus {
  if (!isExecutionStatus(to)) {
    throw new ValidationError(`unknown status ${String(to)}`, { field: "status" });
  }
}

export class ExecutionTable {
  readonly #insert: Statement;
  readonly #get: Statement<[string], ExecutionRow>;
  readonly #update: Statement;

  constructor(
    db: Database,
    /** The store clock as ISO text. */
    private readonly nowIso: () => string,
  ) {
    this.#insert = db.prepare(sql.INSERT_EXECUTION);
    this.#get = db.prepare(sql.GET_EXECUTION);
    this.#update = db.prepare(sql.UPDATE_EXECUTION);
  }

  get(id: string): Execution | null {
    const row = this.#get.get(id);
    return row ? toExecution(row) : null;
  }

  /** Validates and inserts a new execution with its first log entry. */
  insert(execution: NewExecution): Execution {
    checkNewExecution(execution);
    const now = this.nowIso();
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
    try {
      this.#insert.run(row);
    } catch (err) {
      if (sqliteCode(err) === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw new ConflictError(`execution ${execution.id} already exists`, { cause: err });
      }
      throw err;
    }
    return toExecution(row);
  }

  /**
   * Moves an execution to `to` after the `expectFrom` and transition-table checks, appending to
   * its log and stamping `end_timestamp` when `to` is terminal.
   */
  transition(
    id: string,
    to: ExecutionStatus,
    options: Pick<TransitionOptions, "patch" | "expectFrom"> = {},
  ): Execution {
    checkStatus(to);
    const current = this.#get.get(id);
    if (!current) throw new NotFoundError(`execution ${id} not found`);
    const from = current.status;
    if (options.expectFrom && !options.expectFrom.includes(from)) {
      throw new ConflictError(
        `execution ${id} is ${from}, expected one of: ${options.expectFrom.join(", ")}`,
      );
    }
    if (!canTransition(from, to)) throw new IllegalTransitionError(from, to, id);

    const now = this.nowIso();
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
    return toExecution(next);
  }
}
