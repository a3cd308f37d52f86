/**
 * Storage for the reactor (triggers, trigger instances, rule enforcements, traces) and the
 * unit-of-work `commit` that the hot paths use.
 *
 * Why a list of write operations instead of methods with options: one trigger instance causes
 * several writes (enforcements, executions, their jobs, trace links, the instance's own status
 * and the completion of the job that carried it) that must commit together, and the rules
 * worker commits many instances in one transaction to reach its throughput target. Operations
 * as plain data compose, batch, and map onto one SQLite or PostgreSQL transaction alike.
 *
 * The `workflow.*` operations add no entries to CommitResult: an engine that needs an event's
 * seq passes it (which also makes the append a compare-and-set).
 */

import type { Execution, NewExecution } from "../../core/execution/model.ts";
import type { ExecutionStatus } from "../../core/execution/status.ts";
import type {
  RuleEnforcement,
  Trace,
  TraceComponent,
  TraceComponentKind,
  TriggerDef,
  TriggerInstance,
  TriggerInstanceStatus,
} from "../../core/reactor/model.ts";
import type { SerializedConductor } from "../../core/workflow/orquesta/conductor.ts";
import type { JobRef, Page, PageResult, TransitionOptions, WorkItem } from "./common.ts";
import type { WorkflowStatus } from "./workflow-contract.ts";

export type NewTriggerInstance = Omit<TriggerInstance, "status" | "error"> & {
  status?: TriggerInstanceStatus;
};

export type WriteOp =
  | { op: "execution.create"; execution: NewExecution }
  | {
      op: "execution.transition";
      id: string;
      to: ExecutionStatus;
      options?: Pick<TransitionOptions, "patch" | "expectFrom">;
    }
  | { op: "job.enqueue"; items: WorkItem[] }
  | { op: "job.complete"; job: JobRef }
  | { op: "trigger.upsert"; trigger: TriggerDef }
  /** Deleting a ref that does not exist is a no-op. */
  | { op: "trigger.delete"; ref: string }
  | {
      op: "instance.create";
      instance: NewTriggerInstance;
      /** Work to enqueue for this instance; skipped when the instance is a duplicate. */
      enqueue?: WorkItem[];
      /**
       * With a key, a second instance with the same key before `expiresAt` (ms) of the first is
       * not created: the result reports the first one as a duplicate.
       */
      idempotency?: { key: string; expiresAt: number };
    }
  | {
      op: "instance.status";
      id: string;
      status: TriggerInstanceStatus;
      /** Replaces the stored error; omitted, the error is cleared. */
      error?: string | null;
    }
  | { op: "enforcement.create"; enforcement: RuleEnforcement }
  | {
      op: "kv.set";
      scope: string;
      name: string;
      /** Stored as given: for secrets, the ciphertext. */
      value: string;
      secret: boolean;
      /** ms since the epoch, or null for no expiry. */
      expiresAt: number | null;
    }
  /** Deleting a pair that does not exist is a no-op. */
  | { op: "kv.delete"; scope: string; name: string }
  | {
      op: "trace.link";
      /** The trace is found by tag, or created with `trace_id` when none has the tag yet. */
      trace_tag: string;
      trace_id: string;
      kind: TraceComponentKind;
      component: TraceComponent;
    }
  /**
   * Workflow state (see workflow-contract.ts for the invariants). `id` is the workflow
   * execution's id; a second create with the same id is a ConflictError. `status` defaults to
   * "requested".
   */
  | {
      op: "workflow.create";
      id: string;
      spec: Record<string, unknown>;
      snapshot: SerializedConductor;
      status?: WorkflowStatus;
    }
  /**
   * Appends one event. Without `seq` it gets the next number; with `seq` it must BE the next
   * number, else ConflictError (another writer got there first). Unknown workflow: NotFoundError.
   */
  | { op: "workflow.event"; workflowId: string; seq?: number; event: Record<string, unknown> }
  /**
   * Compaction: `snapshot` reflects every event with seq ≤ `upToSeq`; those events are dropped.
   * `upToSeq` below the stored snapshot's is a ConflictError, above the last event a
   * ValidationError.
   */
  | {
      op: "workflow.snapshot";
      workflowId: string;
      upToSeq: number;
      snapshot: SerializedConductor;
    }
  | { op: "workflow.status"; workflowId: string; status: WorkflowStatus };

export interface CommitResult {
  /** Executions created or transitioned by the commit, in operation order. */
  executions: Execution[];
  /**
   * One entry per `instance.create`, in operation order, as stored: `idempotency_key` and `error`
   * are null when unset and `occurrence_time` is normalised to ISO-8601 UTC with milliseconds.
   */
  instances: Array<{ instance: TriggerInstance; duplicate: boolean }>;
}

export interface TriggerInstanceFilter {
  trigger?: string;
  status?: TriggerInstanceStatus;
  timestamp_gt?: string;
  timestamp_lt?: string;
}

export interface ReactorStore {
  /**
   * Applies every operation in one transaction, in order: all or nothing. An illegal execution
   * transition, a failed `expectFrom`, or completing a job this owner does not hold aborts it.
   */
  commit(ops: WriteOp[]): Promise<CommitResult>;

  getTrigger(ref: string): Promise<TriggerDef | null>;
  /** Finds the trigger of `type` whose parameters equal `parameters` (key order does not matter). */
  findTrigger(type: string, parameters: Record<string, unknown>): Promise<TriggerDef | null>;
  /** In ref order (triggers are content-like; their ids need not be time ordered). */
  listTriggers(filter: { type?: string }, page: Page): Promise<PageResult<TriggerDef>>;

  getInstance(id: string): Promise<TriggerInstance | null>;
  /** Newest first. */
  listInstances(filter: TriggerInstanceFilter, page: Page): Promise<PageResult<TriggerInstance>>;
  /** Forgets idempotency keys whose window has passed; returns how many. */
  expireIdempotencyKeys(now: number): Promise<number>;

  getEnforcement(id: string): Promise<RuleEnforcement | null>;
  /** Newest first. */
  listEnforcements(
    filter: { rule?: string; trigger_instance?: string; execution?: string },
    page: Page,
  ): Promise<PageResult<RuleEnforcement>>;

  getTrace(id: string): Promise<Trace | null>;
  /** Newest first. */
  listTraces(filter: { trace_tag?: string }, page: Page): Promise<PageResult<Trace>>;
}
