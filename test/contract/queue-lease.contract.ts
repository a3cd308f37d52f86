/**
 * Contract: WorkQueue items enqueued already leased (WorkItem.lease): handed to their owner's
 * next claim without a claim in the database, held like claimed jobs, and claimable by anyone
 * once the lease lapses or its owner's leases are released.
 */

import assert from "node:assert/strict";
import { describe } from "node:test";
import { ValidationError } from "../../src/core/errors.ts";
import { isSettled, newExecution, type OpenStore, settle, storeTest } from "./fixtures.ts";

const LEASE = 10_000;

export function queueLeaseContract(open: OpenStore): void {
  const test = storeTest(open);

  describe("queue: items enqueued already leased", () => {
    test("go to their owner's next claim, once, as attempt 1, and to nobody else", async ({
      store,
      clock,
    }) => {
      const lease = { owner: "worker-a", ms: LEASE };
      await store.queue.enqueue([{ kind: "run", payload: { n: 1 }, lease }]);
      assert.deepEqual(await store.queue.claim("run", 5, "worker-b", LEASE), []);
      const [job, ...more] = await store.queue.claim("run", 5, "worker-a", LEASE);
      assert.ok(job);
      assert.deepEqual(more, []);
      assert.deepEqual(
        { ...job, id: 0 },
        {
          id: 0,
          kind: "run",
          payload: { n: 1 },
          runAt: clock.now(),
          key: null,
          attempts: 1,
          leaseOwner: "worker-a",
          leaseUntil: clock.now() + LEASE,
        },
      );
      assert.deepEqual(await store.queue.claim("run", 5, "worker-a", LEASE), []);
      assert.deepEqual(await store.queue.stats(), { run: { pending: 0, leased: 1 } });
      await store.queue.complete({ id: job.id, owner: "worker-a" });
      assert.deepEqual(await store.queue.stats(), {});
    });

    test("are claimable by anyone once the lease lapses", async ({ store, clock }) => {
      await store.queue.enqueue([{ kind: "run", payload: {}, lease: { owner: "w", ms: LEASE } }]);
      clock.advance(LEASE);
      const [job] = await store.queue.claim("run", 5, "other", LEASE);
      assert.equal(job?.leaseOwner, "other");
      assert.equal(job?.attempts, 2);
      assert.deepEqual(await store.queue.claim("run", 5, "w", LEASE), []);
    });

    test("are claimable by anyone at once when their owner's leases are released", async ({
      store,
    }) => {
      await store.queue.enqueue([{ kind: "run", payload: {}, lease: { owner: "w", ms: LEASE } }]);
      assert.equal(await store.queue.releaseOwner("w"), 1);
      const [job] = await store.queue.claim("run", 5, "other", LEASE);
      assert.equal(job?.leaseOwner, "other");
      assert.deepEqual(await store.queue.claim("run", 5, "w", LEASE), [], "not handed over");
    });

    test("respect keys: a key held by an unfinished job hands nothing over", async ({ store }) => {
      const item = { kind: "run", payload: { n: 1 }, key: "run:e1" };
      await store.queue.enqueue([item]);
      await store.queue.enqueue([{ ...item, payload: { n: 2 }, lease: { owner: "w", ms: LEASE } }]);
      assert.deepEqual(
        await store.queue.claim("run", 5, "w", LEASE).then((j) => j.map((x) => x.payload)),
        [{ n: 1 }],
      );
    });

    test("commit with the transaction that enqueued them, and wake their kind's waiters", async ({
      store,
    }) => {
      const signal = AbortSignal.timeout(4_000);
      const waiting = store.queue.waitFor("run", 600_000, signal);
      await settle();
      assert.equal(await isSettled(waiting), false);
      const lease = { owner: "w", ms: LEASE };
      await store.executions.create(newExecution(), {
        enqueue: [{ kind: "run", payload: { n: 1 }, lease }],
      });
      await waiting;
      assert.equal(signal.aborted, false);
      assert.equal((await store.queue.claim("run", 5, "w", LEASE)).length, 1);
      // A rolled-back enqueue hands nothing over.
      const bad = newExecution();
      await store.executions.create(bad);
      await assert.rejects(
        store.executions.create(bad, { enqueue: [{ kind: "run", payload: { n: 2 }, lease }] }),
      );
      assert.deepEqual(await store.queue.claim("run", 5, "w", LEASE), []);
    });

    test("reject a lease without an owner or a positive duration", async ({ store }) => {
      for (const lease of [
        { owner: "", ms: LEASE },
        { owner: "w", ms: 0 },
      ])
        await assert.rejects(
          store.queue.enqueue([{ kind: "run", payload: {}, lease }]),
          ValidationError,
        );
      assert.deepEqual(await store.queue.stats(), {});
    });
  });
}
