/** Contract: ExecutionStore — records, the transition table, the outbox, listings and output. */

import assert from "node:assert/strict";
import { describe } from "node:test";
import {
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
} from "../../src/core/errors.ts";
import { canTransition, EXECUTION_STATUSES, isCompleted } from "../../src/core/execution/status.ts";
import { DEFAULT_PAGE_SIZE } from "../../src/engine/store/contract.ts";
import { newExecution, type OpenStore, storeTest } from "./fixtures.ts";

export function executionContract(open: OpenStore): void {
  const test = storeTest(open);

  describe("executions: records", () => {
    test("create stores a requested execution with one log entry", async ({ store, clock }) => {
      const input = newExecution({ parent: null, delay: 500 });
      const created = await store.executions.create(input);
      const at = new Date(clock.now()).toISOString();
      assert.deepEqual(created, {
        id: input.id,
        action: input.action,
        parameters: input.parameters,
        status: "requested",
        result: null,
        context: input.context,
        parent: null,
        delay: 500,
        start_timestamp: at,
        end_timestamp: null,
        log: [{ status: "requested", timestamp: at }],
        runner_node: null,
        revision: 1,
      });
      assert.deepEqual(await store.executions.get(input.id), created);
    });

    test("distinctValues lists each attribute's values once, sorted", async ({ store }) => {
      const e = store.executions;
      assert.deepEqual(await e.distinctValues("action"), []);
      await e.create(newExecution({ context: { user: "bob", rule: { ref: "p.r" } } }));
      await e.create(newExecution({ context: { user: "alice" } }));
      await e.create(newExecution({ context: {}, action: { ref: "a.b", runner_type: "noop" } }));
      await e.create(newExecution({ context: { user: "alice" }, status: "scheduled" }));
      const cases: Array<[Parameters<typeof e.distinctValues>[0], Array<string | null>]> = [
        ["action", ["a.b", "core.local"]],
        ["runner", ["local-shell-cmd", "noop"]],
        ["status", ["requested", "scheduled"]],
        ["user", ["alice", "bob"]],
        ["rule", [null, "p.r"]],
      ];
      for (const [field, want] of cases)
        assert.deepEqual(await e.distinctValues(field), want, field);
    });

    test("get of an unknown id is null", async ({ store }) => {
      assert.equal(await store.executions.get(newExecution().id), null);
    });

    test("create honours a given status; a completed one is stamped ended", async ({ store }) => {
      const delayed = await store.executions.create(newExecution({ status: "delayed" }));
      assert.equal(delayed.status, "delayed");
      assert.equal(delayed.end_timestamp, null);
      assert.deepEqual(
        delayed.log.map((e) => e.status),
        ["delayed"],
      );
      const failed = await store.executions.create(newExecution({ status: "failed" }));
      assert.equal(failed.end_timestamp, failed.start_timestamp);
    });

    test("create refuses a duplicate id and a malformed id", async ({ store }) => {
      const input = newExecution();
      await store.executions.create(input);
      await assert.rejects(store.executions.create(input), ConflictError);
      await assert.rejects(store.executions.create(newExecution({ id: "nope" })), ValidationError);
    });
  });

  describe("executions: transitions", () => {
    test("every pair of states is allowed exactly when the table says so", async ({ store }) => {
      for (const from of EXECUTION_STATUSES) {
        for (const to of EXECUTION_STATUSES) {
          const { id } = await store.executions.create(newExecution({ status: from }));
          if (canTransition(from, to)) {
            const moved = await store.executions.transition(id, to);
            assert.equal(moved.status, to, `${from} -> ${to}`);
          } else {
            await assert.rejects(
              store.executions.transition(id, to),
              (err: unknown) =>
                err instanceof IllegalTransitionError && err.from === from && err.to === to,
              `${from} -> ${to} must be refused`,
            );
            assert.equal((await store.executions.get(id))?.status, from);
          }
        }
      }
    });

    test("each transition appends to the log and bumps the revision", async ({ store, clock }) => {
      const { id } = await store.executions.create(newExecution());
      const times: string[] = [new Date(clock.now()).toISOString()];
      for (const status of ["scheduled", "running"] as const) {
        clock.advance(1_000);
        times.push(new Date(clock.now()).toISOString());
        await store.executions.transition(id, status, { patch: { runner_node: "node-a" } });
      }
      const running = await store.executions.get(id);
      assert.deepEqual(running?.log, [
        { status: "requested", timestamp: times[0] },
        { status: "scheduled", timestamp: times[1] },
        { status: "running", timestamp: times[2] },
      ]);
      assert.equal(running?.revision, 3);
      assert.equal(running?.runner_node, "node-a");
      assert.equal(running?.end_timestamp, null, "running is not terminal");
    });

    test("a terminal transition stamps end_timestamp and applies the patch", async ({
      store,
      clock,
    }) => {
      const { id } = await store.executions.create(newExecution({ status: "running" }));
      clock.advance(2_500);
      const done = await store.executions.transition(id, "succeeded", {
        patch: { result: { stdout: "hi", exit_code: 0 }, context: { user: "other" } },
      });
      assert.ok(isCompleted(done.status));
      assert.equal(done.end_timestamp, new Date(clock.now()).toISOString());
      assert.deepEqual(done.result, { stdout: "hi", exit_code: 0 });
      assert.deepEqual(done.context, { user: "other" });
      assert.deepEqual(await store.executions.get(id), done);
    });

    test("an explicit end_timestamp in the patch wins", async ({ store }) => {
      const { id } = await store.executions.create(newExecution({ status: "running" }));
      const end = "2020-02-02T02:02:02.000Z";
      const done = await store.executions.transition(id, "failed", {
        patch: { end_timestamp: end },
      });
      assert.equal(done.end_timestamp, end);
    });

    test("expectFrom is a compare-and-set", async ({ store }) => {
      const { id } = await store.executions.create(newExecution());
      await assert.rejects(
        store.executions.transition(id, "scheduled", { expectFrom: ["delayed"] }),
        ConflictError,
      );
      const unchanged = await store.executions.get(id);
      assert.equal(unchanged?.status, "requested");
      assert.equal(unchanged?.revision, 1);
      const moved = await store.executions.transition(id, "scheduled", {
        expectFrom: ["requested", "delayed"],
      });
      assert.equal(moved.status, "scheduled");
    });

    test("transition of an unknown execution is NotFoundError", async ({ store }) => {
      await assert.rejects(
        store.executions.transition(newExecution().id, "scheduled"),
        NotFoundError,
      );
    });
  });

  describe("executions: outbox atomicity", () => {
    test("create enqueues its work in the same commit", async ({ store }) => {
      const input = newExecution();
      await store.executions.create(input, {
        enqueue: [{ kind: "schedule", payload: { execution_id: input.id } }],
      });
      const jobs = await store.queue.claim("schedule", 10, "w", 60_000);
      assert.deepEqual(
        jobs.map((j) => j.payload),
        [{ execution_id: input.id }],
      );
    });

    test("a refused transition enqueues nothing", async ({ store }) => {
      const { id } = await store.executions.create(newExecution());
      const enqueue = [{ kind: "run", payload: { id } }];
      await assert.rejects(store.executions.transition(id, "succeeded", { enqueue }));
      await assert.rejects(
        store.executions.transition(id, "scheduled", { expectFrom: ["running"], enqueue }),
      );
      assert.deepEqual(await store.queue.stats(), {});
      assert.deepEqual(await store.queue.claim("run", 10, "w", 60_000), []);
    });

    test("transition completes the job and enqueues the next in one step", async ({ store }) => {
      const { id } = await store.executions.create(newExecution(), {
        enqueue: [{ kind: "schedule", payload: { id: "x" } }],
      });
      const [job] = await store.queue.claim("schedule", 1, "sched-1", 60_000);
      assert.ok(job);
      await store.executions.transition(id, "scheduled", {
        completeJob: { id: job.id, owner: "sched-1" },
        enqueue: [{ kind: "run", payload: { id } }],
      });
      assert.deepEqual(await store.queue.stats(), { run: { pending: 1, leased: 0 } });
    });

    test("a completeJob by the wrong owner aborts the whole transition", async ({ store }) => {
      const { id } = await store.executions.create(newExecution(), {
        enqueue: [{ kind: "schedule", payload: {} }],
      });
      const [job] = await store.queue.claim("schedule", 1, "sched-1", 60_000);
      assert.ok(job);
      await assert.rejects(
        store.executions.transition(id, "scheduled", {
          completeJob: { id: job.id, owner: "sched-2" },
          enqueue: [{ kind: "run", payload: { id } }],
        }),
        ConflictError,
      );
      assert.equal((await store.executions.get(id))?.status, "requested");
      assert.deepEqual(await store.queue.stats(), { schedule: { pending: 0, leased: 1 } });
      await store.queue.complete({ id: job.id, owner: "sched-1" });
    });

    test("a transition with invalid follow-up work changes nothing", async ({ store }) => {
      const { id } = await store.executions.create(newExecution(), {
        enqueue: [{ kind: "schedule", payload: {} }],
      });
      const [job] = await store.queue.claim("schedule", 1, "sched-1", 60_000);
      assert.ok(job);
      await assert.rejects(
        store.executions.transition(id, "scheduled", {
          completeJob: { id: job.id, owner: "sched-1" },
          enqueue: [
            { kind: "run", payload: {} },
            { kind: "", payload: {} },
          ],
        }),
        ValidationError,
      );
      const unchanged = await store.executions.get(id);
      assert.equal(unchanged?.status, "requested");
      assert.equal(unchanged?.revision, 1);
      assert.deepEqual(await store.queue.stats(), { schedule: { pending: 0, leased: 1 } });
    });

    test("a refused create leaves its job leased", async ({ store }) => {
      const input = newExecution();
      await store.executions.create(input);
      await store.queue.enqueue([{ kind: "trigger", payload: {} }]);
      const [job] = await store.queue.claim("trigger", 1, "rules-1", 60_000);
      assert.ok(job);
      await assert.rejects(
        store.executions.create(input, {
          completeJob: { id: job.id, owner: "rules-1" },
          enqueue: [{ kind: "schedule", payload: {} }],
        }),
        ConflictError,
      );
      assert.deepEqual(await store.queue.stats(), { trigger: { pending: 0, leased: 1 } });
    });

    test("create with a completeJob not held creates nothing", async ({ store }) => {
      await store.queue.enqueue([{ kind: "trigger", payload: {} }]);
      const [job] = await store.queue.claim("trigger", 1, "rules-1", 60_000);
      assert.ok(job);
      const input = newExecution();
      await assert.rejects(
        store.executions.create(input, {
          completeJob: { id: job.id, owner: "rules-2" },
          enqueue: [{ kind: "schedule", payload: {} }],
        }),
        ConflictError,
      );
      assert.equal(await store.executions.get(input.id), null);
      await store.executions.create(input, { completeJob: { id: job.id, owner: "rules-1" } });
      assert.deepEqual(await store.queue.stats(), {});
    });
  });

  describe("executions: listing", () => {
    test("newest first by default, oldest first on asc, paged with totals", async ({ store }) => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await store.executions.create(newExecution())).id);
      const newest = [...ids].reverse();
      const first = await store.executions.list({}, { limit: 3 });
      assert.equal(first.total, 7);
      assert.deepEqual(
        first.items.map((e) => e.id),
        newest.slice(0, 3),
      );
      const last = await store.executions.list({}, { limit: 3, offset: 6 });
      assert.deepEqual(
        last.items.map((e) => e.id),
        newest.slice(6),
      );
      assert.equal(last.total, 7);
      const asc = await store.executions.list({ sort: "asc" }, { limit: 2, offset: 1 });
      assert.deepEqual(
        asc.items.map((e) => e.id),
        ids.slice(1, 3),
      );
      const beyond = await store.executions.list({}, { offset: 50 });
      assert.deepEqual(beyond, { items: [], total: 7 });
    });

    test("the default page size applies when no limit is given", async ({ store }) => {
      for (let i = 0; i < DEFAULT_PAGE_SIZE + 1; i++) await store.executions.create(newExecution());
      const page = await store.executions.list({}, {});
      assert.equal(page.items.length, DEFAULT_PAGE_SIZE);
      assert.equal(page.total, DEFAULT_PAGE_SIZE + 1);
    });

    test("nonsensical page values are refused", async ({ store }) => {
      await assert.rejects(store.executions.list({}, { limit: 0 }), ValidationError);
      await assert.rejects(store.executions.list({}, { offset: -1 }), ValidationError);
    });

    test("filters: action, status, parent, runner_type, time range", async ({ store, clock }) => {
      const t0 = new Date(clock.now()).toISOString();
      const parent = await store.executions.create(
        newExecution({ action: { ref: "examples.flow", runner_type: "orquesta" } }),
      );
      clock.advance(60_000);
      const t1 = new Date(clock.now()).toISOString();
      const child = await store.executions.create(newExecution({ parent: parent.id }));
      await store.executions.transition(child.id, "scheduled");
      clock.advance(60_000);
      const other = await store.executions.create(
        newExecution({ action: { ref: "core.http", runner_type: "http-request" } }),
      );
      const ids = async (filter: Parameters<typeof store.executions.list>[0]) =>
        (await store.executions.list(filter, {})).items.map((e) => e.id).sort();
      const sorted = (...xs: string[]) => [...xs].sort();

      assert.deepEqual(await ids({ action: "core.local" }), [child.id]);
      assert.deepEqual(await ids({ status: "scheduled" }), [child.id]);
      assert.deepEqual(
        await ids({ status: ["scheduled", "requested"] }),
        sorted(parent.id, child.id, other.id),
      );
      assert.deepEqual(await ids({ status: ["running"] }), []);
      assert.deepEqual(await ids({ parent: parent.id }), [child.id]);
      assert.deepEqual(await ids({ parent: null }), sorted(parent.id, other.id));
      assert.deepEqual(await ids({ runner_type: "orquesta" }), [parent.id]);
      assert.deepEqual(await ids({ timestamp_gt: t0 }), sorted(child.id, other.id));
      assert.deepEqual(await ids({ timestamp_lt: t1 }), [parent.id]);
      assert.deepEqual(await ids({ timestamp_gt: t0, timestamp_lt: "2999-01-01T00:00:00Z" }), [
        ...sorted(child.id, other.id),
      ]);
      assert.deepEqual(await ids({ parent: null, status: "requested", runner_type: "orquesta" }), [
        parent.id,
      ]);
      const counted = await store.executions.list({ parent: null }, { limit: 1 });
      assert.equal(counted.total, 2);
      await assert.rejects(
        store.executions.list({ timestamp_gt: "yesterday" }, {}),
        ValidationError,
      );
    });
  });

  describe("executions: output", () => {
    test("chunks are numbered from 1 per execution, in order", async ({ store, clock }) => {
      const a = await store.executions.create(newExecution());
      const b = await store.executions.create(newExecution());
      await store.executions.appendOutput(a.id, [
        { output_type: "stdout", data: "one\n" },
        { output_type: "stderr", data: "two\n" },
      ]);
      await store.executions.appendOutput(b.id, [{ output_type: "stdout", data: "b1\n" }]);
      await store.executions.appendOutput(a.id, [{ output_type: "stdout", data: "three\n" }]);
      await store.executions.appendOutput(a.id, []);
      const at = new Date(clock.now()).toISOString();
      assert.deepEqual(await store.executions.readOutput(a.id), [
        { seq: 1, execution_id: a.id, output_type: "stdout", data: "one\n", timestamp: at },
        { seq: 2, execution_id: a.id, output_type: "stderr", data: "two\n", timestamp: at },
        { seq: 3, execution_id: a.id, output_type: "stdout", data: "three\n", timestamp: at },
      ]);
      assert.deepEqual(
        (await store.executions.readOutput(b.id)).map((c) => c.seq),
        [1],
      );
    });

    test("readers resume after a seq, filter by type and limit", async ({ store }) => {
      const { id } = await store.executions.create(newExecution());
      for (let i = 1; i <= 6; i++) {
        await store.executions.appendOutput(id, [
          { output_type: i % 2 === 0 ? "stderr" : "stdout", data: `${i}` },
        ]);
      }
      const data = (chunks: Array<{ data: string }>) => chunks.map((c) => c.data);
      assert.deepEqual(data(await store.executions.readOutput(id, { afterSeq: 4 })), ["5", "6"]);
      assert.deepEqual(data(await store.executions.readOutput(id, { outputType: "stderr" })), [
        "2",
        "4",
        "6",
      ]);
      assert.deepEqual(data(await store.executions.readOutput(id, { afterSeq: 1, limit: 2 })), [
        "2",
        "3",
      ]);
      assert.deepEqual(await store.executions.readOutput(id, { afterSeq: 6 }), []);
    });

    test("output for an unknown execution is refused", async ({ store }) => {
      await assert.rejects(
        store.executions.appendOutput(newExecution().id, [{ output_type: "stdout", data: "x" }]),
        NotFoundError,
      );
    });
  });
}
