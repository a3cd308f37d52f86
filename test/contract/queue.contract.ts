/** Contract: WorkQueue — claims and leases, completion, retries, dead jobs, keys, wake-ups. */

import assert from "node:assert/strict";
import { describe } from "node:test";
import { ConflictError, ValidationError } from "../../src/core/errors.ts";
import { isSettled, newExecution, type OpenStore, settle, storeTest } from "./fixtures.ts";

const LEASE = 10_000;

export function queueContract(open: OpenStore): void {
  const test = storeTest(open);

  describe("queue: claim and leases", () => {
    test("a claimed job carries its payload, owner, lease and attempt", async ({
      store,
      clock,
    }) => {
      await store.queue.enqueue([{ kind: "run", payload: { execution_id: "e1" } }]);
      const jobs = await store.queue.claim("run", 5, "worker-a", LEASE);
      assert.equal(jobs.length, 1);
      const [job] = jobs;
      assert.ok(job);
      assert.equal(typeof job.id, "number");
      assert.deepEqual(
        { ...job, id: 0 },
        {
          id: 0,
          kind: "run",
          payload: { execution_id: "e1" },
          runAt: clock.now(),
          key: null,
          attempts: 1,
          leaseOwner: "worker-a",
          leaseUntil: clock.now() + LEASE,
        },
      );
    });

    test("claims only due jobs of the kind, in runAt then id order, up to n", async ({
      store,
      clock,
    }) => {
      const now = clock.now();
      await store.queue.enqueue([
        { kind: "run", payload: { n: 1 }, runAt: now - 10 },
        { kind: "run", payload: { n: 2 }, runAt: now - 20 },
        { kind: "run", payload: { n: 3 }, runAt: now - 20 },
        { kind: "run", payload: { n: 4 }, runAt: now + 1_000 },
        { kind: "other", payload: { n: 5 } },
      ]);
      const first = await store.queue.claim("run", 2, "w", LEASE);
      assert.deepEqual(
        first.map((j) => j.payload.n),
        [2, 3],
      );
      const rest = await store.queue.claim("run", 10, "w", LEASE);
      assert.deepEqual(
        rest.map((j) => j.payload.n),
        [1],
      );
      assert.deepEqual(await store.queue.claim("run", 10, "w", LEASE), []);
      clock.advance(1_000);
      assert.deepEqual(
        (await store.queue.claim("run", 10, "w", LEASE)).map((j) => j.payload.n),
        [4],
      );
      assert.deepEqual(await store.queue.claim("other", 0, "w", LEASE), []);
    });

    test("a leased job is invisible until its lease lapses, then re-claimable", async ({
      store,
      clock,
    }) => {
      await store.queue.enqueue([{ kind: "run", payload: {} }]);
      const [job] = await store.queue.claim("run", 1, "dead-node", LEASE);
      assert.ok(job);
      clock.advance(LEASE - 1);
      assert.deepEqual(await store.queue.claim("run", 1, "live-node", LEASE), []);
      clock.advance(1);
      const [again] = await store.queue.claim("run", 1, "live-node", LEASE);
      assert.equal(again?.id, job.id);
      assert.equal(again?.attempts, 2);
      assert.equal(again?.leaseOwner, "live-node");
      await assert.rejects(store.queue.complete({ id: job.id, owner: "dead-node" }), ConflictError);
      await store.queue.complete({ id: job.id, owner: "live-node" });
    });

    test("extend keeps the job leased past its first lease end", async ({ store, clock }) => {
      await store.queue.enqueue([{ kind: "run", payload: {} }]);
      const [job] = await store.queue.claim("run", 1, "w", LEASE);
      assert.ok(job);
      clock.advance(LEASE / 2);
      await store.queue.extend({ id: job.id, owner: "w" }, LEASE);
      clock.advance(LEASE / 2 + 1);
      assert.deepEqual(await store.queue.claim("run", 1, "thief", LEASE), []);
      await assert.rejects(
        store.queue.extend({ id: job.id, owner: "thief" }, LEASE),
        ConflictError,
      );
      clock.advance(LEASE);
      assert.equal((await store.queue.claim("run", 1, "thief", LEASE)).length, 1);
    });

    test("bad claim arguments are refused", async ({ store }) => {
      await assert.rejects(store.queue.claim("run", 1, "w", 0), ValidationError);
      await assert.rejects(store.queue.claim("run", -1, "w", LEASE), ValidationError);
      await assert.rejects(store.queue.claim("", 1, "w", LEASE), ValidationError);
      await assert.rejects(store.queue.enqueue([{ kind: "", payload: {} }]), ValidationError);
    });
  });

  describe("queue: finishing jobs", () => {
    test("complete removes the job and enqueues the next work atomically", async ({ store }) => {
      await store.queue.enqueue([{ kind: "a", payload: {} }]);
      const [job] = await store.queue.claim("a", 1, "w", LEASE);
      assert.ok(job);
      await assert.rejects(
        store.queue.complete({ id: job.id, owner: "x" }, [{ kind: "b", payload: {} }]),
        ConflictError,
      );
      assert.deepEqual(await store.queue.stats(), { a: { pending: 0, leased: 1 } });
      await store.queue.complete({ id: job.id, owner: "w" }, [{ kind: "b", payload: { n: 1 } }]);
      assert.deepEqual(await store.queue.stats(), { b: { pending: 1, leased: 0 } });
      await assert.rejects(store.queue.complete({ id: job.id, owner: "w" }), ConflictError);
    });

    test("fail with retryAt frees the job until then, counting attempts", async ({
      store,
      clock,
    }) => {
      await store.queue.enqueue([{ kind: "run", payload: {} }]);
      const [job] = await store.queue.claim("run", 1, "w", LEASE);
      assert.ok(job);
      const retryAt = clock.now() + 5_000;
      await store.queue.fail({ id: job.id, owner: "w" }, "connection refused", retryAt);
      assert.deepEqual(await store.queue.stats(), { run: { pending: 1, leased: 0 } });
      assert.equal(await store.queue.nextRunAt("run"), retryAt);
      clock.advance(4_999);
      assert.deepEqual(await store.queue.claim("run", 1, "w2", LEASE), []);
      clock.advance(1);
      const [retry] = await store.queue.claim("run", 1, "w2", LEASE);
      assert.equal(retry?.id, job.id);
      assert.equal(retry?.attempts, 2);
      assert.equal(retry?.runAt, retryAt);
    });

    test("fail without retryAt takes the job out of the queue for good", async ({
      store,
      clock,
    }) => {
      await store.queue.enqueue([{ kind: "run", payload: {}, key: "only-one" }]);
      const [job] = await store.queue.claim("run", 1, "w", LEASE);
      assert.ok(job);
      await assert.rejects(store.queue.fail({ id: job.id, owner: "x" }, "nope"), ConflictError);
      await store.queue.fail({ id: job.id, owner: "w" }, "bad payload");
      clock.advance(LEASE * 10);
      assert.deepEqual(await store.queue.claim("run", 10, "w", LEASE), []);
      assert.deepEqual(await store.queue.stats(), {});
      assert.equal(await store.queue.nextRunAt("run"), null);
      await store.queue.enqueue([{ kind: "run", payload: {}, key: "only-one" }]);
      assert.equal((await store.queue.claim("run", 10, "w", LEASE)).length, 1, "key is free");
    });

    test("releaseOwner frees only that owner's leases", async ({ store }) => {
      await store.queue.enqueue([
        { kind: "a", payload: { n: 1 } },
        { kind: "b", payload: { n: 2 } },
        { kind: "a", payload: { n: 3 } },
      ]);
      await store.queue.claim("a", 1, "restarted", LEASE);
      await store.queue.claim("b", 1, "restarted", LEASE);
      await store.queue.claim("a", 1, "other", LEASE);
      assert.equal(await store.queue.releaseOwner("restarted"), 2);
      assert.equal(await store.queue.releaseOwner("restarted"), 0);
      assert.deepEqual(await store.queue.stats(), {
        a: { pending: 1, leased: 1 },
        b: { pending: 1, leased: 0 },
      });
      const [a] = await store.queue.claim("a", 5, "fresh", LEASE);
      assert.equal(a?.payload.n, 1);
      assert.equal(a?.attempts, 2);
    });
  });

  describe("queue: keys, stats, nextRunAt", () => {
    test("a key admits one unfinished job at a time", async ({ store }) => {
      const item = { kind: "timer", payload: { n: 1 }, key: "timer:t1" };
      await store.queue.enqueue([item, { ...item, payload: { n: 2 } }]);
      await store.queue.enqueue([{ ...item, payload: { n: 3 } }]);
      const [job] = await store.queue.claim("timer", 10, "w", LEASE);
      assert.deepEqual(job?.payload, { n: 1 });
      assert.equal(job?.key, "timer:t1");
      await store.queue.enqueue([{ ...item, payload: { n: 4 } }]);
      assert.deepEqual(await store.queue.stats(), { timer: { pending: 0, leased: 1 } });
      assert.ok(job);
      await store.queue.complete({ id: job.id, owner: "w" }, [{ ...item, payload: { n: 5 } }]);
      const [next] = await store.queue.claim("timer", 10, "w", LEASE);
      assert.deepEqual(next?.payload, { n: 5 });
    });

    test("stats counts pending and leased per kind; a lapsed lease is pending", async ({
      store,
      clock,
    }) => {
      assert.deepEqual(await store.queue.stats(), {});
      await store.queue.enqueue([
        { kind: "a", payload: {} },
        { kind: "a", payload: {} },
        { kind: "b", payload: {}, runAt: clock.now() + 60_000 },
      ]);
      await store.queue.claim("a", 1, "w", LEASE);
      assert.deepEqual(await store.queue.stats(), {
        a: { pending: 1, leased: 1 },
        b: { pending: 1, leased: 0 },
      });
      clock.advance(LEASE);
      assert.deepEqual((await store.queue.stats()).a, { pending: 2, leased: 0 });
    });

    test("nextRunAt is the earliest time a job of the kind becomes claimable", async ({
      store,
      clock,
    }) => {
      const now = clock.now();
      assert.equal(await store.queue.nextRunAt("run"), null);
      await store.queue.enqueue([
        { kind: "run", payload: {}, runAt: now + 3_000 },
        { kind: "run", payload: {}, runAt: now + 2_000 },
        { kind: "other", payload: {}, runAt: now + 1_000 },
      ]);
      assert.equal(await store.queue.nextRunAt("run"), now + 2_000);
      clock.advance(2_000);
      await store.queue.claim("run", 1, "w", LEASE);
      // The claimed job counts again at its lease end, in case its holder dies.
      assert.equal(await store.queue.nextRunAt("run"), now + 3_000);
      clock.advance(1_000);
      await store.queue.claim("run", 1, "w", LEASE);
      assert.equal(await store.queue.nextRunAt("run"), now + 2_000 + LEASE);
    });
  });

  describe("queue: waitFor", () => {
    // Each wait gets a guard signal so a broken implementation fails the test within seconds
    // (the assertion that the guard did not fire) instead of hanging the process.
    const guard = () => AbortSignal.timeout(4_000);

    test("resolves at once when due work exists", async ({ store }) => {
      await store.queue.enqueue([{ kind: "run", payload: {} }]);
      const signal = guard();
      await store.queue.waitFor("run", 600_000, signal);
      assert.equal(signal.aborted, false);
    });

    test("wakes on an enqueue of its kind, not of another", async ({ store, clock }) => {
      const signal = guard();
      await store.queue.enqueue([{ kind: "run", payload: {}, runAt: clock.now() + 60_000 }]);
      const waiting = store.queue.waitFor("run", 600_000, signal);
      await store.queue.enqueue([{ kind: "other", payload: {} }]);
      await settle();
      assert.equal(await isSettled(waiting), false, "future work and other kinds do not wake");
      await store.queue.enqueue([{ kind: "run", payload: {} }]);
      await waiting;
      assert.equal(signal.aborted, false);
    });

    test("wakes on work enqueued by executions.create and transition", async ({ store }) => {
      const signal = guard();
      const scheduling = store.queue.waitFor("schedule", 600_000, signal);
      const running = store.queue.waitFor("run", 600_000, signal);
      const { id } = await store.executions.create(newExecution(), {
        enqueue: [{ kind: "schedule", payload: {} }],
      });
      await scheduling;
      await settle();
      assert.equal(await isSettled(running), false);
      await store.executions.transition(id, "scheduled", {
        enqueue: [{ kind: "run", payload: {} }],
      });
      await running;
      assert.equal(signal.aborted, false);
    });

    test("wakes when a failed job is put back for retry", async ({ store, clock }) => {
      await store.queue.enqueue([{ kind: "run", payload: {} }]);
      const [job] = await store.queue.claim("run", 1, "w", LEASE);
      assert.ok(job);
      const signal = guard();
      const waiting = store.queue.waitFor("run", 600_000, signal);
      await settle();
      assert.equal(await isSettled(waiting), false);
      await store.queue.fail({ id: job.id, owner: "w" }, "try again", clock.now());
      await waiting;
      assert.equal(signal.aborted, false);
    });

    test("resolves on timeout and on abort", async ({ store }) => {
      const signal = guard();
      await store.queue.waitFor("run", 10, signal);
      assert.equal(signal.aborted, false, "resolved by its own timeout");
      const abort = new AbortController();
      const waiting = store.queue.waitFor("run", 600_000, AbortSignal.any([abort.signal, signal]));
      await settle();
      assert.equal(await isSettled(waiting), false);
      abort.abort();
      await waiting;
      await store.queue.waitFor("run", 600_000, abort.signal);
      assert.equal(signal.aborted, false);
    });
  });
}
