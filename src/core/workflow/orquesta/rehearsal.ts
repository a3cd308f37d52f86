/**
 * The rehearsal loop of `orquesta/rehearsing.py`: run a workflow to completion with results fed
 * by the caller instead of real actions. Each round marks every queued task running, then feeds
 * each one completion (a with-items task completes one item per round), then asks for the next
 * tasks. The caller decides where results come from (keyed mocks or a recorded queue).
 */

import type { NextTask, WorkflowConductor } from "./conductor.ts";
import { COMPLETED, isIn, type Status } from "./statuses.ts";

export interface MockOutcome {
  status: Status;
  result: unknown;
  /**
   * For a with-items task: the item this outcome is for. Unset means the item handed out first;
   * null means the next item after those reported so far (a keyed mock without `item_id`).
   */
  itemId?: number | null;
}

/**
 * Supplies the outcome of one action (or one item, when `itemId` is set). `seqId` is the index of
 * the task's entry in the conductor's sequence, which keyed mocks can pin to (loops).
 */
export type MockFeed = (task: NextTask, itemId: number | undefined, seqId: number) => MockOutcome;

export interface RehearsalLimits {
  /** Rounds before giving up on a workflow that never finishes (a loop with no exit). */
  maxRounds?: number;
}

/** Drives `conductor` until no task is left; returns the number of rounds it took. */
export function rehearse(
  conductor: WorkflowConductor,
  feed: MockFeed,
  limits: RehearsalLimits = {},
): number {
  const maxRounds = limits.maxRounds ?? 10_000;
  const accumulated = new Map<string, unknown[]>();
  if (conductor.getWorkflowStatus() !== "resuming") conductor.requestWorkflowStatus("running");
  let queue = conductor.getNextTasks();
  let rounds = 0;
  while (queue.length > 0) {
    if (++rounds > maxRounds) {
      throw new RangeError(`rehearsal did not finish in ${maxRounds} rounds`);
    }
    const seqIds = queue.map((t) => {
      conductor.updateTaskState(t.id, t.route, { type: "action", status: "running" });
      return conductor.state.sequence.length - 1;
    });
    for (const [n, t] of queue.entries()) {
      const handedOut = t.items_count !== undefined ? t.actions[0]?.item_id : undefined;
      const outcome = feed(t, handedOut, seqIds[n] ?? 0);
      const { status, result } = outcome;
      if (handedOut === undefined) {
        conductor.updateTaskState(t.id, t.route, { type: "action", status, result });
        continue;
      }
      // The accumulated list grows to the highest item reported so far, as in rehearsing.py.
      const key = `${t.id}__r${t.route}`;
      const acc = accumulated.get(key) ?? [];
      const itemId = outcome.itemId === undefined ? handedOut : (outcome.itemId ?? acc.length);
      while (acc.length <= itemId) acc.push(null);
      acc[itemId] = result;
      accumulated.set(key, acc);
      conductor.updateTaskState(t.id, t.route, {
        type: "item",
        itemId,
        status,
        result,
        accumulatedResult: [...acc],
      });
    }
    queue = conductor.getNextTasks();
  }
  if (isIn(conductor.getWorkflowStatus(), COMPLETED)) conductor.renderWorkflowOutput();
  return rounds;
}

/** The task sequence as the rehearsal specs write it: `task` for route 0, `task__rN` otherwise. */
export function taskSequence(conductor: WorkflowConductor): string[] {
  return conductor.state.sequence.map((t) => (t.route === 0 ? t.id : `${t.id}__r${t.route}`));
}

export function termTasks(conductor: WorkflowConductor): string[] {
  return conductor.state
    .terminalTasks()
    .map(([, t]) => (t.route === 0 ? t.id : `${t.id}__r${t.route}`));
}

/** One `mock_action_executions` entry of an Orquesta rehearsal spec. */
export interface MockActionExecution {
  task_id: string;
  route?: number;
  seq_id?: number;
  item_id?: number;
  iter_id?: number;
  num_iter?: number;
  status?: Status;
  result?: unknown;
}

/**
 * A feed answering from keyed mocks the way `orquesta/rehearsing.py` looks them up: the first
 * mock for the task (pinned to the sequence entry if it has `seq_id`, to the item if it has
 * `item_id`) whose `num_iter` budget is not used up; otherwise the action succeeds with null.
 */
export function keyedMockFeed(mocks: readonly MockActionExecution[]): MockFeed {
  const used = mocks.map((m) => (m.iter_id ?? 0) - 1);
  const find = (taskId: string, itemId?: number, seqId?: number): number => {
    let idxs = mocks
      .map((m, i) => [m, i] as const)
      .filter(
        ([m, i]) =>
          m.task_id === taskId && (used[i] ?? 0) < (m.iter_id ?? 0) + (m.num_iter ?? 1) - 1,
      )
      .map(([, i]) => i);
    if (idxs.length > 0 && seqId !== undefined)
      idxs = idxs.filter((i) => mocks[i]?.seq_id === seqId);
    if (idxs.length > 0 && itemId !== undefined)
      idxs = idxs.filter((i) => mocks[i]?.item_id === itemId);
    const first = idxs[0];
    if (first === undefined) return -1;
    if (mocks[first]?.seq_id !== undefined && seqId === undefined) return -1;
    return first;
  };
  // Like rehearsing.py, the lookup ignores which item was handed out: the mock names its item.
  return (task, _handedOut, seqId) => {
    let i = find(task.id, undefined, seqId);
    if (i < 0) i = find(task.id);
    const mock = mocks[i];
    if (mock) used[i] = (used[i] ?? 0) + 1;
    return {
      status: mock?.status ?? "succeeded",
      result: mock?.result ?? null,
      itemId: mock?.item_id ?? null,
    };
  };
}
