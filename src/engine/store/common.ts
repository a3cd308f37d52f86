/**
 * Types shared by every part of the storage contract (paging, work items, transitions). They
 * live apart from contract.ts so the per-aggregate contracts can import them without a cycle.
 */

import type { Execution } from "../../core/execution/model.ts";
import type { ExecutionStatus } from "../../core/execution/status.ts";

/** Pagination for every listing. `limit` is capped by the implementation (see MAX_PAGE_SIZE). */
export interface Page {
  limit?: number;
  offset?: number;
}

export interface PageResult<T> {
  items: T[];
  /** Total matching rows, for StackStorm's X-Total-Count header. */
  total: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** A unit of durable work. `kind` routes it to a service; `key` de-duplicates pending work. */
export interface WorkItem {
  kind: string;
  payload: Record<string, unknown>;
  /** Earliest time to run, ms since the epoch; defaults to now. */
  runAt?: number;
  /** If set, enqueueing is a no-op while another unfinished job with this key exists. */
  key?: string;
  /**
   * Inserted already claimed by `owner` for `ms` (attempt 1): a consumer in this process takes
   * it from `claim` without claiming it in the database. Should that consumer die, the lease
   * lapses and anyone may claim the job, as with any claimed job.
   */
  lease?: { owner: string; ms: number };
}

export interface Job extends Required<Omit<WorkItem, "key" | "lease">> {
  id: number;
  key: string | null;
  attempts: number;
  leaseOwner: string;
  leaseUntil: number;
}

export interface JobRef {
  id: number;
  /** The lease owner that claimed the job; completing with another owner fails. */
  owner: string;
}

export interface TransitionOptions {
  /** Fields to set alongside the status. */
  patch?: Partial<Pick<Execution, "result" | "end_timestamp" | "runner_node" | "context">>;
  /** Refuse unless the current status is one of these (compare-and-set). */
  expectFrom?: readonly ExecutionStatus[];
  enqueue?: WorkItem[];
  completeJob?: JobRef;
}
