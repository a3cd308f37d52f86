/**
 * The event stream on a real node: authentication as StackStorm takes it on a stream (header or
 * `x-auth-token` query parameter), StackStorm's event names for a real execution's life, output
 * chunks, and the close after `end_execution_id` completes. The client is a real SSE reader
 * over a socket.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readEventStream, type SseEvent } from "../../src/cli/sse.ts";
import type { Execution } from "../../src/core/execution/model.ts";
import { api, authHeaders, useSquallNode } from "../support/squall-process.ts";

const h = useSquallNode();

async function readAll(res: Response): Promise<SseEvent[]> {
  assert.equal(res.status, 200);
  assert.ok(res.body);
  const events: SseEvent[] = [];
  for await (const event of readEventStream(res.body)) events.push(event);
  return events;
}

describe("stream on a live node", () => {
  it("refuses an unauthenticated stream with 401", async () => {
    const res = await fetch(`${h.node.url}/stream/v1/stream`);
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });

  it("follows an execution to its end, authenticated by the x-auth-token query parameter", async () => {
    const token = (await authHeaders(h.node.url))["x-auth-token"];
    assert.ok(token, "the node's administrator could not log in");
    const created = await api<Execution>(h.node.url, "POST", "/executions", {
      action: "core.local",
      parameters: { cmd: "echo one; sleep 0.3; echo two" },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    const query = new URLSearchParams({
      events: "st2.execution__update,st2.execution.output__create",
      end_execution_id: id,
      end_event: "st2.execution__update",
      "x-auth-token": token,
    });
    const events = await readAll(await fetch(`${h.node.url}/stream/v1/stream?${query}`));
    const mine = events.map((e) => ({ event: e.event, body: JSON.parse(e.data) }));
    const output = mine
      .filter((e) => e.event === "st2.execution.output__create" && e.body.execution_id === id)
      .map((e) => e.body.data)
      .join("");
    assert.equal(output, "one\ntwo\n");
    const last = mine.at(-1);
    assert.equal(last?.event, "st2.execution__update");
    assert.equal(last?.body.id, id);
    assert.equal(last?.body.status, "succeeded");
  });

  it("serves an execution's output stream, ending with EOF, with the header token", async () => {
    const created = await api<Execution>(h.node.url, "POST", "/executions", {
      action: "core.local",
      parameters: { cmd: "echo out; echo err >&2" },
    });
    const res = await fetch(
      `${h.node.url}/stream/v1/executions/${created.body.id}/output?output_type=stderr`,
      { headers: await authHeaders(h.node.url) },
    );
    const events = await readAll(res);
    assert.deepEqual(
      events.map((e) => (e.event === "EOF" ? "EOF" : JSON.parse(e.data).data)),
      ["err\n", "EOF"],
    );
  });
});
