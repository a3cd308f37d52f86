/** Contract: ReactorStore listings — every filter, totals, paging, newest first. */

import assert from "node:assert/strict";
import { describe } from "node:test";
import { ValidationError } from "../../src/core/errors.ts";
import type { TriggerInstanceStatus } from "../../src/core/reactor/model.ts";
import { newId } from "../../src/engine/ids.ts";
import {
  enforcement,
  type OpenStore,
  storeTest,
  traceComponent,
  triggerDef,
  triggerInstance,
} from "./fixtures.ts";

const ids = (page: { items: Array<{ id: string }> }) => page.items.map((i) => i.id);

export function reactorListingContract(open: OpenStore): void {
  const test = storeTest(open);

  describe("reactor: listings", () => {
    test("instances: by trigger, status and occurrence time, newest first, paged", async ({
      store,
    }) => {
      const rows: Array<[trigger: string, status: TriggerInstanceStatus, minute: number]> = [
        ["core.a", "processed", 1],
        ["core.b", "processed", 2],
        ["core.a", "pending", 3],
        ["core.a", "processing_failed", 4],
        ["core.b", "pending", 5],
      ];
      const made = rows.map(([trigger, status, minute]) =>
        triggerInstance(trigger, { minute }, { status, occurrence_time: at(minute) }),
      );
      await store.reactor.commit(made.map((instance) => ({ op: "instance.create", instance })));
      const [i1, i2, i3, i4, i5] = made.map((m) => m.id);
      const list = store.reactor.listInstances.bind(store.reactor);

      const all = await list({}, {});
      assert.deepEqual(ids(all), [i5, i4, i3, i2, i1]);
      assert.equal(all.total, 5);
      assert.deepEqual(all.items[1], { ...made[3], idempotency_key: null, error: null });
      const cases: Array<[Parameters<typeof list>[0], Array<string | undefined>]> = [
        [{ trigger: "core.a" }, [i4, i3, i1]],
        [{ trigger: "core.c" }, []],
        [{ status: "pending" }, [i5, i3]],
        [{ trigger: "core.b", status: "processed" }, [i2]],
        [{ timestamp_gt: at(2) }, [i5, i4, i3]],
        [{ timestamp_lt: at(2) }, [i1]],
        // A timestamp without milliseconds or in another offset means the same instant.
        [
          { timestamp_gt: "2024-01-01T12:01:00Z", timestamp_lt: "2024-01-01T13:04:00+01:00" },
          [i3, i2],
        ],
        [{ trigger: "core.a", timestamp_gt: at(1) }, [i4, i3]],
      ];
      for (const [filter, expected] of cases) {
        const page = await list(filter, {});
        assert.deepEqual(ids(page), expected, JSON.stringify(filter));
        assert.equal(page.total, expected.length, JSON.stringify(filter));
      }
      const paged = await list({ trigger: "core.a" }, { limit: 2, offset: 1 });
      assert.deepEqual(ids(paged), [i3, i1]);
      assert.equal(paged.total, 3);
      assert.deepEqual(ids(await list({}, { limit: 2 })), [i5, i4]);

      await assert.rejects(list({ status: "done" as never }, {}), ValidationError);
      await assert.rejects(list({ timestamp_gt: "yesterday" }, {}), ValidationError);
      await assert.rejects(list({}, { limit: 0 }), ValidationError);
      await assert.rejects(list({}, { offset: -1 }), ValidationError);
    });

    test("instance.status updates the status and error seen by listings", async ({ store }) => {
      const input = triggerInstance("core.a");
      await store.reactor.commit([{ op: "instance.create", instance: input }]);
      await store.reactor.commit([
        { op: "instance.status", id: input.id, status: "processing_failed", error: "boom" },
      ]);
      const failed = await store.reactor.getInstance(input.id);
      assert.equal(failed?.status, "processing_failed");
      assert.equal(failed?.error, "boom");
      assert.deepEqual(ids(await store.reactor.listInstances({ status: "pending" }, {})), []);
      assert.deepEqual(
        ids(await store.reactor.listInstances({ status: "processing_failed" }, {})),
        [input.id],
      );
      await store.reactor.commit([{ op: "instance.status", id: input.id, status: "processed" }]);
      const processed = await store.reactor.getInstance(input.id);
      assert.equal(processed?.status, "processed");
      assert.equal(processed?.error, null, "a status without an error clears it");
      await assert.rejects(
        store.reactor.commit([{ op: "instance.status", id: input.id, status: "gone" as never }]),
        ValidationError,
      );
      assert.equal(await store.reactor.getInstance(newId()), null);
    });

    test("enforcements: by rule, trigger instance and execution, newest first", async ({
      store,
    }) => {
      const [t1, t2, x1, x2] = [newId(), newId(), newId(), newId()];
      const made = [
        enforcement("ops.one", t1, x1),
        enforcement("ops.two", t1, x2),
        enforcement("ops.one", t2, null),
        enforcement("ops.two", t2, x1),
      ];
      await store.reactor.commit(
        made.map((e) => ({ op: "enforcement.create", enforcement: e }) as const),
      );
      const [e1, e2, e3, e4] = made.map((e) => e.id);
      const list = store.reactor.listEnforcements.bind(store.reactor);
      const cases: Array<[Parameters<typeof list>[0], Array<string | undefined>]> = [
        [{}, [e4, e3, e2, e1]],
        [{ rule: "ops.one" }, [e3, e1]],
        [{ trigger_instance: t2 }, [e4, e3]],
        [{ execution: x1 }, [e4, e1]],
        [{ rule: "ops.two", execution: x1 }, [e4]],
        [{ rule: "ops.none" }, []],
      ];
      for (const [filter, expected] of cases) {
        const page = await list(filter, {});
        assert.deepEqual(ids(page), expected, JSON.stringify(filter));
        assert.equal(page.total, expected.length, JSON.stringify(filter));
      }
      const paged = await list({}, { limit: 1, offset: 2 });
      assert.deepEqual(ids(paged), [e2]);
      assert.equal(paged.total, 4);
      assert.deepEqual(await store.reactor.getEnforcement(made[2]?.id ?? ""), made[2]);
      assert.equal(await store.reactor.getEnforcement(newId()), null);
    });

    test("traces: by tag, newest first, paged", async ({ store }) => {
      const traceIds = [newId(), newId(), newId()];
      const tags = ["tag-a", "tag-b", "tag-c"];
      await store.reactor.commit(
        traceIds.map(
          (id, i) =>
            ({
              op: "trace.link",
              trace_tag: tags[i] ?? "",
              trace_id: id,
              kind: "action_execution",
              component: traceComponent(newId(), "core.local", at(i)),
            }) as const,
        ),
      );
      const list = store.reactor.listTraces.bind(store.reactor);
      const all = await list({}, {});
      assert.deepEqual(ids(all), [...traceIds].reverse());
      assert.equal(all.total, 3);
      const byTag = await list({ trace_tag: "tag-b" }, {});
      assert.deepEqual(ids(byTag), [traceIds[1]]);
      assert.equal(byTag.total, 1);
      assert.deepEqual(await list({ trace_tag: "none" }, {}), { items: [], total: 0 });
      const paged = await list({}, { limit: 2, offset: 1 });
      assert.deepEqual(ids(paged), [traceIds[1], traceIds[0]]);
      assert.equal(paged.total, 3);
    });

    test("triggers: by type, in ref order, paged", async ({ store }) => {
      const made = [
        triggerDef("core.st2.webhook", { url: "b" }, { ref: "core.b", name: "b" }),
        triggerDef("core.st2.webhook", { url: "a" }, { ref: "core.a", name: "a" }),
        triggerDef("core.st2.CronTimer", { hour: 1 }, { ref: "core.c", name: "c" }),
      ];
      await store.reactor.commit(made.map((trigger) => ({ op: "trigger.upsert", trigger })));
      const refs = (page: { items: Array<{ ref: string }> }) => page.items.map((t) => t.ref);
      const all = await store.reactor.listTriggers({}, {});
      assert.deepEqual(refs(all), ["core.a", "core.b", "core.c"]);
      assert.equal(all.total, 3);
      const hooks = await store.reactor.listTriggers({ type: "core.st2.webhook" }, { limit: 1 });
      assert.deepEqual(refs(hooks), ["core.a"]);
      assert.equal(hooks.total, 2);
      const second = await store.reactor.listTriggers(
        { type: "core.st2.webhook" },
        { limit: 1, offset: 1 },
      );
      assert.deepEqual(second.items, [made[0]]);
      assert.deepEqual(await store.reactor.listTriggers({ type: "core.none" }, {}), {
        items: [],
        total: 0,
      });
    });
  });
}

/** 2024-01-01T12:0<minute>:00.000Z, the fixtures' day. */
function at(minute: number): string {
  return new Date(Date.UTC(2024, 0, 1, 12, minute)).toISOString();
}
