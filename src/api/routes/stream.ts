/**
 * Server-sent events for one execution's output, in StackStorm's event names. The stream first
 * replays what is stored, then follows live chunks, and closes after the execution completes.
 *
 * Ordering: listeners are attached before the stored output is read, and live chunks whose
 * `seq` was already replayed are dropped, so no chunk is lost or shown twice.
 */

import type { FastifyInstance } from "fastify";
import type { Execution, OutputChunk } from "../../core/execution/model.ts";
import { isCompleted } from "../../core/execution/status.ts";
import type { ApiContext } from "../context.ts";
import { ExecutionPresenter } from "../present.ts";

const HEARTBEAT_MS = 25_000;

/**
 * `open` collects a function ending each live stream: streams never end on their own while an
 * execution runs, so closing the server must end them, or shutdown would wait for every
 * follower to disconnect.
 */
export function streamRoutes(app: FastifyInstance, ctx: ApiContext, open: Set<() => void>): void {
  app.get<{ Params: { id: string } }>("/executions/:id/output", async (request, reply) => {
    const id = request.params.id;
    await ctx.executions.get(id); // 404 before switching to a stream
    const presenter = new ExecutionPresenter(ctx.store, ctx.secrets);

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    // Send the headers now: clients wait for them before reading, and an action may print
    // nothing for a long time.
    res.flushHeaders();
    const send = (event: string, data: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

    let lastSeq = 0;
    let closed = false;
    const backlog: OutputChunk[] = [];
    let replaying = true;
    let finalExecution: Execution | null = null;

    const onOutput = (chunk: OutputChunk) => {
      if (chunk.execution_id !== id) return;
      if (replaying) backlog.push(chunk);
      else emitChunk(chunk);
    };
    const onUpdate = (execution: Execution) => {
      if (execution.id !== id || !isCompleted(execution.status)) return;
      finalExecution = execution;
      if (!replaying) void finish();
    };
    const emitChunk = (chunk: OutputChunk) => {
      if (chunk.seq <= lastSeq) return;
      lastSeq = chunk.seq;
      send("st2.execution.output__create", chunk);
    };
    const cleanup = () => {
      open.delete(endNow);
      closed = true;
      clearInterval(heartbeat);
      ctx.bus.off("execution.output", onOutput);
      ctx.bus.off("execution.update", onUpdate);
    };
    const finish = async () => {
      if (closed || !finalExecution) return;
      // Output is flushed before the completing transition, so the store now holds all of it.
      for (const chunk of await ctx.store.executions.readOutput(id, { afterSeq: lastSeq }))
        emitChunk(chunk);
      send("st2.execution__update", await presenter.one(finalExecution));
      cleanup();
      res.end();
    };

    const endNow = () => {
      cleanup();
      res.end();
    };
    open.add(endNow);
    ctx.bus.on("execution.output", onOutput);
    ctx.bus.on("execution.update", onUpdate);
    const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), HEARTBEAT_MS);
    request.raw.on("close", cleanup);

    for (const chunk of await ctx.store.executions.readOutput(id)) emitChunk(chunk);
    replaying = false;
    for (const chunk of backlog.splice(0)) emitChunk(chunk);
    const current = await ctx.store.executions.get(id);
    if (current && isCompleted(current.status)) finalExecution = current;
    await finish();
  });
}
