/**
 * st2stream's two endpoints as server-sent events:
 *
 * - `GET /stream`: every execution change (as st2.liveaction__* and st2.execution__* events),
 *   output chunks and announcements, filtered by st2's query parameters. Like StackStorm it
 *   opens with a bare newline and sends one every heartbeat interval, and with
 *   `end_execution_id` it closes after that execution's completing event.
 * - `GET /executions/{id}/output`: the stored output, then live chunks, then `event: EOF` once
 *   the execution completes (or is pausing/resuming), as StackStorm closes it.
 *
 * Bodies are the API's: secret parameters masked by the same presenter, secret values masked in
 * results and output text. Events from the bus are handled one at a time per connection (a
 * promise chain), so a slow lookup never reorders what a client sees.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Execution, OutputChunk } from "../../core/execution/model.ts";
import { isCompleted, isExecutionStatus } from "../../core/execution/status.ts";
import type { ApiContext } from "../context.ts";
import { ExecutionPresenter } from "../present.ts";
import {
  announcementMessage,
  changeKind,
  EOF_EVENT,
  executionMessages,
  frame,
  includes,
  isEnd,
  OUTPUT_CREATE,
  outputBody,
  outputMessage,
  parseStreamQuery,
  type StreamFilter,
  type StreamMessage,
  wantsAny,
} from "./stream-events.ts";

/** StackStorm's `[stream] heartbeat` default, in milliseconds. */
export const DEFAULT_HEARTBEAT_MS = 25_000;

export interface StreamOptions {
  heartbeatMs?: number;
}

/** st2stream closes an output stream in these states: nothing more will be printed for now. */
const OUTPUT_CLOSING = new Set(["pausing", "resuming"]);

const EXECUTION_EVENTS = ["create", "update", "delete"].flatMap((k) => [
  `st2.execution__${k}`,
  `st2.liveaction__${k}`,
]);

/** How many executions' action refs a connection remembers for labelling output chunks. */
const ACTION_CACHE_SIZE = 1000;

/**
 * `open` collects a function ending each live stream: streams never end on their own, so
 * closing the server must end them, or shutdown would wait for every follower to disconnect.
 */
export function streamRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  open: Set<() => void>,
  options: StreamOptions = {},
): void {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;

  app.get("/stream", async (request, reply) => {
    const filter = parseStreamQuery(request.query as Record<string, unknown>);
    const sse = openEventStream(request, reply, open, heartbeatMs);
    followAll(ctx, filter, sse);
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
    "/executions/:id/output",
    async (request, reply) => {
      const outputType = request.query.output_type;
      if (
        outputType !== undefined &&
        outputType !== "all" &&
        outputType !== "stdout" &&
        outputType !== "stderr"
      ) {
        return reply.code(400).send({
          faultstring: `output_type must be one of all, stdout, stderr; got "${String(outputType).slice(0, 64)}"`,
        });
      }
      // st2's special id: the most recent execution.
      let id = request.params.id;
      if (id === "last") {
        const page = await ctx.store.executions.list({}, { limit: 1, offset: 0 });
        const last = page.items[0];
        if (!last) return reply.code(404).send({ faultstring: "No executions found." });
        id = last.id;
      }
      const execution = await ctx.executions.get(id); // 404 before switching to a stream
      const only = outputType === "stdout" || outputType === "stderr" ? outputType : undefined;
      const sse = openEventStream(request, reply, open, heartbeatMs);
      await followOutput(ctx, execution, only, sse);
    },
  );
}

interface EventStream {
  write(text: string): void;
  end(): void;
  /** Runs when the client goes away or the stream ends; the place to unsubscribe. */
  onClose(fn: () => void): void;
  readonly closed: boolean;
}

/** Switches the reply to text/event-stream and keeps it alive with heartbeats. */
function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  open: Set<() => void>,
  heartbeatMs: number,
): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=UTF-8",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
    connection: "keep-alive",
  });
  // StackStorm's first message is an empty one: clients see the stream is open before any event.
  res.write("\n");
  const closers: Array<() => void> = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    open.delete(end);
    for (const fn of closers) fn();
  };
  const end = () => {
    close();
    res.end();
  };
  const heartbeat = setInterval(() => res.write("\n"), heartbeatMs);
  open.add(end);
  request.raw.on("close", close);
  return {
    write: (text) => {
      if (!closed) res.write(text);
    },
    end,
    onClose: (fn) => closers.push(fn),
    get closed() {
      return closed;
    },
  };
}

function followAll(ctx: ApiContext, filter: StreamFilter, sse: EventStream): void {
  const presenter = new ExecutionPresenter(ctx.store, ctx.secrets);
  const wantsExecutions = wantsAny(filter, EXECUTION_EVENTS);
  const wantsOutput = wantsAny(filter, [OUTPUT_CREATE]);
  const actions = new Map<string, Execution["action"]>();
  const remember = (execution: Execution) => {
    if (actions.size >= ACTION_CACHE_SIZE) actions.delete(actions.keys().next().value ?? "");
    actions.set(execution.id, execution.action);
  };

  let chain: Promise<void> = Promise.resolve();
  const enqueue = (make: () => Promise<StreamMessage[]>) => {
    chain = chain
      .then(async () => {
        if (sse.closed) return;
        for (const message of await make()) {
          if (includes(filter, message)) sse.write(frame(message.event, message.data));
          if (isEnd(filter, message)) {
            sse.end();
            return;
          }
        }
      })
      .catch(() => {
        // A lookup failed (the store is closing): end rather than go on with a gap; clients
        // reconnect and re-read what they need.
        sse.end();
      });
  };

  const change = (kind: "create" | "update" | "delete") => (execution: Execution) => {
    remember(execution);
    if (!wantsExecutions && !isEndCandidate(filter, execution)) return;
    enqueue(async () =>
      executionMessages(
        execution,
        await presenter.one(execution),
        kind === "update" ? changeKind(execution) : kind,
      ),
    );
  };
  const onUpdate = change("update");
  const onDelete = change("delete");
  // Sequence numbers already sent per execution, for the replay below.
  const replayed = new Map<string, number>();
  const onOutput = (chunk: OutputChunk) => {
    if (!wantsOutput) return;
    enqueue(async () => {
      if (chunk.seq <= (replayed.get(chunk.execution_id) ?? 0)) return [];
      let action = actions.get(chunk.execution_id);
      if (!action) {
        const execution = await ctx.store.executions.get(chunk.execution_id);
        if (!execution) return [];
        remember(execution);
        action = execution.action;
      }
      return [outputMessage(outputBody(chunk, action, (t) => ctx.secrets.maskText(t)))];
    });
  };
  const onAnnouncement = (a: { route: string; payload: unknown }) =>
    enqueue(async () => [announcementMessage(a.route, ctx.secrets.maskDeep(a.payload))]);

  ctx.bus.on("execution.update", onUpdate);
  ctx.bus.on("execution.delete", onDelete);
  ctx.bus.on("execution.output", onOutput);
  ctx.bus.on("announcement", onAnnouncement);
  const endId = filter.endExecutionId;
  if (endId !== undefined) enqueue(() => catchUp(ctx, presenter, endId, wantsOutput, replayed));
  sse.onClose(() => {
    ctx.bus.off("execution.update", onUpdate);
    ctx.bus.off("execution.delete", onDelete);
    ctx.bus.off("execution.output", onOutput);
    ctx.bus.off("announcement", onAnnouncement);
  });
}

/**
 * A client waiting for one execution (`st2 run --tail`) connects after creating it, and a quick
 * action may be done by then; StackStorm would leave such a client waiting forever. Squall
 * first sends what is already stored for it (its output, if output events are wanted, and its
 * completing update if it has completed), then goes on with live events, dropping chunks it
 * already sent. This runs first on the connection's queue, after the listeners are attached.
 */
async function catchUp(
  ctx: ApiContext,
  presenter: ExecutionPresenter,
  id: string,
  wantsOutput: boolean,
  replayed: Map<string, number>,
): Promise<StreamMessage[]> {
  const execution = await ctx.store.executions.get(id);
  if (!execution) return [];
  const messages: StreamMessage[] = [];
  if (wantsOutput) {
    for (const chunk of await ctx.store.executions.readOutput(id)) {
      replayed.set(id, chunk.seq);
      const body = outputBody(chunk, execution.action, (t) => ctx.secrets.maskText(t));
      messages.push(outputMessage(body));
    }
  }
  if (isCompleted(execution.status))
    messages.push(...executionMessages(execution, await presenter.one(execution), "update"));
  return messages;
}

/** The end event must be looked at even when the client filtered execution events out. */
function isEndCandidate(filter: StreamFilter, execution: Execution): boolean {
  return filter.endExecutionId === execution.id;
}

/**
 * Ordering: listeners are attached before the stored output is read, and live chunks whose
 * `seq` was already sent are dropped, so no chunk is lost or shown twice.
 */
async function followOutput(
  ctx: ApiContext,
  execution: Execution,
  only: OutputChunk["output_type"] | undefined,
  sse: EventStream,
): Promise<void> {
  const id = execution.id;
  let lastSeq = 0;
  let replaying = true;
  let finished = false;
  const backlog: OutputChunk[] = [];

  const emit = (chunk: OutputChunk) => {
    if (chunk.seq <= lastSeq) return;
    lastSeq = chunk.seq;
    if (only !== undefined && chunk.output_type !== only) return;
    const body = outputBody(chunk, execution.action, (t) => ctx.secrets.maskText(t));
    sse.write(frame(OUTPUT_CREATE, body));
  };
  const finish = async () => {
    if (finished || sse.closed) return;
    finished = true;
    // Output is flushed before the completing transition, so the store now holds all of it.
    for (const chunk of await ctx.store.executions.readOutput(id, { afterSeq: lastSeq }))
      emit(chunk);
    sse.write(`event: ${EOF_EVENT}\ndata: ''\n\n`);
    sse.end();
  };
  let stopping = false;
  const onOutput = (chunk: OutputChunk) => {
    if (chunk.execution_id !== id) return;
    if (replaying) backlog.push(chunk);
    else emit(chunk);
  };
  const onUpdate = (changed: Execution) => {
    if (changed.id !== id || !closesOutput(changed.status)) return;
    stopping = true;
    if (!replaying) void finish().catch(() => sse.end());
  };
  ctx.bus.on("execution.output", onOutput);
  ctx.bus.on("execution.update", onUpdate);
  sse.onClose(() => {
    ctx.bus.off("execution.output", onOutput);
    ctx.bus.off("execution.update", onUpdate);
  });

  for (const chunk of await ctx.store.executions.readOutput(id)) emit(chunk);
  replaying = false;
  for (const chunk of backlog.splice(0)) emit(chunk);
  const current = await ctx.store.executions.get(id);
  if (stopping || (current && closesOutput(current.status))) await finish();
}

function closesOutput(status: string): boolean {
  return isExecutionStatus(status) && (isCompleted(status) || OUTPUT_CLOSING.has(status));
}
