/** Contract: ReactorStore — trace linking by tag and trigger lookup by type and parameters. */

import assert from "node:assert/strict";
import { describe } from "node:test";
import { newId } from "../../src/engine/ids.ts";
import { type OpenStore, storeTest, traceComponent, triggerDef } from "./fixtures.ts";

export function reactorLookupContract(open: OpenStore): void {
  const test = storeTest(open);

  describe("reactor: traces", () => {
    test("link creates the trace by tag, then appends to the list of each kind", async ({
      store,
    }) => {
      const tag = "webhook-deploy-1";
      const traceId = newId();
      const instance = traceComponent(newId(), "core.t", "2024-01-01T12:00:00.000Z");
      const rule = traceComponent("r1", "ops.deploy", "2024-01-01T12:00:01.000Z", {
        type: "trigger_instance",
        id: instance.object_id,
      });
      const run = traceComponent(newId(), "core.local", "2024-01-01T12:00:02.000Z", {
        type: "rule",
        id: `r1:${instance.object_id}`,
      });
      const run2 = traceComponent(newId(), "core.echo", "2024-01-01T12:00:03.000Z");
      const link = (kind: "trigger_instance" | "rule" | "action_execution", component = run) =>
        ({ op: "trace.link", trace_tag: tag, trace_id: newId(), kind, component }) as const;
      await store.reactor.commit([{ ...link("trigger_instance", instance), trace_id: traceId }]);
      await store.reactor.commit([link("rule", rule), link("action_execution", run)]);
      await store.reactor.commit([link("action_execution", run2)]);
      const other = await store.reactor.commit([
        { ...link("action_execution", run), trace_tag: "execution-other" },
      ]);
      assert.deepEqual(other, { executions: [], instances: [] });

      assert.deepEqual(await store.reactor.getTrace(traceId), {
        id: traceId,
        trace_tag: tag,
        trigger_instances: [instance],
        rules: [rule],
        action_executions: [run, run2],
        start_timestamp: instance.updated_at,
      });
      const byTag = await store.reactor.listTraces({ trace_tag: tag }, {});
      assert.deepEqual(
        byTag.items.map((t) => t.id),
        [traceId],
      );
      assert.equal((await store.reactor.listTraces({}, {})).total, 2);
      assert.equal(await store.reactor.getTrace(newId()), null);
    });

    test("a trace started by an execution takes the execution's time", async ({ store }) => {
      const traceId = newId();
      const run = traceComponent(newId(), "core.local", "2024-02-02T00:00:00.000Z");
      await store.reactor.commit([
        {
          op: "trace.link",
          trace_tag: "execution-x",
          trace_id: traceId,
          kind: "action_execution",
          component: run,
        },
      ]);
      const trace = await store.reactor.getTrace(traceId);
      assert.equal(trace?.start_timestamp, "2024-02-02T00:00:00.000Z");
      assert.deepEqual(trace?.trigger_instances, []);
      assert.deepEqual(trace?.action_executions, [run]);
    });
  });

  describe("reactor: triggers", () => {
    test("findTrigger matches parameters whatever their key order", async ({ store }) => {
      const trigger = triggerDef("core.st2.IntervalTimer", {
        unit: "seconds",
        delta: 5,
        nested: { b: [{ y: 1, x: 2 }], a: null },
      });
      const other = triggerDef("core.st2.IntervalTimer", { unit: "minutes", delta: 5 });
      await store.reactor.commit([
        { op: "trigger.upsert", trigger },
        { op: "trigger.upsert", trigger: other },
      ]);
      const reordered = { nested: { a: null, b: [{ x: 2, y: 1 }] }, delta: 5, unit: "seconds" };
      assert.deepEqual(await store.reactor.findTrigger(trigger.type, reordered), trigger);
      assert.equal(await store.reactor.findTrigger("core.other", reordered), null);
      assert.equal(await store.reactor.findTrigger(trigger.type, { ...reordered, delta: 6 }), null);
      // Array order is data, not formatting.
      const swapped = { ...reordered, nested: { a: null, b: [{ x: 2, y: 1 }, 3] } };
      assert.equal(await store.reactor.findTrigger(trigger.type, swapped), null);

      const changed = { ...trigger, parameters: { unit: "hours", delta: 1 } };
      await store.reactor.commit([{ op: "trigger.upsert", trigger: changed }]);
      assert.equal(await store.reactor.findTrigger(trigger.type, reordered), null);
      assert.deepEqual(
        await store.reactor.findTrigger(trigger.type, { delta: 1, unit: "hours" }),
        changed,
      );
      await store.reactor.commit([
        { op: "trigger.delete", ref: trigger.ref },
        { op: "trigger.delete", ref: "core.never-existed" },
      ]);
      assert.equal(await store.reactor.getTrigger(trigger.ref), null);
      assert.deepEqual(await store.reactor.getTrigger(other.ref), other);
    });
  });
}
