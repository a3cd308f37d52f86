import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readEventStream, type SseEvent } from "./sse.ts";

async function collect(chunks: string[]): Promise<SseEvent[]> {
  async function* body() {
    for (const chunk of chunks) yield new TextEncoder().encode(chunk);
  }
  const events: SseEvent[] = [];
  for await (const event of readEventStream(body())) events.push(event);
  return events;
}

describe("readEventStream", () => {
  it("reads named events with ids and multi-line data", async () => {
    const events = await collect([
      'event: st2.execution.output__create\nid: 1\ndata: {"a":1}\n\n',
      ": keep-alive comment\n\n",
      "data: line1\ndata: line2\n\n",
    ]);
    assert.deepEqual(events, [
      { event: "st2.execution.output__create", data: '{"a":1}', id: "1" },
      { event: "message", data: "line1\nline2" },
    ]);
  });

  it("reassembles events split across chunks, including a CRLF split in the middle", async () => {
    const events = await collect([
      "event: x\r",
      "\ndata: he",
      "llo\r\n\r",
      "\n",
      "data:no-space\r\r",
    ]);
    assert.deepEqual(events, [
      { event: "x", data: "hello" },
      { event: "message", data: "no-space" },
    ]);
  });

  it("keeps multi-byte characters split across chunks intact", async () => {
    const bytes = new TextEncoder().encode("data: héllo ✓\n\n");
    async function* body() {
      for (let i = 0; i < bytes.length; i++) yield bytes.slice(i, i + 1);
    }
    const events: SseEvent[] = [];
    for await (const event of readEventStream(body())) events.push(event);
    assert.deepEqual(events, [{ event: "message", data: "héllo ✓" }]);
  });

  it("drops an event cut off before its blank line and events with no data", async () => {
    const events = await collect(["event: only-name\n\n", "data: complete\n\n", "data: partial\n"]);
    assert.deepEqual(events, [{ event: "message", data: "complete" }]);
  });
});
