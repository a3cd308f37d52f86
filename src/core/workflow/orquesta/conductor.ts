/**
 * The Orquesta workflow conductor: a pure state machine over a composed graph. The host asks it
 * for the tasks to run (`getNextTasks`), runs them, and reports each status change back
 * (`updateTaskState`); the conductor stages what comes next, tracks routes, contexts, retries,
 * joins and with-items, and keeps the workflow status. It never runs anything itself.
 */

import type { OrquestaCallbacks } from "../../expr/jinja/orquesta.ts";
import { type Dict, deepCopy, mergeDicts, sameValue } from "./data.ts";
import { InvalidWorkflowStatusTransition, RenderingError, UnreachableJoinError } from "./errors.ts";
import { WorkflowGraph } from "./graph.ts";
import type { ConductorHost, InboundStatus, LogEntry } from "./host.ts";
import { newItems, notStarted, summarize } from "./items.ts";
import {
  type MachineHost,
  processWorkflowEventOnTask,
  processWorkflowRequest,
} from "./machines.ts";
import {
  type ActionSpec,
  asInt,
  describeError,
  evaluate,
  renderActions,
  renderInput,
  renderRolling,
} from "./render.ts";
import { parseWorkflowSpec, taskSpecOf, type WorkflowSpec } from "./spec.ts";
import { type StagedTask, WorkflowState, type WorkflowStateData } from "./state.ts";
import { ACTIVE, COMPLETED, isIn, RUNNING, type Status } from "./statuses.ts";
import { TaskFlow } from "./task-flow.ts";

export type { InboundStatus, LogEntry } from "./host.ts";

/** A task the host should run now. */
export interface NextTask {
  id: string;
  route: number;
  ctx: Dict;
  actions: ActionSpec[];
  delay?: number;
  items_count?: number;
  concurrency?: unknown;
}

export interface ConductorOptions {
  /** The parent context (StackStorm puts `st2` here). */
  context?: Dict;
  inputs?: Dict;
  callbacks?: OrquestaCallbacks;
}

export interface SerializedConductor {
  spec: Record<string, unknown>;
  input: Dict;
  context: Dict;
  state: WorkflowStateData;
  log: LogEntry[];
  errors: LogEntry[];
  output: Dict | null;
}

export class WorkflowConductor implements MachineHost, ConductorHost {
  readonly graph: WorkflowGraph;
  readonly errors: LogEntry[] = [];
  readonly log: LogEntry[] = [];
  private outputs: Dict | null = null;
  private stateValue: WorkflowState | null = null;
  private readonly parentCtx: Dict;
  private readonly inputs: Dict;
  private readonly flow: TaskFlow;
  readonly callbacks: OrquestaCallbacks | undefined;
  /** With-items renderings by staged entry (memory only; rebuilt once after deserialize). */
  private readonly rendered = new WeakMap<StagedTask, { inputs: number; task: NextTask }>();

  constructor(
    readonly spec: WorkflowSpec,
    options: ConductorOptions = {},
    restored?: SerializedConductor,
  ) {
    this.graph = new WorkflowGraph(spec);
    this.parentCtx = deepCopy(options.context ?? {});
    this.inputs = deepCopy(options.inputs ?? {});
    this.callbacks = options.callbacks;
    if (restored) {
      this.stateValue = WorkflowState.deserialize(restored.state);
      this.errors.push(...deepCopy(restored.errors));
      this.log.push(...deepCopy(restored.log ?? []));
      this.outputs = restored.output ? deepCopy(restored.output) : null;
    }
    this.flow = new TaskFlow(this);
  }

  get state(): WorkflowState {
    if (!this.stateValue) this.initialize();
    return this.stateValue as WorkflowState;
  }

  private initialize(): void {
    const state = new WorkflowState();
    this.stateValue = state;
    let ctx = deepCopy(this.parentCtx);
    const input = renderInput(this.spec, this.inputs, ctx, this.callbacks);
    ctx = mergeDicts(ctx, input.values);
    const vars = renderRolling(this.spec.vars, ctx, this.callbacks);
    ctx = mergeDicts(ctx, vars.values);
    const errors = [...input.errors, ...vars.errors];
    if (errors.length > 0) {
      for (const message of errors) this.logEntry({ type: "error", message });
      this.requestWorkflowStatus("failed");
    }
    if (!["failed", "timeout", "abandoned"].includes(state.status)) {
      state.contexts.push(ctx);
      state.routes.push([]);
      for (const root of this.graph.roots) state.addStaged(root, 0, [0], {}, true);
    }
  }

  serialize(): SerializedConductor {
    return {
      spec: deepCopy(this.spec.raw),
      input: deepCopy(this.inputs),
      context: deepCopy(this.parentCtx),
      state: this.state.serialize(),
      log: deepCopy(this.log),
      errors: deepCopy(this.errors),
      output: this.getWorkflowOutput(),
    };
  }

  logEntry(entry: LogEntry): void {
    const clean: LogEntry = { type: entry.type, message: entry.message };
    if (entry.task_id != null) clean.task_id = entry.task_id;
    if (entry.route != null) clean.route = entry.route;
    if (entry.task_transition_id != null) clean.task_transition_id = entry.task_transition_id;
    if (entry.result != null) clean.result = entry.result;
    if (entry.data != null) clean.data = entry.data;
    const log = clean.type === "error" ? this.errors : this.log;
    if (log.some((e) => sameValue(e, clean))) return;
    log.push(clean);
  }

  getWorkflowStatus(): Status {
    return this.state.status;
  }

  getWorkflowInput(): Dict {
    return deepCopy(this.inputs);
  }

  getWorkflowParentContext(): Dict {
    return deepCopy(this.parentCtx);
  }

  requestWorkflowStatus(status: Status): void {
    const current = this.getWorkflowStatus();
    for (const entry of this.state.latestWithStatus(ACTIVE)) {
      processWorkflowEventOnTask(this.state, entry, status);
    }
    processWorkflowRequest(this.state, status);
    const updated = this.getWorkflowStatus();
    if (status === "paused" && current === "pausing" && updated === "pausing") return;
    if (status === "canceled" && current === "canceling" && updated === "canceling") return;
    if (status !== current && current === updated) {
      throw new InvalidWorkflowStatusTransition(current, `workflow_${status}`);
    }
  }

  getTaskContext(idxs: number[]): Dict {
    let ctx: Dict = {};
    for (const i of idxs) ctx = mergeDicts(ctx, this.state.contexts[i] ?? {});
    return ctx;
  }

  getTaskInitialContext(taskId: string, route: number): Dict | null {
    const staged = this.state.getStaged(taskId, route);
    if (staged) return this.getTaskContext(staged.ctxs.in);
    const entry = this.state.entry(taskId, route);
    return entry ? this.getTaskContext(entry.ctxs.in) : null;
  }

  /** The terminal context: the first terminal task's in-context plus the others' without index 0. */
  getWorkflowTerminalContext(): Dict {
    const terms = this.state.terminalTasks();
    const first = terms[0];
    if (!first) return {};
    let ctx = this.getTaskContext(first[1].ctxs.in);
    for (const [, task] of terms.slice(1)) {
      ctx = mergeDicts(
        ctx,
        this.getTaskContext(task.ctxs.in.filter((_i, n) => n !== task.ctxs.in.indexOf(0))),
      );
    }
    return ctx;
  }

  renderWorkflowOutput(): void {
    const status = this.getWorkflowStatus();
    if (!isIn(status, COMPLETED) || this.outputs) return;
    const ctx = { ...this.getWorkflowTerminalContext(), __state: this.state.view() };
    const r = renderRolling(this.spec.output, ctx, this.callbacks);
    if (Object.keys(r.values).length > 0) this.outputs = r.values;
    if (r.errors.length > 0) {
      for (const message of r.errors) this.logEntry({ type: "error", message });
      if (!["timeout", "abandoned", "canceled"].includes(status))
        this.requestWorkflowStatus("failed");
    }
  }

  getWorkflowOutput(): Dict | null {
    return this.outputs && Object.keys(this.outputs).length > 0 ? deepCopy(this.outputs) : null;
  }

  resetWorkflowOutput(): void {
    this.outputs = null;
  }

  getInboundCriteriaStatus(taskId: string, route: number): InboundStatus {
    const inbound = this.graph.prevTransitions(taskId);
    const evaluation = new Map<string, boolean | null>();
    for (const e of inbound) evaluation.set(e.from, null);
    const barrier = this.graph.barrier(taskId) ?? 1;
    const requirement = barrier === "*" ? evaluation.size : barrier;
    for (const e of inbound) {
      const prev = this.state.entry(e.from, route);
      if (!prev) continue;
      const satisfied = prev.next[`${e.to}__t${e.key}`] === true;
      if (!evaluation.get(e.from)) evaluation.set(e.from, satisfied);
    }
    const values = [...evaluation.values()];
    if (values.filter((v) => v === true).length >= requirement) return "satisfied";
    if (values.includes(null) && (this.state.hasActiveTasks || this.state.hasStagedTasks)) {
      return "wip";
    }
    return "not_satisfied";
  }

  private hasNext(taskId: string, route: number, evalJoinReady: boolean): boolean {
    const entry = this.state.entry(taskId, route);
    if (!entry || !isIn(entry.status, COMPLETED)) return false;
    for (const e of this.graph.nextTransitions(taskId)) {
      if (e.to === "continue") continue;
      if (!entry.next[`${e.to}__t${e.key}`]) continue;
      if (this.graph.barrier(e.to) !== null) {
        if (!evalJoinReady) return true;
        if (this.getInboundCriteriaStatus(e.to, route) === "not_satisfied") continue;
      }
      return true;
    }
    return false;
  }

  hasNextTasks(taskId: string, route: number): boolean {
    return this.hasNext(taskId, route, true);
  }

  hasBarrierNext(taskId: string, route: number): boolean {
    return this.hasNext(taskId, route, false);
  }

  unreachableBarriers(): StagedTask[] {
    const barriers = this.graph.barriers();
    return this.state.staged.filter(
      (s) =>
        barriers.includes(s.id) &&
        !s.ready &&
        this.getInboundCriteriaStatus(s.id, s.route) === "not_satisfied",
    );
  }

  logUnreachableJoin(staged: StagedTask): void {
    const e = new UnreachableJoinError(staged.id, staged.route);
    this.logEntry({
      type: "error",
      message: `UnreachableJoinError: ${e.message}`,
      task_id: staged.id,
      route: staged.route,
    });
  }

  /** Renders one staged task for the host. Throws on a rendering error. */
  getTask(taskId: string, route: number): NextTask & { hasItems: boolean } {
    const staged = this.state.getStaged(taskId, route);
    const cached = staged ? this.rendered.get(staged) : undefined;
    // A with-items task is rendered in full once (so a bad item fails the task when it is
    // first handed out, as in Orquesta); later calls reuse that rendering and only pick items.
    if (cached && staged && cached.inputs === staged.ctxs.in.length && staged.items) {
      return { ...cached.task, actions: cached.task.actions, hasItems: true };
    }
    const base =
      this.getTaskInitialContext(taskId, route) ?? deepCopy(this.state.contexts[0] ?? {});
    const ctx: Dict = {
      ...base,
      __current_task: { id: taskId, route },
      __state: this.state.view(),
    };
    const taskSpec = taskSpecOf(this.spec, taskId);
    const actions = renderActions(taskSpec, ctx, this.callbacks);
    const task: NextTask & { hasItems: boolean } = {
      id: taskId,
      route,
      ctx,
      actions,
      hasItems: false,
    };
    if (
      taskSpec.delay !== null &&
      taskSpec.delay !== undefined &&
      taskSpec.delay !== 0 &&
      taskSpec.delay !== ""
    ) {
      const delay =
        typeof taskSpec.delay === "string"
          ? evaluate(taskSpec.delay, ctx, this.callbacks)
          : taskSpec.delay;
      const n = asInt(delay);
      if (n === null) {
        throw new RenderingError("TypeError", "The value of task delay is not type of integer.");
      }
      task.delay = n;
    }
    if (taskSpec.with) {
      task.hasItems = true;
      task.items_count = actions.length;
      task.concurrency = evaluate(taskSpec.with.concurrency, ctx, this.callbacks);
      if (staged) this.rendered.set(staged, { inputs: staged.ctxs.in.length, task: { ...task } });
    }
    return task;
  }

  getNextTasks(): NextTask[] {
    const staged = this.state.readyStaged();
    const status = this.getWorkflowStatus();
    const remediation = status === "failed" ? staged.filter((s) => s.run_on_fail === true) : [];
    if (!isIn(status, RUNNING) && remediation.length === 0) return [];
    const out: NextTask[] = [];
    let failed = false;
    for (const s of remediation.length > 0 ? remediation : staged) {
      try {
        const { hasItems, ...task } = this.getTask(s.id, s.route);
        if (hasItems) this.trimItems(task, s);
        if (s.retry) task.delay = s.retry.delay ?? 0;
        if (task.actions.length > 0 || (hasItems && task.items_count === 0)) out.push(task);
      } catch (e) {
        failed = true;
        this.logEntry({ type: "error", message: describeError(e), task_id: s.id, route: s.route });
      }
    }
    if (failed) {
      this.requestWorkflowStatus("failed");
      return [];
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.route - b.route));
  }

  /** Hands out only not-started items, within the concurrency limit. */
  private trimItems(task: NextTask, staged: StagedTask): void {
    const count = task.items_count ?? 0;
    if (!staged.items || staged.items.length === 0) staged.items = newItems(count);
    const items = staged.items;
    const all = task.actions;
    let limit = Number.POSITIVE_INFINITY;
    if (task.concurrency !== null && task.concurrency !== undefined) {
      let c = asInt(task.concurrency) ?? Number(task.concurrency);
      if (c <= 0) c = 1;
      task.concurrency = c;
      limit = c - summarize(items).count(ACTIVE);
    }
    const ids = limit > 0 ? notStarted(items, Math.min(limit, all.length)) : [];
    task.actions = ids.flatMap((i) => (all[i] ? [all[i]] : []));
  }

  updateTaskState(...args: Parameters<TaskFlow["update"]>): ReturnType<TaskFlow["update"]> {
    return this.flow.update(...args);
  }

  requestWorkflowRerun(...args: Parameters<TaskFlow["rerun"]>): void {
    this.flow.rerun(...args);
  }

  /** Rebuilds a conductor from `serialize()` output; the spec comes from the data itself. */
  static deserialize(data: SerializedConductor, callbacks?: OrquestaCallbacks): WorkflowConductor {
    return new WorkflowConductor(
      parseWorkflowSpec(data.spec),
      { context: data.context, inputs: data.input, ...(callbacks ? { callbacks } : {}) },
      data,
    );
  }
}
