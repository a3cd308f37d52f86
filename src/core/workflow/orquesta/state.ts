/**
 * The conductor's workflow state (Orquesta's `WorkflowState`): contexts, routes, the task-state
 * sequence, staged tasks and the workflow status. It is plain data so it serialises as is, and
 * expressions read it as `__state` (task_status(), succeeded(), ...).
 */

import { deepCopy } from "./data.ts";
import { anyActive } from "./items.ts";
import { ACTIVE, isIn, type Status } from "./statuses.ts";

export interface TaskRetryState {
  when: string | null;
  count: number;
  delay: number | null;
  tally: number;
}

export interface TaskStateEntry {
  id: string;
  route: number;
  ctxs: { in: number[]; out?: Record<string, number> };
  /** Backrefs: `<prev_task>__t<ref>` to the sequence index of the task that led here. */
  prev: Record<string, number>;
  /** The evaluated criteria of each outbound transition, by transition id. */
  next: Record<string, boolean>;
  status?: Status;
  term?: boolean;
  retry?: TaskRetryState;
}

export interface StagedTask {
  id: string;
  route: number;
  ctxs: { in: number[] };
  prev: Record<string, number>;
  ready: boolean;
  items?: { status: Status }[];
  completed?: boolean;
  run_on_fail?: boolean;
  retry?: TaskRetryState;
}

export interface WorkflowStateData {
  contexts: Record<string, unknown>[];
  routes: string[][];
  sequence: TaskStateEntry[];
  staged: StagedTask[];
  status: Status;
  tasks: Record<string, number>;
  reruns?: number[][];
}

export function taskKey(taskId: string, route: number): string {
  return `${taskId}__r${route}`;
}

export class WorkflowState implements WorkflowStateData {
  contexts: Record<string, unknown>[] = [];
  routes: string[][] = [];
  sequence: TaskStateEntry[] = [];
  staged: StagedTask[] = [];
  status: Status = "null";
  tasks: Record<string, number> = {};
  reruns: number[][] = [];

  serialize(): WorkflowStateData {
    const data: WorkflowStateData = {
      contexts: deepCopy(this.contexts),
      routes: deepCopy(this.routes),
      sequence: deepCopy(this.sequence),
      staged: deepCopy(this.staged),
      status: this.status,
      tasks: { ...this.tasks },
    };
    if (this.reruns.length > 0) data.reruns = deepCopy(this.reruns);
    return data;
  }

  /**
   * What expressions read as `__state` (task_status(), task(), succeeded(), ...): the parts they
   * use, by reference. Copying the whole state for every evaluation made each task event cost
   * O(state), and a with-items task's item list is most of the state.
   */
  view(): Pick<WorkflowStateData, "tasks" | "sequence" | "routes" | "status"> {
    return { tasks: this.tasks, sequence: this.sequence, routes: this.routes, status: this.status };
  }

  static deserialize(data: WorkflowStateData): WorkflowState {
    const s = new WorkflowState();
    s.contexts = deepCopy(data.contexts ?? []);
    s.routes = deepCopy(data.routes ?? []);
    s.sequence = deepCopy(data.sequence ?? []);
    s.staged = deepCopy(data.staged ?? []);
    s.status = data.status ?? "null";
    s.tasks = { ...(data.tasks ?? {}) };
    s.reruns = deepCopy(data.reruns ?? []);
    return s;
  }

  entry(taskId: string, route: number): TaskStateEntry | undefined {
    const idx = this.tasks[taskKey(taskId, route)];
    return idx === undefined ? undefined : this.sequence[idx];
  }

  entryIndex(taskId: string, route: number): number | undefined {
    return this.tasks[taskKey(taskId, route)];
  }

  /** Latest entries (one per task and route) whose status is in `group`. */
  latestWithStatus(group: readonly Status[]): TaskStateEntry[] {
    const latest = new Set(Object.values(this.tasks));
    return this.sequence.filter((t, i) => latest.has(i) && isIn(t.status, group));
  }

  get hasActiveTasks(): boolean {
    return this.latestWithStatus(ACTIVE).length > 0;
  }

  hasTasksIn(group: readonly Status[]): boolean {
    return this.latestWithStatus(group).length > 0;
  }

  terminalTasks(): [number, TaskStateEntry][] {
    const out: [number, TaskStateEntry][] = [];
    this.sequence.forEach((t, i) => {
      if (t.term) out.push([i, t]);
    });
    return out;
  }

  /** Ready, unfinished staged tasks. */
  readyStaged(): StagedTask[] {
    return this.staged.filter((s) => s.ready && !s.completed);
  }

  get hasStagedTasks(): boolean {
    return this.readyStaged().length > 0;
  }

  addStaged(
    id: string,
    route: number,
    ctxs: number[] | undefined,
    prev: Record<string, number> | undefined,
    ready: boolean,
    retry?: TaskRetryState,
  ): StagedTask {
    const entry: StagedTask = {
      id,
      ctxs: { in: ctxs && ctxs.length > 0 ? [...ctxs] : [0] },
      route,
      prev: prev ? { ...prev } : {},
      ready,
    };
    if (retry) entry.retry = retry;
    this.staged.push(entry);
    return entry;
  }

  getStaged(id: string, route: number): StagedTask | undefined {
    return this.staged.find((s) => s.id === id && s.route === route);
  }

  /** Unstages a task, unless some of its items are still running. */
  removeStaged(id: string, route: number): void {
    const staged = this.getStaged(id, route);
    if (!staged) return;
    if (staged.items && anyActive(staged.items)) return;
    this.staged.splice(this.staged.indexOf(staged), 1);
  }

  /**
   * A task's entry followed by the entries it led to directly (through `prev` backrefs to any
   * entry of the same task and route). Orquesta's `get_task_sequence` goes one level deep only,
   * and reruns depend on exactly that.
   */
  successors(taskId: string, route: number): [number, TaskStateEntry][] {
    const start = this.entryIndex(taskId, route);
    if (start === undefined) return [];
    const seq: [number, TaskStateEntry][] = [[start, this.sequence[start] as TaskStateEntry]];
    this.sequence.forEach((t, i) => {
      for (const v of Object.values(t.prev)) {
        const p = this.sequence[v];
        if (p && p.id === taskId && p.route === route) seq.push([i, t]);
      }
    });
    return seq;
  }
}
