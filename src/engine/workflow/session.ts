/**
 * One workflow in memory: its conductor, its ledger and the seq of the last event recorded. The
 * engine keeps sessions in a cache so a child's completion costs one `apply` (no replay); a
 * session that is not cached is rebuilt from the snapshot and the events after it.
 *
 * `apply` is the single place a recorded event changes the conductor, used both live and when
 * replaying, which is what keeps the two identical.
 */

import { OrquestaExpressionError } from "../../core/expr/jinja/orquesta.ts";
import {
  type ConductorOptions,
  type NextTask,
  type SerializedConductor,
  WorkflowConductor,
} from "../../core/workflow/orquesta/conductor.ts";
import type { TaskEvent } from "../../core/workflow/orquesta/machines.ts";
import type { WorkflowSpec } from "../../core/workflow/orquesta/spec.ts";
import { COMPLETED, isIn } from "../../core/workflow/orquesta/statuses.ts";
import type { StoredWorkflow } from "../store/workflow-contract.ts";
import { type KvPair, type KvPlan, kvPlan, st2kvLookup } from "./kv.ts";
import { Ledger, type LedgerData, taskKey } from "./ledger.ts";
import type { Dispatched, KvReads, WorkflowRecord } from "./records.ts";

/** The stored snapshot: the conductor's own data plus the engine's ledger. */
export interface SessionSnapshot extends SerializedConductor {
  squall?: LedgerData;
}

export interface SessionOptions {
  decryptKv?: (ciphertext: string) => string;
}

export class WorkflowSession {
  conductor!: WorkflowConductor;
  ledger: Ledger;
  lastSeq: number;
  /** Events recorded since the stored snapshot (compaction trigger). */
  sinceSnapshot: number;
  readonly kvPlan: KvPlan | null;
  /** Pairs prefetched for the current live step. */
  private live = new Map<string, KvPair>();
  /** The reads recorded in the event being replayed, or null when live. */
  private replaying: KvReads | null = null;
  /** Reads made by the event being applied live. */
  private reads: KvReads = {};
  private current: { task: string; route: number } | null = null;

  private constructor(
    readonly id: string,
    ledger: LedgerData | undefined,
    lastSeq: number,
    sinceSnapshot: number,
    raw: Record<string, unknown>,
  ) {
    this.ledger = new Ledger(ledger ? structuredClone(ledger) : undefined);
    this.lastSeq = lastSeq;
    this.sinceSnapshot = sinceSnapshot;
    this.kvPlan = kvPlan(raw);
  }

  private callbacks(options: SessionOptions) {
    const st2kv = st2kvLookup(
      (key) => (this.replaying ? this.replaying[key] : this.live.get(key)),
      (key, pair) => {
        this.reads[key] = pair;
      },
      () => this.user(),
      options.decryptKv,
    );
    return { st2kv, task: (id: string | null) => this.task(id) };
  }

  static start(
    id: string,
    spec: WorkflowSpec,
    conductor: Omit<ConductorOptions, "callbacks">,
    options: SessionOptions,
  ): WorkflowSession {
    const session = new WorkflowSession(id, undefined, 0, 0, spec.raw);
    session.conductor = new WorkflowConductor(spec, {
      ...conductor,
      callbacks: session.callbacks(options),
    });
    return session;
  }

  /** Rebuilds from storage: the snapshot, then every event after it, in order. */
  static restore(stored: StoredWorkflow, options: SessionOptions): WorkflowSession {
    const snapshot = stored.snapshot as SessionSnapshot;
    const session = new WorkflowSession(
      stored.id,
      snapshot.squall,
      stored.snapshotSeq,
      0,
      snapshot.spec,
    );
    session.conductor = WorkflowConductor.deserialize(snapshot, session.callbacks(options));
    for (const { seq, event } of stored.events) {
      session.replay(event as WorkflowRecord);
      session.lastSeq = seq;
      session.sinceSnapshot++;
    }
    return session;
  }

  /** A copy of this session's state under a new id (a re-run continues the old conductor). */
  static fork(id: string, snapshot: SessionSnapshot, options: SessionOptions): WorkflowSession {
    const session = new WorkflowSession(id, snapshot.squall, 0, 0, snapshot.spec);
    session.conductor = WorkflowConductor.deserialize(snapshot, session.callbacks(options));
    return session;
  }

  snapshot(): SessionSnapshot {
    return { ...this.conductor.serialize(), squall: structuredClone(this.ledger.data) };
  }

  user(): string {
    const st2 = this.conductor.getWorkflowParentContext().st2 as
      | Record<string, unknown>
      | undefined;
    return typeof st2?.user === "string" ? st2.user : "stanley";
  }

  /** Pairs the next live step may read (see kv.ts). */
  setLiveKv(pairs: Map<string, KvPair>): void {
    this.live = pairs;
  }

  private task(id: string | null): unknown {
    const taskId = id ?? this.current?.task;
    if (!taskId)
      throw new OrquestaExpressionError(
        "ExpressionEvaluationException",
        "The current task is not set in the context.",
      );
    let route = this.current?.route ?? 0;
    const routes = this.conductor.state.routes;
    // Like StackStorm, a task on a route before a split is found on the longest earlier route
    // that the current one extends.
    for (;;) {
      const found = this.ledger.describe(this.id, taskId, route);
      if (found) return found;
      const current = new Set(routes[route] ?? []);
      const earlier = routes
        .slice(0, route)
        .map((r, i) => [r, i] as const)
        .reverse()
        .find(([r]) => r.every((x) => current.has(x)));
      if (route === 0 || !earlier) break;
      route = earlier[1];
    }
    throw new OrquestaExpressionError(
      "ExpressionEvaluationException",
      `Unable to find task execution for "${taskId}".`,
    );
  }

  /** `getNextTasks()` live, with the datastore reads its rendering made (for the `next` event). */
  nextTasksLive(): { tasks: NextTask[]; kv: KvReads } {
    this.reads = {};
    const tasks = this.conductor.getNextTasks();
    const kv = this.reads;
    this.reads = {};
    return { tasks, kv };
  }

  /** Applies a live event; returns it with the datastore reads it made, ready to record. */
  applyLive(record: WorkflowRecord): WorkflowRecord {
    this.reads = {};
    this.apply(record, true);
    if (Object.keys(this.reads).length > 0 && record.k !== "redispatch" && record.k !== "fail")
      return { ...record, kv: { ...(record.kv ?? {}), ...this.reads } };
    return record;
  }

  private replay(record: WorkflowRecord): void {
    this.replaying = "kv" in record && record.kv ? record.kv : {};
    try {
      this.apply(record, false);
    } finally {
      this.replaying = null;
    }
  }

  private apply(record: WorkflowRecord, live: boolean): void {
    const c = this.conductor;
    switch (record.k) {
      case "status":
        c.requestWorkflowStatus(record.status);
        return;
      case "task": {
        const active = record.child ? this.ledger.data.active[record.child] : undefined;
        if (record.child && isIn(record.status, COMPLETED))
          delete this.ledger.data.active[record.child];
        else if (active) active.status = record.status;
        this.current = { task: record.task, route: record.route };
        let event: TaskEvent;
        if (record.item !== undefined) {
          const acc = this.ledger.item(
            record.task,
            record.route,
            record.item,
            record.status,
            record.result,
          );
          event = {
            type: "item",
            itemId: record.item,
            status: record.status,
            result: record.result,
            accumulatedResult: acc,
          };
        } else event = { type: "action", status: record.status, result: record.result };
        try {
          c.updateTaskState(record.task, record.route, event);
        } finally {
          this.current = null;
        }
        this.settle(record.task, record.route, record.item === undefined, record.result, record.at);
        return;
      }
      case "next":
        if (!live) c.getNextTasks();
        this.dispatch(record.dispatched, record.at);
        return;
      case "redispatch": {
        const entry = this.ledger.data.active[record.old];
        delete this.ledger.data.active[record.old];
        if (entry) this.ledger.data.active[record.child] = entry;
        return;
      }
      case "output":
        c.renderWorkflowOutput();
        return;
      case "rerun":
        c.requestWorkflowRerun(record.tasks);
        return;
      case "fail":
        c.logEntry({ type: "error", message: record.message });
        try {
          c.requestWorkflowStatus("failed");
        } catch {
          // Already completed: the error entry is all there is to add.
        }
        return;
    }
  }

  /** Marks what `getNextTasks` handed out as running, then completes what has no child. */
  private dispatch(dispatched: Dispatched[], at: string): void {
    const c = this.conductor;
    for (const d of dispatched) {
      this.ledger.open(d.task, d.route, d.teid, d.item !== undefined || d.empty === true, at);
      if (d.child)
        this.ledger.data.active[d.child] = {
          task: d.task,
          route: d.route,
          teid: d.teid,
          ...(d.item !== undefined ? { item: d.item } : {}),
          ...(d.workflow ? { workflow: true } : {}),
        };
      c.updateTaskState(
        d.task,
        d.route,
        d.item !== undefined
          ? { type: "item", itemId: d.item, status: "running" }
          : { type: "action", status: "running" },
      );
    }
    for (const d of dispatched) {
      if (d.child) continue;
      const failed = d.error !== undefined;
      const result = failed
        ? { errors: [{ type: "error", message: d.error, task_id: d.task, route: d.route }] }
        : d.empty
          ? []
          : null;
      const status = failed ? "failed" : "succeeded";
      this.current = { task: d.task, route: d.route };
      try {
        if (d.item !== undefined) {
          const acc = this.ledger.item(d.task, d.route, d.item, status, result);
          c.updateTaskState(d.task, d.route, {
            type: "item",
            itemId: d.item,
            status,
            result,
            accumulatedResult: acc,
          });
        } else c.updateTaskState(d.task, d.route, { type: "action", status, result });
      } finally {
        this.current = null;
      }
      this.settle(d.task, d.route, d.item === undefined, result, at);
    }
  }

  private settle(task: string, route: number, plain: boolean, result: unknown, at: string): void {
    const status = this.conductor.state.entry(task, route)?.status;
    this.ledger.settle(task, route, status, plain ? result : undefined, at);
  }

  /** Children still running, by execution id. */
  activeChildren(): Array<[string, { task: string; route: number; workflow?: boolean }]> {
    return Object.entries(this.ledger.data.active);
  }

  /** The last non-final status heard from an active child (undefined: none, or not active). */
  childStatus(id: string): string | undefined {
    return this.ledger.data.active[id]?.status;
  }

  isActiveChild(id: string): boolean {
    return Object.hasOwn(this.ledger.data.active, id);
  }

  taskKeyOf(task: string, route: number): string {
    return taskKey(task, route);
  }
}
