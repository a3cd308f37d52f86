import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Execution, OutputChunk } from "../core/execution/model.ts";
import type { EventStream } from "./client.ts";
import type { SseEvent } from "./sse.ts";
import {
  followWorkflow,
  LinePrefixer,
  taskNameOf,
  type WorkflowTailClient,
} from "./workflow-tail.ts";

function execution(id: string, parent: string | null, status: string, task?: string): Execution {
  return {
    id,
    action: {
      ref: task ? "core.local" : "demo.flow",
      runner_type: task ? "local-shell-cmd" : "orquesta",
    },
    parameters: {},
    status: status as Execution["status"],
    result: null,
    context: task ? { orquesta: { task_name: task } } : {},
    parent,
    delay: null,
    start_timestamp: "2026-01-01T00:00:00.000Z",
    end_timestamp: null,
    log: [],
  } as unknown as Execution;
}

const chunk = (id: string, seq: number, data: string): OutputChunk =>
  ({ execution_id: id, seq, output_type: "stdout", data, timestamp: "" }) as OutputChunk;

let closed = 0;
/** A fake stream that counts how often it is closed. */
function closable(make: () => AsyncGenerator<SseEvent>): EventStream {
  const events = make();
  return {
    [Symbol.asyncIterator]: () => events,
    async close() {
      closed++;
      await events.return(undefined);
    },
  };
}

const event = (name: string, data: unknown): SseEvent => ({
  event: name,
  data: JSON.stringify(data),
});

describe("LinePrefixer", () => {
  const cases: Array<[string[], string]> = [
    [["a\nb\n"], "[t] a\n[t] b\n"],
    [["par", "tial\nnext"], "[t] partial\n[t] next"],
    [["\n\n"], "[t] \n[t] \n"],
  ];
  for (const [chunks, expected] of cases)
    it(`prefixes ${JSON.stringify(chunks)}`, () => {
      const p = new LinePrefixer();
      assert.equal(chunks.map((c) => p.prefix("x", "t", c)).join(""), expected);
    });

  it("names tasks from Orquesta and ActionChain contexts", () => {
    assert.equal(taskNameOf(execution("c", "w", "running", "one")), "one");
    const chain = { ...execution("c", "w", "running"), context: { chain: { name: "step" } } };
    assert.equal(taskNameOf(chain as Execution), "step");
  });
});

describe("followWorkflow", () => {
  it("follows children that existed before and appear during the stream, once each", async () => {
    const early = execution("c1", "w", "succeeded", "first");
    const late = execution("c2", "w", "running", "second");
    const grandchild = execution("c3", "c2", "running", "inner");
    const stranger = execution("zz", null, "running", "other");
    const client: WorkflowTailClient = {
      getExecution: async () => execution("w", null, "running"),
      getOutput: async (id, after = 0) =>
        id === "c1" ? [chunk("c1", 1, "one\n")].filter((c) => c.seq > after) : [],
      listDescendants: async () => [early],
      async openEventStream() {
        return closable(async function* () {
          yield event("st2.execution.output__create", chunk("c1", 1, "one\n")); // replayed
          yield event("st2.execution__create", late);
          yield event("st2.execution__create", stranger);
          yield event("st2.execution.output__create", chunk("zz", 1, "not ours\n"));
          yield event("st2.execution__create", grandchild);
          yield event("st2.execution.output__create", chunk("c3", 1, "deep\n"));
          yield event("st2.execution.output__create", chunk("c2", 1, "two\n"));
          yield event("st2.execution__update", { ...grandchild, status: "succeeded" });
          yield event("st2.execution__update", { ...late, status: "failed" });
          yield event("st2.execution__update", execution("w", null, "failed"));
        });
      },
    };
    const log: string[] = [];
    const done = await followWorkflow(client, "w", {
      onChunk: (c, task) => log.push(`${task}: ${c.data}`),
      onChildStarted: (c, task) => log.push(`start ${task} ${c.id}`),
      onChildFinished: (c, task) => log.push(`end ${task} ${c.status}`),
    });
    assert.equal(done.status, "failed");
    assert.equal(closed, 1, "the stream is closed once the workflow ends");
    assert.deepEqual(log, [
      "start first c1",
      "first: one\n",
      "end first succeeded",
      "start second c2",
      "start inner c3",
      "inner: deep\n",
      "second: two\n",
      "end inner succeeded",
      "end second failed",
    ]);
  });

  it("finishes from stored state when the stream drops and the workflow ended meanwhile", async () => {
    let polls = 0;
    const client: WorkflowTailClient = {
      // Running when first asked; done by the time the dropped stream is noticed.
      getExecution: async () => execution("w", null, polls++ === 0 ? "running" : "succeeded"),
      getOutput: async (id) => (id === "c1" ? [chunk("c1", 1, "late\n")] : []),
      listDescendants: async () => (polls > 0 ? [execution("c1", "w", "succeeded", "t")] : []),
      async openEventStream() {
        return closable(async function* () {
          yield* [];
          throw new Error("connection reset");
        });
      },
    };
    const log: string[] = [];
    const done = await followWorkflow(client, "w", {
      onChunk: (c, task) => log.push(`${task}: ${c.data}`),
      onChildStarted: (_c, task) => log.push(`start ${task}`),
      onChildFinished: (_c, task) => log.push(`end ${task}`),
      sleep: async () => undefined,
    });
    assert.equal(done.status, "succeeded");
    assert.deepEqual(log, ["start t", "t: late\n", "end t"]);
  });

  it("gives up after repeated drops without progress", async () => {
    const client: WorkflowTailClient = {
      getExecution: async () => execution("w", null, "running"),
      getOutput: async () => [],
      listDescendants: async () => [],
      openEventStream: async () => closable(async function* () {}),
    };
    await assert.rejects(
      followWorkflow(client, "w", {
        onChunk: () => undefined,
        onChildStarted: () => undefined,
        onChildFinished: () => undefined,
        sleep: async () => undefined,
      }),
      /closed 6 times/,
    );
  });
});
