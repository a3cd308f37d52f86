/**
 * The reactor store on SQLite and its unit of work. `commit` applies a list of operations in one
 * IMMEDIATE transaction through the same table objects the other aggregates use (executions,
 * jobs, kv), so a commit and a direct method call cannot drift apart in behaviour.
 */

import { ValidationError } from "../../../core/errors.ts";
import type {
  RuleEnforcement,
  Trace,
  TriggerDef,
  TriggerInstance,
} from "../../../core/reactor/model.ts";
import type { Page, PageResult } from "../contract.ts";
import type {
  CommitResult,
  ReactorStore,
  TriggerInstanceFilter,
  WriteOp,
} from "../reactor-contract.ts";
import { type EnforcementFilter, EnforcementTable } from "./enforcements.ts";
import type { ExecutionTable } from "./execution-table.ts";
import type { KvTable } from "./kv.ts";
import type { JobTable } from "./queue.ts";
import { StatementCache, type TxEffects, type Writer } from "./shared.ts";
import { TraceTable } from "./traces.ts";
import { InstanceTable } from "./trigger-instances.ts";
import { TriggerTable } from "./triggers.ts";
import type { WorkflowTable } from "./workflows.ts";

/** The tables of other aggregates that a commit writes through. */
export interface SharedTables {
  executions: ExecutionTable;
  jobs: JobTable;
  kv: KvTable;
  workflows: WorkflowTable;
}

export class SqliteReactorStore implements ReactorStore {
  readonly #triggers: TriggerTable;
  readonly #instances: InstanceTable;
  readonly #enforcements: EnforcementTable;
  readonly #traces: TraceTable;

  constructor(
    private readonly writer: Writer,
    private readonly shared: SharedTables,
  ) {
    const db = writer.db;
    const lists = new StatementCache(db);
    this.#triggers = new TriggerTable(db);
    this.#instances = new InstanceTable(db, lists, writer.now);
    this.#enforcements = new EnforcementTable(db, lists);
    this.#traces = new TraceTable(db, lists);
  }

  async commit(ops: WriteOp[]): Promise<CommitResult> {
    if (!Array.isArray(ops)) {
      throw new ValidationError("commit takes an array of operations", { field: "ops" });
    }
    return this.writer.run((effects) => {
      const result: CommitResult = { executions: [], instances: [] };
      for (let i = 0; i < ops.length; i++) {
        try {
          this.#apply(ops[i] as WriteOp, effects, result);
        } catch (err) {
          throw locate(err, i, ops[i]);
        }
      }
      return result;
    });
  }

  #apply(op: WriteOp, effects: TxEffects, result: CommitResult): void {
    const { executions, jobs, kv, workflows } = this.shared;
    switch (op?.op) {
      case "execution.create":
        result.executions.push(executions.insert(op.execution));
        return;
      case "execution.transition":
        result.executions.push(executions.transition(op.id, op.to, op.options));
        return;
      case "job.enqueue":
        jobs.enqueue(op.items, effects);
        return;
      case "job.complete":
        jobs.complete(op.job);
        return;
      case "trigger.upsert":
        this.#triggers.upsert(op.trigger);
        return;
      case "trigger.delete":
        this.#triggers.delete(op.ref);
        return;
      case "instance.create": {
        const created = this.#instances.create(op.instance, op.idempotency);
        if (!created.duplicate) jobs.enqueue(op.enqueue, effects);
        result.instances.push(created);
        return;
      }
      case "instance.status":
        this.#instances.setStatus(op.id, op.status, op.error);
        return;
      case "enforcement.create":
        this.#enforcements.create(op.enforcement);
        return;
      case "kv.set":
        kv.set(op.scope, op.name, op.value, op.secret, op.expiresAt);
        return;
      case "kv.delete":
        kv.delete(op.scope, op.name);
        return;
      case "trace.link":
        this.#traces.link(op);
        return;
      case "workflow.create":
        workflows.create(op);
        return;
      case "workflow.event":
        workflows.append(op);
        return;
      case "workflow.snapshot":
        workflows.snapshot(op);
        return;
      case "workflow.status":
        workflows.setStatus(op);
        return;
      default:
        throw new ValidationError(
          `unknown operation ${String((op as { op?: unknown } | undefined)?.op)}`,
          { field: "op" },
        );
    }
  }

  async getTrigger(ref: string): Promise<TriggerDef | null> {
    return this.#triggers.get(ref);
  }

  async findTrigger(type: string, parameters: Record<string, unknown>): Promise<TriggerDef | null> {
    return this.#triggers.find(type, parameters);
  }

  async listTriggers(filter: { type?: string }, page: Page): Promise<PageResult<TriggerDef>> {
    return this.#triggers.list(filter, page);
  }

  async getInstance(id: string): Promise<TriggerInstance | null> {
    return this.#instances.get(id);
  }

  async listInstances(
    filter: TriggerInstanceFilter,
    page: Page,
  ): Promise<PageResult<TriggerInstance>> {
    return this.#instances.list(filter, page);
  }

  async expireIdempotencyKeys(now: number): Promise<number> {
    return this.writer.run(() => this.#instances.expireKeys(now));
  }

  async getEnforcement(id: string): Promise<RuleEnforcement | null> {
    return this.#enforcements.get(id);
  }

  async listEnforcements(
    filter: EnforcementFilter,
    page: Page,
  ): Promise<PageResult<RuleEnforcement>> {
    return this.#enforcements.list(filter, page);
  }

  async getTrace(id: string): Promise<Trace | null> {
    return this.#traces.get(id);
  }

  async listTraces(filter: { trace_tag?: string }, page: Page): Promise<PageResult<Trace>> {
    return this.#traces.list(filter, page);
  }
}

/**
 * Names the failing operation in a validation error (`ops[3].instance.payload`), so a caller
 * batching a hundred instances can tell which one was bad. Other errors keep their class and
 * message, which already name the record involved.
 */
function locate(err: unknown, index: number, op: unknown): unknown {
  if (!(err instanceof ValidationError)) return err;
  const name = (op as { op?: unknown } | undefined)?.op;
  const field = err.location?.field;
  const located = new ValidationError(
    `ops[${index}]${typeof name === "string" ? ` (${name})` : ""}: ${err.message}`,
    { ...err.location, field: field ? `ops[${index}].${field}` : `ops[${index}]` },
  );
  Object.defineProperty(located, "cause", { value: err, configurable: true, writable: true });
  return located;
}
