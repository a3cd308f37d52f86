/**
 * The reactor store on SQLite and its unit of work. `commit` applies a list of operations in one
 * IMMEDIATE transaction through the same table objects the other aggregates use (executions,
 * jobs, kv), so a commit and a direct method call cannot drift apart in behaviour.
 */

import { ValidationError } from "../../../core/errors.ts";
import type { ExecutionStatus } from "../../../core/execution/status.ts";
import type {
  RuleEnforcement,
  Trace,
  TriggerDef,
  TriggerInstance,
} from "../../../core/reactor/model.ts";
import type { Page, PageResult, TransitionOptions } from "../contract.ts";
import type {
  CommitResult,
  ReactorStore,
  TriggerInstanceFilter,
  WriteOp,
} from "../reactor-contract.ts";
import { type EnforcementFilter, EnforcementTable } from "./enforcements.ts";
import { type ExecutionTable, StepError } from "./execution-table.ts";
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
  readonly #fresh = new FreshInstances();
  readonly #remembers: boolean;

  constructor(
    private readonly writer: Writer,
    private readonly shared: SharedTables,
    /** See asStored. */
    copyResults = true,
  ) {
    const db = writer.db;
    const lists = new StatementCache(db);
    this.#triggers = new TriggerTable(db);
    this.#instances = new InstanceTable(db, lists, writer.now, copyResults);
    // A store whose results are serialised for another thread (the writer thread's) is never
    // read through, so it keeps no instances to serve from memory.
    this.#remembers = copyResults;
    this.#enforcements = new EnforcementTable(db, lists);
    this.#traces = new TraceTable(db, lists);
  }

  async commit(ops: WriteOp[]): Promise<CommitResult> {
    if (!Array.isArray(ops)) {
      throw new ValidationError("commit takes an array of operations", { field: "ops" });
    }
    const committed = this.writer.run((effects) =>
      this.#traces.inCommit(() => this.#applyAll(ops, effects)),
    );
    // Only now, with the transaction durable, may its instances be served from memory; one
    // whose status the same commit changed is stored differently from what create returned.
    if (this.#remembers && committed.instances.length > 0) {
      const moved = new Set<string>();
      for (const op of ops) if (op.op === "instance.status") moved.add(op.id);
      for (const { instance, duplicate } of committed.instances)
        if (!duplicate && !moved.has(instance.id)) this.#fresh.remember(instance);
    }
    return committed;
  }

  #applyAll(ops: WriteOp[], effects: TxEffects): CommitResult {
    const result: CommitResult = { executions: [], instances: [] };
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as WriteOp;
      if (op?.op === "execution.transition") {
        i = this.#transitions(ops, i, result) - 1;
        continue;
      }
      try {
        this.#apply(op, effects, result);
      } catch (err) {
        throw locate(err, i, ops[i]);
      }
    }
    return result;
  }

  /**
   * Applies the run of consecutive transitions of one execution starting at `start` with one
   * read and one write of its row (an in-process runner's `running` and `succeeded`); returns
   * the index after the run.
   */
  #transitions(ops: WriteOp[], start: number, result: CommitResult): number {
    const first = ops[start] as Extract<WriteOp, { op: "execution.transition" }>;
    const steps: Array<{ to: ExecutionStatus; options?: TransitionOptions }> = [];
    let end = start;
    for (; end < ops.length; end++) {
      const op = ops[end];
      if (op?.op !== "execution.transition" || op.id !== first.id) break;
      steps.push({ to: op.to, ...(op.options ? { options: op.options } : {}) });
    }
    try {
      result.executions.push(...this.shared.executions.transitions(first.id, steps));
    } catch (err) {
      const step = err instanceof StepError ? err.step : 0;
      throw locate(err instanceof StepError ? err.cause : err, start + step, ops[start + step]);
    }
    return end;
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
        this.#fresh.forget(op.id);
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
    return this.#fresh.get(id) ?? this.#instances.get(id);
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
 * Trigger instances this store created and that nothing has moved on since: the rules worker
 * reads each new instance once, right after its webhook committed it, and would otherwise read
 * back and decode the row just written. An instance leaves when its status changes (in this
 * store) or when newer ones push it out; instances created elsewhere are always read from disk.
 */
class FreshInstances {
  static readonly LIMIT = 20_000;
  readonly #byId = new Map<string, TriggerInstance>();

  remember(instance: TriggerInstance): void {
    if (instance.status !== "pending") return;
    this.#byId.set(instance.id, instance);
    if (this.#byId.size > FreshInstances.LIMIT) {
      const oldest = this.#byId.keys().next().value;
      if (oldest !== undefined) this.#byId.delete(oldest);
    }
  }

  forget(id: string): void {
    this.#byId.delete(id);
  }

  /**
   * Hands an instance out once (the next read goes to disk), so no two readers share one
   * object and a reader that changes what it got cannot change what the next one gets.
   */
  get(id: string): TriggerInstance | undefined {
    const hit = this.#byId.get(id);
    if (hit) this.#byId.delete(id);
    return hit;
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
