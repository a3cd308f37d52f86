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

function byName<T>(items: T[], key: (t: T) => string): T[] {
  // Python's sort is stable and compares code points, as here.
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Spec-level navigation that the graph and the inspector share. */
export class TaskNavigator {
  private readonly cycleCache = new Map<string, boolean>();
  /** The spec never changes, so each answer is computed once (the conductor asks per event). */
  private readonly prevCache = new Map<string, { from: string; ref: number }[]>();

  constructor(readonly spec: WorkflowSpec) {}

  nextTargets(task: string): NextTarget[] {
    const out: NextTarget[] = [];
    taskSpecOf(this.spec, task).next.forEach((t, ref) => {
      for (const to of t.do) out.push({ to, when: t.when, ref });
    });
    return byName(out, (t) => t.to);
  }

  prevTasks(task: string): { from: string; ref: number }[] {
    const cached = this.prevCache.get(task);
    if (cached) return cached;
    const out: { from: string; ref: number }[] = [];
    for (const name of this.spec.tasks.keys()) {
      for (const t of this.nextTargets(name))
        if (t.to === task) out.push({ from: name, ref: t.ref });
    }
    const sorted = byName(out, (t) => t.from);
    this.prevCache.set(task, sorted);
    return sorted;
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
        const exists = this.edges.some((e) => e.from === name && e.to === t.to && e.ref === t.ref);
        if (exists) continue;
        const key = this.edges.filter((e) => e.from === name && e.to === t.to).length;
        this.edges.push({ from: name, to: t.to, ref: t.ref, key, when: t.when });
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
