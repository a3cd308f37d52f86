/**
 * The workflow graph (orquesta/composers/native.py, graphing.py): tasks reachable from the start
 * tasks, with one edge per (task, `do` target, `next` index). Engine commands (`continue`, `noop`,
 * `fail`) are nodes like tasks; `do: retry` is not an edge but gives the task a retry spec.
 * Edges out of a task are ordered by target name: the conductor evaluates them in that order.
 */

import { isEngineCommand, type RetrySpec, taskSpecOf, type WorkflowSpec } from "./spec.ts";

export interface Edge {
  from: string;
  to: string;
  /** The index of the `next` item the edge comes from (where its publishes are). */
  ref: number;
  /**
   * The edge's number among the edges between the same two tasks (0 for the first). Orquesta's
   * transition ids (`<task>__t<key>`) use this, not `ref`.
   */
  key: number;
  /** The `when` expression, if any. */
  when: string | null;
}

export interface GraphNode {
  id: string;
  barrier: "*" | number | null;
  retry: RetrySpec | null;
}

interface NextTarget {
  to: string;
  when: string | null;
  ref: number;
}

/** A task's inbound reference: the task whose `next` item `ref` names it. */
interface PrevRef {
  from: string;
  ref: number;
}

function byName<T>(items: T[], key: (t: T) => string): T[] {
  // Python's sort is stable and compares code points, as here.
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Spec-level navigation that the graph and the inspector share. */
export class TaskNavigator {
  private readonly cycleCache = new Map<string, boolean>();
  /** The spec never changes, so each answer is computed once (the conductor asks per event). */
  private readonly nextCache = new Map<string, NextTarget[]>();
  /** Inbound references of every task, built in one pass over the spec on first use. */
  private prevIndex: Map<string, PrevRef[]> | null = null;

  constructor(readonly spec: WorkflowSpec) {}

  nextTargets(task: string): NextTarget[] {
    const cached = this.nextCache.get(task);
    if (cached) return cached;
    const out: NextTarget[] = [];
    taskSpecOf(this.spec, task).next.forEach((t, ref) => {
      for (const to of t.do) out.push({ to, when: t.when, ref });
    });
    const sorted = byName(out, (t) => t.to);
    this.nextCache.set(task, sorted);
    return sorted;
  }

  prevTasks(task: string): PrevRef[] {
    if (!this.prevIndex) {
      // One pass instead of a scan of every task per task (quadratic in the workflow's size).
      const index = new Map<string, PrevRef[]>();
      for (const name of this.spec.tasks.keys())
        for (const t of this.nextTargets(name)) {
          const list = index.get(t.to) ?? [];
          list.push({ from: name, ref: t.ref });
          index.set(t.to, list);
        }
      const sorted = (list: PrevRef[]) => byName(list, (p) => p.from);
      for (const [to, list] of index) index.set(to, sorted(list));
      this.prevIndex = index;
    }
    return this.prevIndex.get(task) ?? [];
  }

  startTasks(): string[] {
    return byName(
      [...this.spec.tasks.keys()].filter((n) => this.prevTasks(n).length === 0),
      (n) => n,
    );
  }

  isJoin(task: string): boolean {
    return taskSpecOf(this.spec, task).join !== null;
  }

  isSplit(task: string): boolean {
    return !this.isJoin(task) && this.prevTasks(task).length > 1;
  }

  /** Whether the task can reach itself. */
  inCycle(task: string): boolean {
    const cached = this.cycleCache.get(task);
    if (cached !== undefined) return cached;
    const seen = new Set<string>();
    const queue = this.nextTargets(task).map((t) => t.to);
    let found = false;
    while (queue.length > 0) {
      const next = queue.shift() as string;
      if (next === task) {
        found = true;
        break;
      }
      if (seen.has(next)) continue;
      seen.add(next);
      for (const t of this.nextTargets(next)) queue.push(t.to);
    }
    this.cycleCache.set(task, found);
    return found;
  }
}

export class WorkflowGraph {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges: Edge[] = [];
  readonly nav: TaskNavigator;

  constructor(spec: WorkflowSpec) {
    this.nav = new TaskNavigator(spec);
    this.compose(spec);
  }

  private compose(spec: WorkflowSpec): void {
    const queue = this.nav.startTasks();
    const seen = new Set<string>();
    /** The refs of the edges composed so far between two tasks, by the pair. */
    const between = new Map<string, number[]>();
    while (queue.length > 0) {
      const name = queue.shift() as string;
      const task = taskSpecOf(spec, name);
      const node = this.nodes.get(name) ?? { id: name, barrier: null, retry: null };
      this.nodes.set(name, node);
      if (task.join !== null) node.barrier = task.join === "all" ? "*" : task.join;
      if (task.retry) node.retry = { ...task.retry };
      if (seen.has(name)) continue;
      seen.add(name);
      for (const t of this.nav.nextTargets(name)) {
        if (t.to === "retry") {
          node.retry = { when: t.when ?? "<% completed() %>", count: 3, delay: null };
          continue;
        }
        queue.push(t.to);
        const pair = JSON.stringify([name, t.to]);
        const refs = between.get(pair) ?? [];
        if (refs.includes(t.ref)) continue;
        this.edges.push({ from: name, to: t.to, ref: t.ref, key: refs.length, when: t.when });
        refs.push(t.ref);
        between.set(pair, refs);
      }
    }
  }

  get roots(): string[] {
    return this.nav.startTasks().filter((n) => this.nodes.has(n));
  }

  hasTask(id: string): boolean {
    return this.nodes.has(id);
  }

  barrier(id: string): "*" | number | null {
    return this.nodes.get(id)?.barrier ?? null;
  }

  barriers(): string[] {
    return [...this.nodes.values()].filter((n) => n.barrier !== null).map((n) => n.id);
  }

  retrySpec(id: string): RetrySpec | null {
    return this.nodes.get(id)?.retry ?? null;
  }

  /** Outbound edges in the order the conductor evaluates them: by target name. */
  nextTransitions(id: string): Edge[] {
    let cached = this.nextCache.get(id);
    if (!cached) {
      cached = byName(
        this.edges.filter((e) => e.from === id),
        (e) => e.to,
      );
      this.nextCache.set(id, cached);
    }
    return cached;
  }

  prevTransitions(id: string): Edge[] {
    let cached = this.prevCache.get(id);
    if (!cached) {
      cached = this.edges.filter((e) => e.to === id);
      this.prevCache.set(id, cached);
    }
    return cached;
  }

  /** Edges by task, filled on first use (edges are fixed once the graph is composed). */
  private readonly nextCache = new Map<string, Edge[]>();
  private readonly prevCache = new Map<string, Edge[]>();

  inCycle(id: string): boolean {
    return this.nav.inCycle(id);
  }

  isEngineCommand(id: string): boolean {
    return isEngineCommand(id);
  }
}
