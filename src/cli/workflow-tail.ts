/**
 * `squall execution tail` on a workflow, as `st2 execution tail` does it: the workflow's tasks
 * (and their tasks, for nested workflows) are followed from the event stream, each child's start
 * and end are announced, and its output is printed with the task's name in front of each line.
 *
 * The stream is opened first and the children that already exist are read after, so a child is
 * never missed between the two; chunks are de-duplicated per execution by sequence number, so
 * replays after a reconnect never print twice.
 */

import type { Execution, OutputChunk } from "../core/execution/model.ts";
import { isCompleted, isExecutionStatus } from "../core/execution/status.ts";
import type { EventStream } from "./client.ts";
import { ProtocolError } from "./errors.ts";
import type { SseEvent } from "./sse.ts";

export const WORKFLOW_RUNNERS: ReadonlySet<string> = new Set([
  "orquesta",
  "action-chain",
  "mistral",
]);

const OUTPUT = "st2.execution.output__create";
const CREATE = "st2.execution__create";
const UPDATE = "st2.execution__update";
const MAX_RECONNECTS = 5;

export interface WorkflowTailClient {
  getExecution(id: string): Promise<Execution>;
  getOutput(id: string, afterSeq?: number): Promise<OutputChunk[]>;
  /** Every descendant of the execution (children, their children, …). */
  listDescendants(id: string): Promise<Execution[]>;
  /** Opens the event stream (connected when this resolves). */
  openEventStream(events: readonly string[]): Promise<EventStream>;
}

export interface WorkflowTailHandlers {
  /** A chunk of the workflow's or a task's output; `task` is null for the workflow itself. */
  onChunk(chunk: OutputChunk, task: string | null): void;
  onChildStarted(child: Execution, task: string): void;
  onChildFinished(child: Execution, task: string): void;
  /** Every stream event about the followed executions, for --json/--yaml. */
  onEvent?(event: string, data: unknown): void;
  sleep?: (ms: number) => Promise<void>;
}

/** The task an execution runs for its parent workflow (Orquesta or ActionChain context). */
export function taskNameOf(execution: Execution): string {
  const ctx = execution.context as Record<string, unknown>;
  const orquesta = ctx.orquesta as { task_name?: unknown } | undefined;
  const chain = ctx.chain as { name?: unknown } | undefined;
  const name = orquesta?.task_name ?? chain?.name;
  return typeof name === "string" && name !== "" ? name : execution.action.ref;
}

/** Prefixes each line of a child's output with its task, across chunks that split lines. */
export class LinePrefixer {
  private readonly atLineStart = new Map<string, boolean>();

  prefix(executionId: string, label: string, text: string): string {
    let out = "";
    let start = this.atLineStart.get(executionId) ?? true;
    for (const piece of text.split(/(?<=\n)/)) {
      if (piece === "") continue;
      out += start ? `[${label}] ${piece}` : piece;
      start = piece.endsWith("\n");
    }
    this.atLineStart.set(executionId, start);
    return out;
  }
}

export async function followWorkflow(
  client: WorkflowTailClient,
  rootId: string,
  handlers: WorkflowTailHandlers,
): Promise<Execution> {
  const sleep = handlers.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const known = new Map<string, Execution | null>([[rootId, null]]);
  const finished = new Set<string>();
  const lastSeq = new Map<string, number>();

  const task = (e: Execution) => (e.id === rootId ? null : taskNameOf(e));
  const deliver = (chunk: OutputChunk) => {
    const execution = known.get(chunk.execution_id);
    if (execution === undefined || chunk.seq <= (lastSeq.get(chunk.execution_id) ?? 0)) return;
    lastSeq.set(chunk.execution_id, chunk.seq);
    handlers.onChunk(chunk, execution ? task(execution) : null);
  };
  /** Records an execution of the tree; false when it is not part of it. */
  const seen = (execution: Execution, announceEnd = true): boolean => {
    const isRoot = execution.id === rootId;
    if (!isRoot && (execution.parent === null || !known.has(execution.parent))) return false;
    const first = !isRoot && !known.get(execution.id);
    known.set(execution.id, execution);
    if (first) handlers.onChildStarted(execution, taskNameOf(execution));
    if (announceEnd) ended(execution);
    return true;
  };
  const ended = (execution: Execution) => {
    if (
      execution.id !== rootId &&
      isExecutionStatus(execution.status) &&
      isCompleted(execution.status) &&
      !finished.has(execution.id)
    ) {
      finished.add(execution.id);
      handlers.onChildFinished(execution, taskNameOf(execution));
    }
  };
  /**
   * What the stream may have missed: the existing descendants, each announced with its stored
   * output in between; then whether the workflow itself has already completed.
   */
  const catchUp = async (): Promise<Execution | null> => {
    const descendants = await client.listDescendants(rootId);
    // Oldest first (ids are time-ordered), so each one's parent is known when it is seen.
    descendants.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const id of [rootId])
      for (const c of await client.getOutput(id, lastSeq.get(id) ?? 0)) deliver(c);
    for (const d of descendants) {
      if (!seen(d, false)) continue;
      for (const c of await client.getOutput(d.id, lastSeq.get(d.id) ?? 0)) deliver(c);
      ended(d);
    }
    const root = await client.getExecution(rootId);
    return isExecutionStatus(root.status) && isCompleted(root.status) ? root : null;
  };

  let failures = 0;
  let stream: EventStream | undefined;
  for (;;) {
    const progressBefore = [...lastSeq.values()].reduce((a, b) => a + b, 0) + known.size;
    try {
      stream = await client.openEventStream([CREATE, UPDATE, OUTPUT]);
      const done = await catchUp();
      if (done) return done;
      for await (const event of stream) {
        if (event.event === OUTPUT) {
          const chunk = parse<OutputChunk>(event);
          if (known.has(chunk.execution_id)) {
            handlers.onEvent?.(event.event, chunk);
            deliver(chunk);
          }
        } else if (event.event === CREATE || event.event === UPDATE) {
          const execution = parse<Execution>(event);
          if (!seen(execution)) continue;
          handlers.onEvent?.(event.event, execution);
          if (execution.id === rootId && isCompleted(execution.status)) return execution;
        }
      }
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      // Anything else is a dropped connection, or a refusal the checks below report.
    } finally {
      await stream?.close().catch(() => undefined);
      stream = undefined;
    }
    const done = await catchUp();
    if (done) return done;
    const progress = [...lastSeq.values()].reduce((a, b) => a + b, 0) + known.size;
    failures = progress > progressBefore ? 0 : failures + 1;
    if (failures > MAX_RECONNECTS)
      throw new ProtocolError(
        `the event stream closed ${failures} times before workflow ${rootId} finished; run \`squall execution tail ${rootId}\` to try again.`,
      );
    await sleep(Math.min(250 * 2 ** failures, 2000));
  }
}

function parse<T>(event: SseEvent): T {
  try {
    return JSON.parse(event.data) as T;
  } catch {
    throw new ProtocolError(
      `the stream sent a ${event.event} event whose data is not JSON: ${event.data.slice(0, 200)}`,
    );
  }
}
