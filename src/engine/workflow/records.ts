/**
 * The workflow events the engine records (the `event` of `workflow.event`), one per input that
 * moved the conductor. Replaying them in seq order on the snapshot rebuilds the conductor and
 * the ledger exactly: each names the conductor call it stands for, with everything that call
 * read from outside the workflow (action results, datastore values) written into it, so a
 * replay after a crash does not depend on what the datastore holds now.
 */

import type { Status } from "../../core/workflow/orquesta/statuses.ts";

/**
 * Datastore pairs an event's expressions read, by `<scope>/<stored name>`, as stored (secrets
 * stay ciphertext). A key read but absent here was missing.
 */
export type KvReads = Record<string, { value: string; secret: boolean }>;

/** One action handed out by a `next` event. */
export interface Dispatched {
  task: string;
  route: number;
  /** StackStorm's task execution id, what `task()` and child contexts report. */
  teid: string;
  item?: number;
  /** The child execution; absent for a task without an action. */
  child?: string;
  /** Whether the child is itself a workflow (it is paused and resumed with its parent). */
  workflow?: boolean;
  /** Why the child could not be created: the task fails with this error. */
  error?: string;
  /** A with-items task whose list is empty: it succeeds with `[]`. */
  empty?: boolean;
}

export type WorkflowRecord =
  /** `requestWorkflowStatus(status)`. */
  | { k: "status"; status: Status; kv?: KvReads }
  /** A child's status change: `updateTaskState(task, route, action|item event)`. */
  | {
      k: "task";
      task: string;
      route: number;
      status: Status;
      result?: unknown;
      item?: number;
      child?: string;
      at: string;
      kv?: KvReads;
    }
  /** `getNextTasks()` and marking what it handed out as running. */
  | { k: "next"; at: string; dispatched: Dispatched[]; kv?: KvReads }
  /** A child whose runner died is replaced by a new child for the same task and item. */
  | { k: "redispatch"; old: string; child: string }
  /** `renderWorkflowOutput()`. */
  | { k: "output"; kv?: KvReads }
  /** `requestWorkflowRerun(tasks)`, the first event of a re-run execution. */
  | {
      k: "rerun";
      tasks: Array<{ taskId: string; route: number; resetItems: boolean }>;
      kv?: KvReads;
    }
  /** The engine could not apply an input (a conductor error): the workflow fails with it. */
  | { k: "fail"; message: string };
