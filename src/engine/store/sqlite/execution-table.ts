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
import {
  asStored,
  isPlainObject,
  parseJson,
  requireId,
  requireText,
  sqliteCode,
  toJson,
} from "./shared.ts";
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

/**
 * The record a new execution is stored as, at `now` (ISO): its log starts with `requested`; one
 * created already `scheduled` (nothing to decide before it runs) also gets the `scheduled`
 * entry, as if requested and scheduled in the same instant. Parameters and context are the
 * given objects. Pure, so the writer thread's caller can know the record without being sent it.
 */
export function newExecutionRecord(execution: NewExecution, now: string): Execution {
  const status = execution.status ?? "requested";
  const log: TransitionLogEntry[] =
    status === "scheduled"
      ? [
          { status: "requested", timestamp: now },
          { status, timestamp: now },
        ]
      : [{ status, timestamp: now }];
  return {
    id: execution.id,
    action: { ref: execution.action.ref, runner_type: execution.action.runner_type },
    parameters: execution.parameters,
    status,
    result: null,
    context: execution.context,
    parent: execution.parent ?? null,
    delay: execution.delay ?? null,
    start_timestamp: now,
    end_timestamp: isCompleted(status) ? now : null,
    log,
    runner_node: null,
    revision: 1,
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
    /** See asStored. */
    private readonly copyResults = true,
  ) {
    this.#insert = db.prepare(sql.INSERT_EXECUTION);
    this.#get = db.prepare(sql.GET_EXECUTION);
    this.#update = db.prepare(sql.UPDATE_EXECUTION);
  }

  get(id: string): Execution | null {
    const row = this.#get.get(id);
    return row ? toExecution(row) : null;
  }

  /**
   * Validates and inserts a new execution. Its log starts with `requested`; one created already
   * `scheduled` (nothing to decide before it runs) also gets the `scheduled` entry, as if it had
   * been requested and scheduled in the same instant.
   */
  insert(execution: NewExecution): Execution {
    checkNewExecution(execution);
    const record = newExecutionRecord(execution, this.nowIso());
    const row: ExecutionRow = {
      id: record.id,
      action_ref: record.action.ref,
      runner_type: record.action.runner_type,
      status: record.status,
      parent: record.parent,
      delay: record.delay,
      start_timestamp: record.start_timestamp,
      end_timestamp: record.end_timestamp,
      runner_node: null,
      revision: 1,
      parameters: JSON.stringify(execution.parameters),
      result: null,
      context: JSON.stringify(execution.context),
      log: JSON.stringify(record.log),
    };
    try {
      this.#insert.run(row);
    } catch (err) {
      if (sqliteCode(err) === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw new ConflictError(`execution ${execution.id} already exists`, { cause: err });
      }
      throw err;
    }
    if (!this.copyResults) return record;
    // The returned record is decoded from the stored text (not the caller's objects), so later
    // changes to the request cannot alter it.
    return {
      ...record,
      parameters: JSON.parse(row.parameters) as Record<string, unknown>,
      context: JSON.parse(row.context) as ExecutionContext,
    };
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
    try {
      const [moved] = this.transitions(id, [{ to, options }]);
      return moved as Execution;
    } catch (err) {
      throw err instanceof StepError ? err.cause : err;
    }
  }

  /**
   * Several moves of one execution (e.g. `running` then `succeeded` for an in-process runner),
   * each checked as `transition` checks it, with one read and one write of the row. Returns the
   * record after each step. A failing step throws StepError naming its index.
   */
  transitions(
    id: string,
    steps: ReadonlyArray<{
      to: ExecutionStatus;
      options?: Pick<TransitionOptions, "patch" | "expectFrom">;
    }>,
  ): Execution[] {
    for (const [i, step] of steps.entries()) {
      try {
        checkStatus(step.to);
      } catch (err) {
        throw new StepError(i, err);
      }
    }
    const current = this.#get.get(id);
    if (!current) throw new StepError(0, new NotFoundError(`execution ${id} not found`));
    const where = (column: string) => `executions.${column} (id ${id})`;
    // Decoded once for all steps; each step's record shares them (records are not mutated).
    const parameters = parseJson<Record<string, unknown>>(current.parameters, where("parameters"));
    const log = parseJson<TransitionLogEntry[]>(current.log, where("log"));
    let context = parseJson<ExecutionContext>(current.context, where("context"));
    let resultText = current.result;
    let result: unknown =
      resultText === null ? null : parseJson<unknown>(resultText, where("result"));
    let contextText = current.context;
    let status = current.status;
    let runnerNode = current.runner_node;
    let endTimestamp = current.end_timestamp;
    const now = this.nowIso();
    const out: Execution[] = [];
    for (const [i, { to, options = {} }] of steps.entries()) {
      if (options.expectFrom && !options.expectFrom.includes(status)) {
        throw new StepError(
          i,
          new ConflictError(
            `execution ${id} is ${status}, expected one of: ${options.expectFrom.join(", ")}`,
          ),
        );
      }
      if (!canTransition(status, to)) {
        throw new StepError(i, new IllegalTransitionError(status, to, id));
      }
      const patch = options.patch ?? {};
      if ("result" in patch) {
        resultText = toJson(patch.result);
        result =
          resultText === null
            ? null
            : asStored<unknown>(patch.result, resultText, this.copyResults);
      }
      if (patch.context !== undefined) {
        contextText = JSON.stringify(patch.context);
        context = asStored<ExecutionContext>(patch.context, contextText, this.copyResults);
      }
      if (patch.runner_node !== undefined) runnerNode = patch.runner_node;
      if (patch.end_timestamp !== undefined) endTimestamp = patch.end_timestamp;
      else if (isCompleted(to)) endTimestamp = now;
      status = to;
      log.push({ status: to, timestamp: now });
      out.push({
        id,
        action: { ref: current.action_ref, runner_type: current.runner_type },
        parameters,
        status,
        result,
        context,
        parent: current.parent,
        delay: current.delay,
        start_timestamp: current.start_timestamp,
        end_timestamp: endTimestamp,
        log: [...log],
        runner_node: runnerNode,
        revision: current.revision + i + 1,
      });
    }
    const info = this.#update.run({
      id,
      status,
      result: resultText,
      context: contextText,
      runner_node: runnerNode,
      end_timestamp: endTimestamp,
      log: JSON.stringify(log),
      revision: current.revision,
      revisions: steps.length,
    });
    if (info.changes !== 1) {
      throw new StepError(0, new ConflictError(`execution ${id} changed concurrently`));
    }
    return out;
  }
}

/** A failure of one step of `transitions`; `cause` is the typed error to report. */
export class StepError extends Error {
  constructor(
    readonly step: number,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}
