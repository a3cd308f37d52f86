/**
 * Durable workflow state for the Orquesta engine: per workflow execution, its spec, a snapshot of
 * the conductor and an append-only log of the conductor events recorded since that snapshot. The
 * engine rebuilds a conductor as `WorkflowConductor.deserialize(snapshot)` followed by replaying
 * `events` in `seq` order.
 *
 * Writes go through `reactor.commit` (the `workflow.*` operations in reactor-contract.ts) so that
 * a child's completion, the events it causes, the next child executions and their jobs commit in
 * ONE transaction: after a crash, either all of it happened or none of it did. This interface is
 * the read side only.
 *
 * Invariants
 * - Append-only: recording an event inserts one row and never rewrites the workflow record.
 *   StackStorm rewrote one growing document per with-items item, so a workflow of n items cost
 *   O(n²) bytes written; here each event costs the same whatever came before it.
 * - `seq` is per workflow, starts at 1 and has no gaps: the next event gets the highest recorded
 *   seq + 1 (counting the snapshot's `upToSeq`, so compaction never reuses a number). Passing
 *   `seq` explicitly turns the append into a compare-and-set: if another writer appended first the
 *   commit fails with ConflictError and nothing in it is applied, so an event (and the child
 *   executions committed with it) is never recorded twice.
 * - Compaction: `workflow.snapshot` stores a snapshot that already reflects every event with
 *   seq ≤ `upToSeq` and drops those events; reads then return only the later ones. The engine
 *   compacts when replay would cost more than writing a snapshot, e.g. every few hundred events
 *   or when the workflow completes; it never has to, correctness does not depend on it. A
 *   snapshot must not go backwards (ConflictError) nor cover events not yet recorded.
 * - `status` mirrors the conductor's workflow status so recovery can find the workflows still in
 *   flight without decoding snapshots; the engine updates it with `workflow.status` when the
 *   status changes, not per event.
 */

import type { SerializedConductor } from "../../core/workflow/orquesta/conductor.ts";
import type { Status } from "../../core/workflow/orquesta/statuses.ts";
import type { Page, PageResult } from "./common.ts";

export type WorkflowStatus = Status;

/** One recorded conductor event. The store keeps `event` as given (any JSON object). */
export interface WorkflowEvent {
  seq: number;
  event: Record<string, unknown>;
}

/** What `getWorkflow` returns: everything needed to rebuild the conductor. */
export interface StoredWorkflow {
  /** The workflow execution's id. */
  id: string;
  status: WorkflowStatus;
  /** The parsed workflow definition, as given at creation. */
  spec: Record<string, unknown>;
  snapshot: SerializedConductor;
  /** The snapshot covers events with seq ≤ this; 0 for the snapshot given at creation. */
  snapshotSeq: number;
  /** Events with seq > snapshotSeq, in seq order. */
  events: WorkflowEvent[];
  /** The highest seq recorded: the last event's, or snapshotSeq when there is none after it. */
  lastSeq: number;
  /** ISO-8601 UTC. `updated_at` moves on status and snapshot changes, not on each event. */
  created_at: string;
  updated_at: string;
}

/** A listing row: enough for recovery to decide what to load. */
export interface WorkflowSummary {
  id: string;
  status: WorkflowStatus;
  snapshotSeq: number;
  created_at: string;
  updated_at: string;
}

export interface WorkflowFilter {
  /** true: not yet completed (Orquesta's COMPLETED statuses); false: completed. */
  active?: boolean;
  status?: WorkflowStatus;
}

export interface WorkflowStore {
  /** The workflow with its snapshot and the events after it, read consistently; null if unknown. */
  getWorkflow(id: string): Promise<StoredWorkflow | null>;
  /**
   * Oldest first (id order), so a recovery scan that pages through active workflows is not
   * shifted by workflows created meanwhile (they sort after the page being read).
   */
  listWorkflows(filter: WorkflowFilter, page: Page): Promise<PageResult<WorkflowSummary>>;
}
