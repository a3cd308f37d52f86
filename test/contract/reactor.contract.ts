/**
 * Contract: ReactorStore — the unit-of-work `commit` (atomicity, ordering, idempotency, trace
 * kv, wake-ups). Trace links and trigger lookup are in reactor-lookups.contract.ts, listings in
 * reactor-listings.contract.ts.
 */

import assert from "node:assert/strict";
import { describe } from "node:test";
import {
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
} from "../../src/core/errors.ts";
import { newId } from "../../src/engine/ids.ts";
import type { WriteOp } from "../../src/engine/store/reactor-contract.ts";
import {
  enforcement,
  isSettled,
  newExecution,
  type OpenStore,
  storeTest,
  traceComponent,
  triggerDef,
  triggerInstance,
} from "./fixtures.ts";
import { reactorListingContract } from "./reactor-listings.contract.ts";
import { reactorLookupContract } from "./reactor-lookups.contract.ts";

const SYSTEM = "st2kv.system";
const WEBHOOK = "core.st2.webhook";

export function reactorContract(open: OpenStore): void {
  const test = storeTest(open);

  describe("reactor: commit", () => {
    test("applies every kind of operation and reports executions and instances", async ({
      store,
      clock,
    }) => {
      const trigger = triggerDef(WEBHOOK, { url: "deploy" });
      const input = triggerInstance(trigger.ref, { branch: "main" });
      const execution = newExecution();
      const enf = enforcement("ops.deploy", input.id, execution.id);
      const result = await store.reactor.commit([
        { op: "trigger.upsert", trigger },
        { op: "instance.create", instance: input, enqueue: [{ kind: "rules", payload: {} }] },
        { op: "execution.create", execution },
        { op: "execution.transition", id: execution.id, to: "scheduled" },
        { op: "enforcement.create", enforcement: enf },
        { op: "instance.status", id: input.id, status: "processed" },
        { op: "kv.set", scope: SYSTEM, name: "k", value: "v", secret: false, expiresAt: null },
        {
          op: "trace.link",
          trace_tag: input.trace_tag,
          trace_id: newId(),
          kind: "trigger_instance",
          component: traceComponent(input.id, trigger.ref, new Date(clock.now()).toISOString()),
        },
      ]);
      const created = {
        ...input,
        status: "pending" as const,
        idempotency_key: null,
        error: null,
      };
      assert.deepEqual(result.instances, [{ instance: created, duplicate: false }]);
      assert.deepEqual(
        result.executions.map((e) => [e.id, e.status, e.revision]),
        [
          [execution.id, "requested", 1],
          [execution.id, "scheduled", 2],
        ],
      );
      assert.deepEqual(await store.reactor.getTrigger(trigger.ref), trigger);
      assert.deepEqual(await store.reactor.getInstance(input.id), {
        ...created,
        status: "processed",
      });
      assert.equal((await store.executions.get(execution.id))?.status, "scheduled");
      assert.deepEqual(await store.reactor.getEnforcement(enf.id), enf);
      assert.deepEqual(await store.kv.get(SYSTEM, "k"), { value: "v", secret: false });
      assert.deepEqual(await store.queue.stats(), { rules: { pending: 1, leased: 0 } });
      assert.equal((await store.reactor.listTraces({ trace_tag: input.trace_tag }, {})).total, 1);
    });

    test("an illegal transition in the middle leaves nothing from earlier ops", async ({
      store,
      clock,
    }) => {
      await store.kv.set(SYSTEM, "kept", "before");
      const trigger = triggerDef(WEBHOOK, { url: "x" });
      const input = triggerInstance(trigger.ref);
      const execution = newExecution();
      const enf = enforcement("ops.x", input.id, execution.id);
      const ops: WriteOp[] = [
        { op: "trigger.upsert", trigger },
        { op: "instance.create", instance: input, enqueue: [{ kind: "rules", payload: {} }] },
        { op: "job.enqueue", items: [{ kind: "run", payload: {} }] },
        { op: "execution.create", execution },
        { op: "enforcement.create", enforcement: enf },
        { op: "kv.set", scope: SYSTEM, name: "new", value: "v", secret: true, expiresAt: null },
        { op: "kv.delete", scope: SYSTEM, name: "kept" },
        {
          op: "trace.link",
          trace_tag: input.trace_tag,
          trace_id: newId(),
          kind: "trigger_instance",
          component: traceComponent(input.id, trigger.ref, new Date(clock.now()).toISOString()),
        },
        { op: "execution.transition", id: execution.id, to: "succeeded" },
        { op: "instance.status", id: input.id, status: "processed" },
      ];
      await assert.rejects(store.reactor.commit(ops), IllegalTransitionError);
      assert.equal(await store.reactor.getTrigger(trigger.ref), null);
      assert.equal(await store.reactor.getInstance(input.id), null);
      assert.equal(await store.executions.get(execution.id), null);
      assert.equal(await store.reactor.getEnforcement(enf.id), null);
      assert.equal(await store.kv.get(SYSTEM, "new"), null);
      assert.deepEqual(await store.kv.get(SYSTEM, "kept"), { value: "before", secret: false });
      assert.deepEqual(await store.queue.stats(), {});
      assert.deepEqual(await store.reactor.listTraces({}, {}), { items: [], total: 0 });
      assert.deepEqual(await store.reactor.listInstances({}, {}), { items: [], total: 0 });

      // The same operations without the bad one commit whole.
      await store.reactor.commit(ops.filter((op) => op.op !== "execution.transition"));
      assert.equal((await store.reactor.getInstance(input.id))?.status, "processed");
      assert.equal(await store.kv.get(SYSTEM, "kept"), null);
    });

    test("a failed expectFrom, a job not held, or an unknown instance aborts", async ({
      store,
    }) => {
      const execution = newExecution();
      await store.executions.create(execution);
      await store.queue.enqueue([{ kind: "rules", payload: {} }]);
      const [job] = await store.queue.claim("rules", 1, "worker-a", 10_000);
      assert.ok(job);
      const input = triggerInstance("core.t");
      const first: WriteOp = { op: "instance.create", instance: input };
      const cases: Array<[WriteOp, new (...args: never[]) => Error]> = [
        [
          {
            op: "execution.transition",
            id: execution.id,
            to: "scheduled",
            options: { expectFrom: ["delayed"] },
          },
          ConflictError,
        ],
        [{ op: "job.complete", job: { id: job.id, owner: "worker-b" } }, ConflictError],
        [{ op: "instance.status", id: newId(), status: "processed" }, NotFoundError],
        [{ op: "execution.transition", id: newId(), to: "scheduled" }, NotFoundError],
        [{ op: "instance.create", instance: { ...input, payload: [] as never } }, ValidationError],
        [{ op: "bogus" } as unknown as WriteOp, ValidationError],
      ];
      for (const [bad, errorClass] of cases) {
        await assert.rejects(store.reactor.commit([first, bad]), errorClass, bad.op);
        assert.equal(await store.reactor.getInstance(input.id), null, bad.op);
      }
      assert.equal((await store.executions.get(execution.id))?.status, "requested");

      const next = await store.reactor.commit([
        { op: "job.complete", job: { id: job.id, owner: "worker-a" } },
        { op: "job.enqueue", items: [{ kind: "run", payload: { n: 2 } }] },
      ]);
      assert.deepEqual(next, { executions: [], instances: [] });
      assert.deepEqual(await store.queue.stats(), { run: { pending: 1, leased: 0 } });
    });

    test("an instance is stored normalised; a second create of its id conflicts", async ({
      store,
    }) => {
      const input = triggerInstance("core.t", {}, { occurrence_time: "2024-03-01T10:00:00+02:00" });
      const { instances } = await store.reactor.commit([
        { op: "instance.create", instance: input },
      ]);
      assert.equal(instances[0]?.instance.occurrence_time, "2024-03-01T08:00:00.000Z");
      assert.deepEqual(await store.reactor.getInstance(input.id), instances[0]?.instance);
      await assert.rejects(
        store.reactor.commit([
          { op: "instance.create", instance: { ...input, occurrence_time: "soon" } },
        ]),
        ValidationError,
      );
      await assert.rejects(
        store.reactor.commit([{ op: "instance.create", instance: input }]),
        ConflictError,
      );
    });

    test("enqueue through commit wakes a waiting worker", async ({ store }) => {
      const guard = AbortSignal.timeout(5_000);
      const waiting = store.queue.waitFor("rules", 60_000, guard);
      assert.equal(await isSettled(waiting), false);
      await store.reactor.commit([
        {
          op: "instance.create",
          instance: triggerInstance("core.t"),
          enqueue: [{ kind: "rules", payload: {} }],
        },
      ]);
      await waiting;
      assert.equal(guard.aborted, false, "woken by the commit, not the guard");

      const viaJob = store.queue.waitFor("run", 60_000, guard);
      await store.reactor.commit([{ op: "job.enqueue", items: [{ kind: "run", payload: {} }] }]);
      await viaJob;
      assert.equal(guard.aborted, false);
    });

    test("kv.set and kv.delete behave as the kv store does, expiry included", async ({
      store,
      clock,
    }) => {
      await store.reactor.commit([
        { op: "kv.set", scope: SYSTEM, name: "a", value: "1", secret: true, expiresAt: null },
        {
          op: "kv.set",
          scope: SYSTEM,
          name: "lock",
          value: "held",
          secret: false,
          expiresAt: clock.now() + 1_000,
        },
        { op: "kv.set", scope: SYSTEM, name: "a", value: "2", secret: false, expiresAt: null },
      ]);
      assert.deepEqual(await store.kv.get(SYSTEM, "a"), { value: "2", secret: false });
      assert.deepEqual(await store.kv.get(SYSTEM, "lock"), { value: "held", secret: false });
      clock.advance(1_000);
      assert.equal(await store.kv.get(SYSTEM, "lock"), null);
      await store.reactor.commit([{ op: "kv.delete", scope: SYSTEM, name: "a" }]);
      assert.equal(await store.kv.get(SYSTEM, "a"), null);
      // Deleting what is not there is not an error: the pair is absent either way.
      await store.reactor.commit([{ op: "kv.delete", scope: SYSTEM, name: "a" }]);
      await assert.rejects(
        store.reactor.commit([
          { op: "kv.set", scope: SYSTEM, name: "", value: "x", secret: false, expiresAt: null },
        ]),
        ValidationError,
      );
    });
  });

  describe("reactor: idempotency", () => {
    test("a key held by a live instance makes later creates duplicates", async ({
      store,
      clock,
    }) => {
      const idempotency = { key: "evt-1", expiresAt: clock.now() + 60_000 };
      const first = triggerInstance("core.t", { n: 1 });
      const [created] = (
        await store.reactor.commit([
          {
            op: "instance.create",
            instance: first,
            idempotency,
            enqueue: [{ kind: "rules", payload: { n: 1 } }],
          },
        ])
      ).instances;
      assert.ok(created);
      assert.equal(created.duplicate, false);
      assert.equal(created.instance.idempotency_key, "evt-1");

      clock.advance(59_999);
      const again = triggerInstance("core.t", { n: 2 });
      const twice = triggerInstance("core.t", { n: 3 });
      const result = await store.reactor.commit([
        { op: "instance.create", instance: again, idempotency, enqueue: [rulesJob()] },
        { op: "instance.create", instance: twice, idempotency, enqueue: [rulesJob()] },
      ]);
      assert.deepEqual(result.instances, [
        { instance: created.instance, duplicate: true },
        { instance: created.instance, duplicate: true },
      ]);
      assert.equal(await store.reactor.getInstance(again.id), null);
      assert.equal((await store.reactor.listInstances({}, {})).total, 1);
      assert.deepEqual(await store.queue.stats(), { rules: { pending: 1, leased: 0 } });

      // Once the window has passed, the key is free for a new instance.
      clock.advance(1);
      const later = triggerInstance("core.t", { n: 4 });
      const after = await store.reactor.commit([
        {
          op: "instance.create",
          instance: later,
          idempotency: { key: "evt-1", expiresAt: clock.now() + 60_000 },
          enqueue: [rulesJob()],
        },
      ]);
      assert.equal(after.instances[0]?.duplicate, false);
      assert.equal(after.instances[0]?.instance.id, later.id);
      assert.equal((await store.reactor.listInstances({}, {})).total, 2);
      assert.deepEqual(await store.queue.stats(), { rules: { pending: 2, leased: 0 } });
    });

    test("two creates with one key in the same commit keep the first", async ({ store, clock }) => {
      const idempotency = { key: "k", expiresAt: clock.now() + 1_000 };
      const a = triggerInstance("core.t");
      const b = triggerInstance("core.t");
      const { instances } = await store.reactor.commit([
        { op: "instance.create", instance: a, idempotency },
        { op: "instance.create", instance: b, idempotency },
      ]);
      assert.deepEqual(
        instances.map((i) => [i.instance.id, i.duplicate]),
        [
          [a.id, false],
          [a.id, true],
        ],
      );
    });

    test("expireIdempotencyKeys forgets keys whose window has passed", async ({ store, clock }) => {
      const now = clock.now();
      await store.reactor.commit([
        {
          op: "instance.create",
          instance: triggerInstance("core.t"),
          idempotency: { key: "short", expiresAt: now + 100 },
        },
        {
          op: "instance.create",
          instance: triggerInstance("core.t"),
          idempotency: { key: "long", expiresAt: now + 10_000 },
        },
      ]);
      assert.equal(await store.reactor.expireIdempotencyKeys(now + 99), 0);
      assert.equal(await store.reactor.expireIdempotencyKeys(now + 100), 1);
      assert.equal(await store.reactor.expireIdempotencyKeys(now + 100), 0);
      const fresh = async (key: string) =>
        (
          await store.reactor.commit([
            {
              op: "instance.create",
              instance: triggerInstance("core.t"),
              idempotency: { key, expiresAt: now + 20_000 },
            },
          ])
        ).instances[0]?.duplicate;
      assert.equal(await fresh("long"), true, "an unexpired key is kept");
      assert.equal(await fresh("short"), false, "a forgotten key no longer de-duplicates");
    });
  });

  reactorLookupContract(open);
  reactorListingContract(open);
}

function rulesJob() {
  return { kind: "rules", payload: {} };
}
