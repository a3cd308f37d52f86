/**
 * Contract: workflow state — the `workflow.*` operations of `reactor.commit` and the
 * WorkflowStore reads. Events are append-only with per-workflow seq; compaction replaces the
 * snapshot and drops the events it covers; everything commits atomically with other operations.
 */

import assert from "node:assert/strict";
import { describe } from "node:test";
import {
  ConflictError,
  NotFoundError,
  SquallError,
  ValidationError,
} from "../../src/core/errors.ts";
import {
  type SerializedConductor,
  WorkflowConductor,
} from "../../src/core/workflow/orquesta/conductor.ts";
import { parseWorkflowSpec } from "../../src/core/workflow/orquesta/spec.ts";
import { newId } from "../../src/engine/ids.ts";
import type { WriteOp } from "../../src/engine/store/reactor-contract.ts";
import type { WorkflowStatus } from "../../src/engine/store/workflow-contract.ts";
import { newExecution, type OpenStore, storeTest } from "./fixtures.ts";

const SPEC_YAML = `version: 1.0
input: [name]
tasks:
  t1:
    action: core.echo message=<% ctx(name) %>
    next:
      - do: t2
  t2:
    action: core.noop
`;

const spec = (): Record<string, unknown> => parseWorkflowSpec(SPEC_YAML).raw;

/** A real conductor's serialization; `mark` tells snapshots apart. */
function snapshotOf(mark: number): SerializedConductor {
  return new WorkflowConductor(parseWorkflowSpec(SPEC_YAML), {
    inputs: { name: "stanley" },
    context: { mark },
  }).serialize();
}

function create(id: string, status?: WorkflowStatus, mark = 0): WriteOp {
  return { op: "workflow.create", id, spec: spec(), snapshot: snapshotOf(mark), status };
}

function event(workflowId: string, n: number, seq?: number): WriteOp {
  return {
    op: "workflow.event",
    workflowId,
    seq,
    event: { task_id: `t${n}`, status: "succeeded" },
  };
}

function eventsOf(workflowId: string, from: number, to: number): WriteOp[] {
  const ops: WriteOp[] = [];
  for (let n = from; n <= to; n++) ops.push(event(workflowId, n));
  return ops;
}

export function workflowContract(open: OpenStore): void {
  const test = storeTest(open);

  describe("workflows: events and snapshots", () => {
    test("stores spec and snapshot and replays events in seq order", async ({ store, clock }) => {
      const id = newId();
      await store.reactor.commit([create(id), ...eventsOf(id, 1, 2)]);
      await store.reactor.commit([event(id, 3)]);
      const stored = await store.workflows.getWorkflow(id);
      assert.ok(stored);
      assert.deepEqual(stored.spec, spec());
      assert.deepEqual(stored.snapshot, snapshotOf(0));
      assert.equal(stored.status, "requested");
      assert.equal(stored.snapshotSeq, 0);
      assert.equal(stored.lastSeq, 3);
      assert.deepEqual(stored.events, [
        { seq: 1, event: { task_id: "t1", status: "succeeded" } },
        { seq: 2, event: { task_id: "t2", status: "succeeded" } },
        { seq: 3, event: { task_id: "t3", status: "succeeded" } },
      ]);
      const iso = new Date(clock.now()).toISOString();
      assert.equal(stored.created_at, iso);
      assert.equal(stored.updated_at, iso);
      // The engine's rebuild starts from the stored snapshot: it must deserialize unchanged.
      assert.deepEqual(WorkflowConductor.deserialize(stored.snapshot).serialize(), snapshotOf(0));
      assert.equal(await store.workflows.getWorkflow(newId()), null);
    });

    test("numbers events per workflow from 1", async ({ store }) => {
      const [a, b] = [newId(), newId()];
      await store.reactor.commit([create(a), create(b)]);
      await store.reactor.commit([event(a, 1), event(b, 1), event(a, 2)]);
      await store.reactor.commit([event(b, 2), event(b, 3), event(a, 3)]);
      for (const id of [a, b]) {
        const stored = await store.workflows.getWorkflow(id);
        assert.deepEqual(
          stored?.events.map((e) => e.seq),
          [1, 2, 3],
        );
      }
    });

    test("an explicit seq must be the next one (compare-and-set)", async ({ store }) => {
      const id = newId();
      await store.reactor.commit([create(id), event(id, 1, 1), event(id, 2, 2)]);
      const execution = newExecution();
      for (const stale of [2, 4]) {
        await assert.rejects(
          store.reactor.commit([{ op: "execution.create", execution }, event(id, 9, stale)]),
          ConflictError,
        );
      }
      assert.equal(await store.executions.get(execution.id), null);
      await store.reactor.commit([event(id, 3, 3)]);
      const stored = await store.workflows.getWorkflow(id);
      assert.deepEqual(
        stored?.events.map((e) => [e.seq, e.event.task_id]),
        [
          [1, "t1"],
          [2, "t2"],
          [3, "t3"],
        ],
      );
    });

    test("compaction replaces the snapshot and drops the events it covers", async ({
      store,
      clock,
    }) => {
      const id = newId();
      await store.reactor.commit([create(id), ...eventsOf(id, 1, 5)]);
      clock.advance(1_000);
      await store.reactor.commit([
        { op: "workflow.snapshot", workflowId: id, upToSeq: 3, snapshot: snapshotOf(3) },
      ]);
      let stored = await store.workflows.getWorkflow(id);
      assert.equal(stored?.snapshotSeq, 3);
      assert.deepEqual(stored?.snapshot, snapshotOf(3));
      assert.deepEqual(
        stored?.events.map((e) => [e.seq, e.event.task_id]),
        [
          [4, "t4"],
          [5, "t5"],
        ],
      );
      assert.equal(stored?.updated_at, new Date(clock.now()).toISOString());
      assert.notEqual(stored?.updated_at, stored?.created_at);

      // Compacting everything: numbering continues after the snapshot, never reusing a seq.
      await store.reactor.commit([
        event(id, 6),
        { op: "workflow.snapshot", workflowId: id, upToSeq: 6, snapshot: snapshotOf(6) },
      ]);
      stored = await store.workflows.getWorkflow(id);
      assert.deepEqual(stored?.events, []);
      assert.equal(stored?.lastSeq, 6);
      await store.reactor.commit([event(id, 7, 7)]);
      stored = await store.workflows.getWorkflow(id);
      assert.deepEqual(
        stored?.events.map((e) => e.seq),
        [7],
      );
      assert.equal(stored?.snapshotSeq, 6);
    });

    test("refuses a snapshot that goes backwards, runs ahead or has no workflow", async ({
      store,
    }) => {
      const id = newId();
      await store.reactor.commit([create(id), ...eventsOf(id, 1, 4)]);
      const snap = (workflowId: string, upToSeq: number): WriteOp => ({
        op: "workflow.snapshot",
        workflowId,
        upToSeq,
        snapshot: snapshotOf(upToSeq),
      });
      await store.reactor.commit([snap(id, 3)]);
      await assert.rejects(store.reactor.commit([snap(id, 2)]), ConflictError);
      await assert.rejects(store.reactor.commit([snap(id, 5)]), ValidationError);
      await assert.rejects(store.reactor.commit([snap(newId(), 0)]), NotFoundError);
      const stored = await store.workflows.getWorkflow(id);
      assert.equal(stored?.snapshotSeq, 3);
      assert.deepEqual(stored?.snapshot, snapshotOf(3));
      assert.deepEqual(
        stored?.events.map((e) => e.seq),
        [4],
      );
    });
  });

  describe("workflows: atomicity and errors", () => {
    test("a failing operation later in the commit leaves no workflow and no event", async ({
      store,
    }) => {
      const id = newId();
      const execution = newExecution();
      await assert.rejects(
        store.reactor.commit([
          { op: "execution.create", execution },
          create(id),
          ...eventsOf(id, 1, 3),
          { op: "execution.transition", id: execution.id, to: "scheduled" },
          { op: "workflow.status", workflowId: newId(), status: "running" },
        ]),
        NotFoundError,
      );
      assert.equal(await store.workflows.getWorkflow(id), null);
      assert.equal(await store.executions.get(execution.id), null);
      assert.equal((await store.workflows.listWorkflows({}, {})).total, 0);

      // On an existing workflow: events before the failing op are rolled back too.
      await store.reactor.commit([create(id), event(id, 1)]);
      await assert.rejects(
        store.reactor.commit([
          event(id, 2),
          { op: "workflow.status", workflowId: id, status: "succeeded" },
          { op: "execution.transition", id: newId(), to: "running" },
        ]),
        SquallError,
      );
      const stored = await store.workflows.getWorkflow(id);
      assert.deepEqual(
        stored?.events.map((e) => e.seq),
        [1],
      );
      assert.equal(stored?.status, "requested");
    });

    test("a duplicate workflow id is a conflict and changes nothing", async ({ store }) => {
      const id = newId();
      await store.reactor.commit([create(id, "running", 1), event(id, 1)]);
      await assert.rejects(store.reactor.commit([create(id, "requested", 2)]), ConflictError);
      await assert.rejects(
        store.reactor.commit([create(newId()), create(newId()), create(id)]),
        ConflictError,
      );
      const stored = await store.workflows.getWorkflow(id);
      assert.equal(stored?.status, "running");
      assert.deepEqual(stored?.snapshot, snapshotOf(1));
      assert.equal(stored?.events.length, 1);
      assert.equal((await store.workflows.listWorkflows({}, {})).total, 1);
    });

    test("rejects bad input naming the field, and events for unknown workflows", async ({
      store,
    }) => {
      const id = newId();
      await store.reactor.commit([create(id)]);
      const bad: Array<[WriteOp, string]> = [
        [create("nope"), "id"],
        [
          { op: "workflow.create", id: newId(), spec: [] as never, snapshot: snapshotOf(0) },
          "spec",
        ],
        [{ ...create(newId()), status: "bogus" as never } as WriteOp, "status"],
        [{ op: "workflow.event", workflowId: id, event: "text" as never }, "event"],
        [{ op: "workflow.event", workflowId: id, seq: 0, event: {} }, "seq"],
        [{ op: "workflow.status", workflowId: id, status: "done" as never }, "status"],
      ];
      for (const [op, field] of bad) {
        await assert.rejects(store.reactor.commit([op]), (err: unknown) => {
          assert.ok(err instanceof ValidationError, `${JSON.stringify(op).slice(0, 80)}`);
          assert.equal(err.location?.field, `ops[0].${field}`);
          return true;
        });
      }
      await assert.rejects(store.reactor.commit([event(newId(), 1)]), NotFoundError);
      await assert.rejects(
        store.reactor.commit([{ op: "workflow.status", workflowId: newId(), status: "running" }]),
        NotFoundError,
      );
      assert.equal((await store.workflows.getWorkflow(id))?.events.length, 0);
    });
  });

  describe("workflows: status and listing", () => {
    test("lists oldest first, by active and status, with totals and paging", async ({
      store,
      clock,
    }) => {
      const ids = [newId(), newId(), newId(), newId(), newId()];
      const statuses: WorkflowStatus[] = ["running", "succeeded", "paused", "failed", "requested"];
      await store.reactor.commit(ids.map((id) => create(id)));
      clock.advance(500);
      await store.reactor.commit(
        ids.map((id, i) => ({
          op: "workflow.status",
          workflowId: id,
          status: statuses[i] as WorkflowStatus,
        })),
      );
      const list = store.workflows.listWorkflows.bind(store.workflows);
      const [w0, w1, w2, w3, w4] = ids;

      const all = await list({}, {});
      assert.deepEqual(
        all.items.map((w) => w.id),
        ids,
      );
      assert.equal(all.total, 5);
      assert.deepEqual(all.items[1], {
        id: w1,
        status: "succeeded",
        snapshotSeq: 0,
        created_at: new Date(clock.now() - 500).toISOString(),
        updated_at: new Date(clock.now()).toISOString(),
      });
      const cases: Array<[Parameters<typeof list>[0], Array<string | undefined>]> = [
        [{ active: true }, [w0, w2, w4]],
        [{ active: false }, [w1, w3]],
        [{ status: "failed" }, [w3]],
        [{ status: "canceled" }, []],
        [{ active: true, status: "paused" }, [w2]],
        [{ active: false, status: "paused" }, []],
      ];
      for (const [filter, expected] of cases) {
        const page = await list(filter, {});
        assert.deepEqual(
          page.items.map((w) => w.id),
          expected,
          JSON.stringify(filter),
        );
        assert.equal(page.total, expected.length, JSON.stringify(filter));
      }
      const second = await list({ active: true }, { limit: 2, offset: 1 });
      assert.deepEqual(
        second.items.map((w) => w.id),
        [w2, w4],
      );
      assert.equal(second.total, 3);
      await assert.rejects(list({}, { limit: 0 }), ValidationError);
      await assert.rejects(list({ status: "bogus" as never }, {}), ValidationError);
    });
  });

  describe("workflows: append cost", () => {
    test("10,000 events are 10,000 rows and never rewrite the workflow record", async ({
      store,
      clock,
    }) => {
      const id = newId();
      await store.reactor.commit([create(id, "running")]);
      const before = await store.workflows.getWorkflow(id);
      assert.ok(before);
      const batch = 500;
      for (let from = 1; from <= 10_000; from += batch) {
        // The clock moves between commits: a write to the workflow record would move updated_at.
        clock.advance(1_000);
        await store.reactor.commit(eventsOf(id, from, from + batch - 1));
      }
      const after = await store.workflows.getWorkflow(id);
      assert.ok(after);
      assert.equal(after.events.length, 10_000);
      assert.ok(after.events.every((e, i) => e.seq === i + 1 && e.event.task_id === `t${i + 1}`));
      assert.equal(after.lastSeq, 10_000);
      assert.equal(after.updated_at, before.updated_at);
      assert.equal(JSON.stringify(after.snapshot).length, JSON.stringify(before.snapshot).length);
      assert.deepEqual(after.snapshot, before.snapshot);
      assert.equal(after.snapshotSeq, 0);
    });
  });
}
