/**
 * Task-level conducting (Orquesta's `update_task_state` and `request_workflow_rerun`): applies a
 * task event, retries, evaluates every outbound transition (all matching ones fire), renders
 * publishes into new contexts, stages the next tasks on their routes, runs engine commands, and
 * finally tells the workflow machine.
 */

import { type Dict, deepCopy } from "./data.ts";
import {
  InvalidTask,
  InvalidTaskRerunRequest,
  InvalidTaskStateEntry,
  RenderingError,
  WorkflowIsActiveAndNotRerunableError,
} from "./errors.ts";
import type { Edge } from "./graph.ts";
import type { ConductorHost } from "./host.ts";
import { setItemStatus } from "./items.ts";
import {
  type EngineCommand,
  eventStatus,
  processTaskEvent,
  processTaskExecution,
  type TaskEvent,
} from "./machines.ts";
import { asInt, copyContext, describeError, evaluate, renderPublish } from "./render.ts";
import { isEngineCommand, taskSpecOf } from "./spec.ts";
import { type StagedTask, type TaskStateEntry, taskKey } from "./state.ts";
import { ABENDED, ACTIVE, COMPLETED, isIn, STARTING } from "./statuses.ts";

export interface RerunRequest {
  taskId: string;
  route?: number;
  resetItems?: boolean;
}

export class TaskFlow {
  constructor(private readonly c: ConductorHost) {}

  private get state() {
    return this.c.state;
  }

  private addTaskState(
    taskId: string,
    route: number,
    ctxs: number[] | undefined,
    prev: Record<string, number> | undefined,
  ): TaskStateEntry {
    if (!this.c.graph.hasTask(taskId)) throw new InvalidTask(taskId);
    const entry: TaskStateEntry = {
      id: taskId,
      route,
      ctxs: { in: ctxs && ctxs.length > 0 ? [...ctxs] : [0] },
      prev: prev ? { ...prev } : {},
      next: {},
    };
    const retry = this.c.graph.retrySpec(taskId);
    if (retry && retry.count !== null && retry.count !== undefined) {
      const inCtx = this.c.getTaskContext(entry.ctxs.in);
      const number = (v: unknown, what: string): number | null => {
        if (v === null || v === undefined) return null;
        const n = asInt(typeof v === "string" ? evaluate(v, inCtx, this.c.callbacks) : v);
        if (n === null) {
          throw new RenderingError(
            "ValueError",
            `The retry ${what} for task "${taskId}" is not an integer.`,
          );
        }
        return n;
      };
      entry.retry = {
        when: retry.when,
        count: number(retry.count, "count") ?? 0,
        delay: number(retry.delay, "delay"),
        tally: 0,
      };
    }
    this.state.sequence.push(entry);
    this.state.tasks[taskKey(taskId, route)] = this.state.sequence.length - 1;
    return entry;
  }

  update(taskId: string, route: number, event: TaskEvent): TaskStateEntry {
    const engineQueue: [string, number][] = [];
    const c = this.c;
    if (!c.graph.hasTask(taskId)) throw new InvalidTask(taskId);
    const state = this.state;
    let staged = state.getStaged(taskId, route);
    let entry = state.entry(taskId, route);
    const taskSpec = taskSpecOf(c.spec, taskId);
    const status = eventStatus(event);
    if (!staged && !entry) throw new InvalidTaskStateEntry(taskId);
    if (!entry || isEngineCommand(taskId)) {
      const s = staged as StagedTask;
      entry = this.addTaskState(taskId, s.route, s.ctxs.in, s.prev);
    }
    let entryIdx = state.entryIndex(taskId, route) as number;
    if (isIn(entry.status, COMPLETED) && isIn(status, STARTING) && staged) {
      entry = this.addTaskState(taskId, staged.route, staged.ctxs.in, staged.prev);
      entryIdx = state.entryIndex(taskId, route) as number;
    }
    if (staged && !staged.items) state.removeStaged(taskId, route);
    if (staged && event.type === "item" && staged.items) {
      setItemStatus(staged.items, event.itemId, event.status);
    }
    if (status === "failed") {
      const result = event.type === "engine" ? null : (event.result ?? null);
      c.logEntry({
        type: "error",
        message: "Execution failed. See result for details.",
        task_id: taskId,
        result,
      });
    }
    const oldStatus = entry.status ?? "null";
    processTaskEvent(state, entry, event);
    const newStatus = entry.status ?? "null";

    if (newStatus === "retrying" && entry.retry) {
      entry.retry.tally += 1;
      state.removeStaged(taskId, route);
      state.addStaged(taskId, route, entry.ctxs.in, entry.prev, true, entry.retry);
    }

    let currentCtx: Dict = {};
    if (isIn(newStatus, COMPLETED)) {
      if (!(taskSpec.with && isIn(newStatus, ABENDED))) state.removeStaged(taskId, route);
      else {
        staged = state.getStaged(taskId, route);
        if (staged) staged.completed = true;
      }
      let result: unknown;
      if (!taskSpec.with) result = event.type === "engine" ? null : (event.result ?? null);
      else if (event.type === "item") result = event.accumulatedResult ?? [];
      else result = event.type === "engine" ? [] : (event.result ?? []);
      currentCtx = this.taskContext(entry, result);
      if (isIn(c.getWorkflowStatus(), ACTIVE) && this.shouldRetry(entry, currentCtx)) {
        return this.update(taskId, route, { type: "engine", command: "retry" });
      }
    }

    if (isIn(newStatus, COMPLETED) && newStatus !== oldStatus) {
      this.evaluateTransitions(taskId, route, entry, entryIdx, currentCtx, engineQueue);
    }

    processTaskExecution(c, taskId, route, entry.status ?? "null");
    for (const [id, r] of engineQueue) {
      this.update(id, r, { type: "engine", command: id as EngineCommand });
    }
    if (isIn(c.getWorkflowStatus(), COMPLETED)) entry.term = true;
    return entry;
  }

  private taskContext(entry: TaskStateEntry, result: unknown): Dict {
    return {
      ...this.c.getTaskContext(entry.ctxs.in),
      __current_task: { id: entry.id, route: entry.route, result },
      __state: this.state.view(),
    };
  }

  private shouldRetry(entry: TaskStateEntry, ctx: Dict): boolean {
    const retry = entry.retry;
    if (!retry) return false;
    if (retry.tally >= retry.count) return false;
    if (isIn(entry.status, ABENDED) && retry.when === null) return true;
    return retry.when !== null && Boolean(evaluate(retry.when, ctx, this.c.callbacks));
  }

  private evaluateTransitions(
    taskId: string,
    route: number,
    entry: TaskStateEntry,
    entryIdx: number,
    currentCtx: Dict,
    engineQueue: [string, number][],
  ): void {
    const c = this.c;
    const state = this.state;
    const taskSpec = taskSpecOf(c.spec, taskId);
    let manualFail = false;
    const stagedNext: StagedTask[] = [];
    const transitions = c.graph.nextTransitions(taskId);
    if (transitions.length === 0) entry.term = true;
    for (const t of transitions) {
      const tid = `${t.to}__t${t.key}`;
      try {
        entry.next[tid] =
          t.when === null || Boolean(truthy(evaluate(t.when, currentCtx, c.callbacks)));
      } catch (e) {
        c.logEntry({
          type: "error",
          message: describeError(e),
          task_id: taskId,
          route,
          task_transition_id: tid,
        });
        c.requestWorkflowStatus("failed");
        continue;
      }
      if (!entry.next[tid]) continue;
      const transition = taskSpec.next[t.ref];
      const publish = transition?.do.includes(t.to)
        ? renderPublish(transition.publish, copyContext(currentCtx), c.callbacks)
        : { values: {}, errors: [] };
      if (publish.errors.length > 0) {
        for (const message of publish.errors) {
          c.logEntry({ type: "error", message, task_id: taskId, route, task_transition_id: tid });
        }
        c.requestWorkflowStatus("failed");
        continue;
      }
      const outIdxs = [...entry.ctxs.in];
      if (Object.keys(publish.values).length > 0) {
        state.contexts.push(publish.values);
        const idx = state.contexts.length - 1;
        outIdxs.push(idx);
        entry.ctxs.out = { [tid]: idx };
      }
      const nextRoute = this.evaluateRoute(t, route);
      let next = state.getStaged(t.to, nextRoute);
      const backref = `${taskId}__t${t.key}`;
      if (next) {
        const zero = outIdxs.indexOf(0);
        if (zero >= 0) outIdxs.splice(zero, 1);
        next.ctxs.in.push(...outIdxs);
        next.prev[backref] = entryIdx;
        delete next.items;
        delete next.completed;
      } else {
        next = state.addStaged(t.to, nextRoute, outIdxs, { [backref]: entryIdx }, false);
      }
      next.ready = c.getInboundCriteriaStatus(t.to, route) === "satisfied";
      if (isEngineCommand(t.to)) {
        engineQueue.push([next.id, next.route]);
        if (!manualFail) manualFail = t.to === "fail";
      } else if (next.ready) stagedNext.push(next);
    }
    if (manualFail) for (const s of stagedNext) s.run_on_fail = true;
  }

  private evaluateRoute(t: Edge, prevRoute: number): number {
    const nav = this.c.graph.nav;
    if (!nav.isSplit(t.to) || this.c.graph.inCycle(t.to)) return prevRoute;
    const routes = this.state.routes;
    const old = routes[prevRoute] ?? [];
    const id = `${t.from}__t${t.key}`;
    if (old.includes(id)) return prevRoute;
    routes.push([...old, id]);
    return routes.length - 1;
  }

  rerun(requests: RerunRequest[] = []): void {
    const c = this.c;
    const state = this.state;
    if (!isIn(c.getWorkflowStatus(), COMPLETED)) throw new WorkflowIsActiveAndNotRerunableError();
    const tasks = new Map<string, RerunRequest & { route: number }>();
    for (const r of requests)
      tasks.set(taskKey(r.taskId, r.route ?? 0), { ...r, route: r.route ?? 0 });
    const invalid = [...tasks.entries()].filter(([k]) => !(k in state.tasks)).map(([, t]) => t);
    if (invalid.length > 0) throw new InvalidTaskRerunRequest(invalid);
    const candidates = new Map<string, [number, TaskStateEntry]>();
    if (tasks.size === 0) {
      for (const [i, t] of state.terminalTasks()) {
        if (isIn(t.status, ABENDED)) candidates.set(taskKey(t.id, t.route), [i, t]);
      }
    } else {
      const seqs = new Map<string, Set<number>>();
      for (const [k, t] of tasks)
        seqs.set(k, new Set(state.successors(t.taskId, t.route).map(([i]) => i)));
      for (const [k, t] of tasks) {
        const mine = seqs.get(k) as Set<number>;
        // Orquesta keeps a request if its downstream set differs from at least one other's.
        const keep =
          tasks.size === 1 || [...seqs.values()].some((o) => [...mine].some((i) => !o.has(i)));
        if (!keep) continue;
        const idx = state.entryIndex(t.taskId, t.route) as number;
        candidates.set(k, [idx, state.sequence[idx] as TaskStateEntry]);
      }
    }
    state.reruns.push([...candidates.values()].map(([i]) => i));
    const sorted = [...candidates.values()].sort(([, a], [, b]) =>
      a.id < b.id ? -1 : a.id > b.id ? 1 : a.route - b.route,
    );
    for (const [, task] of sorted) {
      const req = tasks.get(taskKey(task.id, task.route));
      this.rerunTask(task.id, task.route, req?.resetItems ?? false);
    }
    const continuable = state
      .terminalTasks()
      .filter(([, t]) => Object.values(t.next).some((v) => v))
      .sort(([, a], [, b]) => (taskKey(a.id, a.route) < taskKey(b.id, b.route) ? -1 : 1));
    for (const [, t] of continuable) delete t.term;
    c.resetWorkflowOutput();
    state.status = "resuming";
  }

  private rerunTask(taskId: string, route: number, resetItems: boolean): void {
    const c = this.c;
    const state = this.state;
    const task = state.entry(taskId, route) as TaskStateEntry;
    const ctxs = deepCopy(task.ctxs.in);
    const prev = deepCopy(task.prev);
    delete task.term;
    const staged = state.getStaged(taskId, route);
    if (staged) delete staged.completed;
    for (let i = c.errors.length - 1; i >= 0; i--) {
      if (c.errors[i]?.task_id === taskId) c.errors.splice(i, 1);
    }
    if (taskSpecOf(c.spec, taskId).with) {
      const items = staged?.items ?? [];
      items.forEach((item, i) => {
        if (resetItems || isIn(item.status, ABENDED)) setItemStatus(items, i, "null");
      });
    } else {
      this.addTaskState(taskId, route, ctxs, prev);
      state.addStaged(taskId, route, ctxs, prev, true);
    }
    for (const [, next] of state.successors(taskId, route)) delete next.term;
  }
}

/** Python truthiness of an expression result. */
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === "object") return Object.keys(v).length > 0;
  return Boolean(v);
}
