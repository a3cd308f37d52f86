/**
 * What the engine knows about a workflow besides the conductor: StackStorm's task execution
 * records (for `task()` and child contexts), with-items results by item, and the children still
 * running. It is plain data, stored in the snapshot next to the conductor and rebuilt by the
 * same events, so recovery can tell which children's completions were recorded.
 */

import { COMPLETED, isIn, type Status } from "../../core/workflow/orquesta/statuses.ts";

export interface TaskRecord {
  teid: string;
  task: string;
  route: number;
  status: Status;
  /** The action's result; for a with-items task, see `items`. */
  result: unknown;
  itemized: boolean;
  start: string;
  end: string | null;
}

export interface ActiveChild {
  task: string;
  route: number;
  teid: string;
  item?: number;
  workflow?: boolean;
  /** The last non-final status the child reported (paused, pending, running after a pause). */
  status?: Status;
}

export interface LedgerData {
  /** The latest task execution per `<task>__r<route>`. */
  tasks: Record<string, TaskRecord>;
  /** Item results and statuses of itemized tasks, by the same key (null: not finished). */
  items: Record<string, { results: unknown[]; statuses: Array<Status | null> }>;
  /** Children not yet completed, by execution id. */
  active: Record<string, ActiveChild>;
}

export const taskKey = (task: string, route: number) => `${task}__r${route}`;

export class Ledger {
  constructor(readonly data: LedgerData = { tasks: {}, items: {}, active: {} }) {}

  /** The task execution a new dispatch belongs to: the running one, or a new one. */
  open(task: string, route: number, teid: string, itemized: boolean, at: string): TaskRecord {
    const key = taskKey(task, route);
    const current = this.data.tasks[key];
    if (current && current.teid === teid) return current;
    const record: TaskRecord = {
      teid,
      task,
      route,
      status: "running",
      result: itemized ? { items: [] } : null,
      itemized,
      start: at,
      end: null,
    };
    this.data.tasks[key] = record;
    if (itemized) this.data.items[key] = { results: [], statuses: [] };
    return record;
  }

  /** The open task execution's id, when a task of this key is still running. */
  runningTeid(task: string, route: number): string | undefined {
    const current = this.data.tasks[taskKey(task, route)];
    return current && !isIn(current.status, COMPLETED) ? current.teid : undefined;
  }

  /** Records an item's result; returns the accumulated results (the same array, not a copy). */
  item(task: string, route: number, item: number, status: Status, result: unknown): unknown[] {
    const key = taskKey(task, route);
    let entry = this.data.items[key];
    if (!entry) {
      entry = { results: [], statuses: [] };
      this.data.items[key] = entry;
    }
    while (entry.results.length <= item) {
      entry.results.push(null);
      entry.statuses.push(null);
    }
    if (isIn(status, COMPLETED)) entry.results[item] = result ?? null;
    entry.statuses[item] = status;
    return entry.results;
  }

  /** Mirrors the conductor's task status into the record (and its end time once completed). */
  settle(task: string, route: number, status: Status | undefined, result: unknown, at: string) {
    const record = this.data.tasks[taskKey(task, route)];
    if (!record || status === undefined) return;
    record.status = status;
    if (!record.itemized && result !== undefined) record.result = result;
    if (isIn(status, COMPLETED)) record.end = at;
  }

  /** StackStorm's `task()` value (format_task_result) for the task's latest execution. */
  describe(workflowId: string, task: string, route: number): Record<string, unknown> | null {
    const key = taskKey(task, route);
    const record = this.data.tasks[key];
    if (!record) return null;
    let result = record.result;
    if (record.itemized) {
      const items = this.data.items[key];
      result = {
        items: (items?.results ?? []).map((r, i) => {
          const status = items?.statuses[i];
          return status ? { status, result: r } : null;
        }),
      };
    }
    return {
      task_execution_id: record.teid,
      workflow_execution_id: workflowId,
      task_name: record.task,
      task_id: record.task,
      route: record.route,
      result,
      status: record.status,
      start_timestamp: record.start,
      end_timestamp: record.end,
    };
  }
}
