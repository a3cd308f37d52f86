import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GroupCommitter } from "./group-commit.ts";
import type { CommitResult, WriteOp } from "./reactor-contract.ts";

/** A fake store that records each transaction and refuses any containing a "bad" op. */
function recordingStore() {
  const transactions: WriteOp[][] = [];
  return {
    transactions,
    async commit(ops: WriteOp[]): Promise<CommitResult> {
      if (ops.some((o) => o.op === "trigger.delete" && o.ref === "bad")) throw new Error("refused");
      transactions.push(ops);
      return {
        executions: [],
        instances: ops.flatMap((o) =>
          o.op === "instance.create"
            ? [{ instance: { ...o.instance, status: "pending" as const }, duplicate: false }]
            : [],
        ),
      };
    },
  };
}

const instance = (id: string): WriteOp => ({
  op: "instance.create",
  instance: {
    id,
    trigger: "t",
    payload: {},
    occurrence_time: "2026-01-01T00:00:00.000Z",
    trace_tag: id,
  },
});

describe("group commit", () => {
  it("applies commits made in the same turn in one transaction and splits the results back", async () => {
    const store = recordingStore();
    const committer = new GroupCommitter(store);
    const [a, b] = await Promise.all([
      committer.commit([instance("a1"), instance("a2")]),
      committer.commit([instance("b1")]),
    ]);
    assert.equal(store.transactions.length, 1);
    assert.deepEqual(
      a.instances.map((i) => i.instance.id),
      ["a1", "a2"],
    );
    assert.deepEqual(
      b.instances.map((i) => i.instance.id),
      ["b1"],
    );
  });

  it("fails only the caller whose operations are refused", async () => {
    const store = recordingStore();
    const committer = new GroupCommitter(store);
    const results = await Promise.allSettled([
      committer.commit([instance("ok1")]),
      committer.commit([{ op: "trigger.delete", ref: "bad" }]),
      committer.commit([instance("ok2")]),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "rejected", "fulfilled"],
    );
    assert.deepEqual(
      store.transactions.map((t) => t.length),
      [1, 1],
    );
  });

  it("keeps each transaction under the operation cap", async () => {
    const store = recordingStore();
    const committer = new GroupCommitter(store, 3);
    await Promise.all(
      [1, 2, 3, 4].map((i) => committer.commit([instance(`x${i}`), instance(`y${i}`)])),
    );
    assert.ok(
      store.transactions.every((t) => t.length <= 3),
      JSON.stringify(store.transactions.map((t) => t.length)),
    );
    assert.equal(store.transactions.flat().length, 8);
  });

  it("sends a second group while the first is being committed, never a third, in order", async () => {
    const started: string[][] = [];
    const finish: Array<() => void> = [];
    const store = {
      commit(ops: WriteOp[]): Promise<CommitResult> {
        started.push(ops.map((o) => (o.op === "instance.create" ? o.instance.id : o.op)));
        return new Promise((resolve) =>
          finish.push(() => resolve({ executions: [], instances: [] })),
        );
      },
    };
    const committer = new GroupCommitter(store);
    const turn = () => new Promise((r) => setImmediate(r));
    const first = committer.commit([instance("a")]);
    await turn();
    const second = committer.commit([instance("b")]);
    await turn();
    const third = committer.commit([instance("c")]);
    const fourth = committer.commit([instance("d")]);
    await turn();
    await turn();
    assert.deepEqual(started, [["a"], ["b"]]);
    finish.shift()?.();
    await first;
    await turn();
    await turn();
    // The first answered: the commits queued meanwhile go as one group.
    assert.deepEqual(started, [["a"], ["b"], ["c", "d"]]);
    for (const f of finish.splice(0)) f();
    await Promise.all([second, third, fourth]);
  });
});
