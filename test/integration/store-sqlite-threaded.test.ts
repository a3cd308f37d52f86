/**
 * The SQLite store with its writes on the writer thread: the whole store contract again, then
 * what only the thread split has (every method routed, errors keeping their class across the
 * thread, a write never running on the read connection).
 */

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { describe, it } from "node:test";
import {
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
} from "../../src/core/errors.ts";
import { newId } from "../../src/engine/ids.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";
import { ROUTES } from "../../src/engine/store/sqlite/thread/protocol.ts";
import {
  openThreadedSqliteStore,
  type ThreadedStore,
} from "../../src/engine/store/sqlite/thread/threaded-store.ts";
import { newExecution } from "../contract/fixtures.ts";
import { ManualClock, runStoreContract } from "../contract/store.contract.ts";
import { databaseFiles } from "../support/db-files.ts";

const freshPath = databaseFiles("squall-threaded-");
async function ready(store: ThreadedStore): Promise<ThreadedStore> {
  await store.writerReady;
  return store;
}

runStoreContract("sqlite-threaded", async () => {
  const path = freshPath();
  const clock = new ManualClock();
  const store = openThreadedSqliteStore(path, { now: clock.now });
  await store.writerReady;
  return {
    store,
    clock,
    cleanup: async () => {
      await store.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
    },
  };
});

describe("sqlite store on a writer thread", () => {
  it("routes every method of every aggregate as a read or a write", async () => {
    const store = openSqliteStore(freshPath());
    try {
      for (const aggregate of Object.keys(ROUTES) as Array<keyof typeof ROUTES>) {
        const target = store[aggregate] as object;
        const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(target)).filter(
          (n) => n !== "constructor",
        );
        for (const m of methods) {
          assert.ok(ROUTES[aggregate][m], `${aggregate}.${m} is missing from ROUTES`);
        }
        for (const m of Object.keys(ROUTES[aggregate])) {
          assert.ok(methods.includes(m), `ROUTES lists ${aggregate}.${m}, which does not exist`);
        }
      }
    } finally {
      await store.close();
    }
  });

  it("keeps error classes and their fields across the thread", async () => {
    const store = await ready(openThreadedSqliteStore(freshPath()));
    try {
      await assert.rejects(
        store.kv.set("", "k", "v"),
        (err: unknown) => err instanceof ValidationError && typeof err.location?.field === "string",
      );
      await assert.rejects(
        store.executions.transition(newId(), "running"),
        (err: unknown) => err instanceof NotFoundError,
      );
      const execution = await store.executions.create(newExecution());
      await assert.rejects(
        store.executions.transition(execution.id, "succeeded"),
        (err: unknown) =>
          err instanceof IllegalTransitionError &&
          err.from === "requested" &&
          err.to === "succeeded",
      );
      await assert.rejects(
        store.executions.transition(execution.id, "scheduled", { expectFrom: ["running"] }),
        (err: unknown) => err instanceof ConflictError,
      );
    } finally {
      await store.close();
    }
  });

  it("reads see a write as soon as its promise settles, and reads never write", async () => {
    const path = freshPath();
    const store = await ready(openThreadedSqliteStore(path));
    try {
      for (let i = 0; i < 50; i++) {
        await store.kv.set("st2kv.system", `k${i}`, `v${i}`);
        assert.deepEqual(await store.kv.get("st2kv.system", `k${i}`), {
          value: `v${i}`,
          secret: false,
        });
      }
      // The read side's own connection refuses writes: a write routed there would fail loudly.
      const readOnly = openSqliteStore(path, { readonly: true });
      await assert.rejects(readOnly.kv.set("st2kv.system", "x", "y"), /readonly/i);
      await readOnly.close();
    } finally {
      await store.close();
    }
  });

  it("writes on its own connection until the thread is ready, then on the thread, losing none", async () => {
    const store = openThreadedSqliteStore(freshPath());
    try {
      // Writes issued at once, before and while the thread starts, then after it is ready;
      // each is read back, and a queue job enqueued before the handover is claimed after it.
      const early = Array.from({ length: 200 }, (_, i) =>
        store.kv.set("st2kv.system", `early${i}`, `${i}`),
      );
      await store.queue.enqueue([{ kind: "k", payload: { n: 1 } }]);
      await Promise.all(early);
      await store.writerReady;
      for (let i = 0; i < 20; i++) await store.kv.set("st2kv.system", `late${i}`, `${i}`);
      const listed = await store.kv.list("st2kv.system", { limit: 1000 });
      assert.equal(listed.total, 220);
      const [job] = await store.queue.claim("k", 1, "me", 60_000);
      assert.deepEqual(job?.payload, { n: 1 });
      await store.queue.complete({ id: job?.id ?? 0, owner: "me" });
      assert.deepEqual(await store.queue.claim("k", 1, "me", 60_000), []);
    } finally {
      await store.close();
    }
  });

  it("commits calls that queue up together as one batch, failing only the calls that fail", async () => {
    const store = await ready(openThreadedSqliteStore(freshPath()));
    try {
      const instance = (id: string) => ({
        op: "instance.create" as const,
        instance: {
          id,
          trigger: "t",
          payload: { id },
          occurrence_time: "2026-01-01T00:00:00.000Z",
          trace_tag: id,
        },
      });
      // Sent in one turn, so they reach the writer together; every third commit also moves an
      // execution that does not exist, which must undo that commit's instance and nothing else.
      const ids = Array.from({ length: 90 }, () => newId());
      const outcomes = await Promise.allSettled(
        ids.map((id, i) =>
          store.reactor.commit(
            i % 3 === 2
              ? [instance(id), { op: "execution.transition", id: newId(), to: "running" }]
              : [instance(id)],
          ),
        ),
      );
      for (const [i, outcome] of outcomes.entries()) {
        assert.equal(outcome.status, i % 3 === 2 ? "rejected" : "fulfilled", `commit ${i}`);
        if (outcome.status === "rejected") assert.ok(outcome.reason instanceof NotFoundError);
        const stored = await store.reactor.getInstance(ids[i] as string);
        assert.equal(stored !== null, i % 3 !== 2, `instance of commit ${i}`);
      }
    } finally {
      await store.close();
    }
  });

  it("with deferWriter, writes here until startWriter, then on the thread", async () => {
    const store = openThreadedSqliteStore(freshPath(), { deferWriter: true });
    try {
      let ready = false;
      void store.writerReady.then(() => {
        ready = true;
      });
      await store.kv.set("st2kv.system", "before", "1");
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(ready, false);
      store.startWriter();
      store.startWriter(); // a second call does nothing
      await store.writerReady;
      await store.kv.set("st2kv.system", "after", "2");
      assert.equal((await store.kv.list("st2kv.system", {})).total, 2);
    } finally {
      await store.close();
    }
  });

  it("a commit's result equals the single-connection store's, including records it works out itself", async () => {
    const now = Date.parse("2026-03-04T05:06:07.089Z");
    const threaded = await ready(openThreadedSqliteStore(freshPath(), { now: () => now }));
    const plain = openSqliteStore(freshPath(), { now: () => now });
    try {
      const execution = newExecution({ status: "scheduled" });
      const instance = (id: string, key?: string) => ({
        id,
        trigger: "core.t",
        payload: { body: { n: 1, list: [1, "a", null] }, headers: {} },
        occurrence_time: "2026-03-04T06:06:07.089+01:00",
        trace_tag: id,
        ...(key ? { idempotency_key: key } : {}),
      });
      const first = newId();
      const keyed = newId();
      const ops = [
        { op: "instance.create" as const, instance: instance(first) },
        { op: "execution.create" as const, execution },
        { op: "execution.transition" as const, id: execution.id, to: "running" as const },
        {
          op: "instance.create" as const,
          instance: instance(keyed, "k1"),
          idempotency: { key: "k1", expiresAt: now + 60_000 },
        },
        {
          op: "instance.create" as const,
          instance: { ...instance(newId()), status: "processed" as const },
        },
      ];
      const fromThread = await threaded.reactor.commit(structuredClone(ops));
      const fromPlain = await plain.reactor.commit(structuredClone(ops));
      assert.deepEqual(fromThread, fromPlain);
      assert.deepEqual(fromThread.executions[0], {
        ...(await threaded.executions.get(execution.id)),
        status: "scheduled",
        log: fromThread.executions[0]?.log,
        revision: 1,
        runner_node: null,
      });
      assert.deepEqual(
        fromThread.instances[0]?.instance,
        await threaded.reactor.getInstance(first),
      );
    } finally {
      await threaded.close();
      await plain.close();
    }
  });

  it("refuses calls once closed, naming the writer thread", async () => {
    const store = await ready(openThreadedSqliteStore(freshPath()));
    await store.close();
    await assert.rejects(store.kv.set("st2kv.system", "k", "v"), /writer thread/);
  });
});
