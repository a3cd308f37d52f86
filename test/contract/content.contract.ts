/** Contract: ContentStore — idempotent upserts, ordered filtered listings, pruning. */

import assert from "node:assert/strict";
import { describe } from "node:test";
import type { PackMeta, RunnerType } from "../../src/core/content/model.ts";
import { ValidationError } from "../../src/core/errors.ts";
import {
  action,
  alias,
  type OpenStore,
  policy,
  rule,
  sensor,
  storeTest,
  triggerType,
} from "./fixtures.ts";

function pack(ref: string): PackMeta {
  return {
    ref,
    name: ref,
    description: `the ${ref} pack`,
    version: "1.0.0",
    author: "ops",
    path: `/opt/packs/${ref}`,
  };
}

function runner(name: string): RunnerType {
  return { name, description: name, enabled: true, runner_parameters: {} };
}

const refs = (page: { items: Array<{ ref: string }> }) => page.items.map((i) => i.ref);

export function contentContract(open: OpenStore): void {
  const test = storeTest(open);

  describe("content: records", () => {
    test("each kind round-trips and unknown keys are null", async ({ store }) => {
      const c = store.content;
      await c.upsertPack(pack("examples"));
      await c.upsertRunnerType(runner("local-shell-cmd"));
      await c.upsertAction(action("examples.hello"));
      await c.upsertRule(rule("examples.on_hook"));
      await c.upsertTriggerType(triggerType("examples.event"));
      await c.upsertConfigSchema({ pack: "examples", attributes: { token: { type: "string" } } });
      await c.upsertConfig({ pack: "examples", values: { token: "abc" } });
      assert.deepEqual(await c.getPack("examples"), pack("examples"));
      assert.deepEqual(await c.getRunnerType("local-shell-cmd"), runner("local-shell-cmd"));
      assert.deepEqual(await c.getAction("examples.hello"), action("examples.hello"));
      assert.deepEqual(await c.getRule("examples.on_hook"), rule("examples.on_hook"));
      assert.deepEqual(await c.getTriggerType("examples.event"), triggerType("examples.event"));
      assert.deepEqual(await c.getConfigSchema("examples"), {
        pack: "examples",
        attributes: { token: { type: "string" } },
      });
      assert.deepEqual(await c.getConfig("examples"), {
        pack: "examples",
        values: { token: "abc" },
      });
      assert.equal(await c.getPack("nope"), null);
      assert.equal(await c.getRunnerType("nope"), null);
      assert.equal(await c.getAction("examples.nope"), null);
      assert.equal(await c.getRule("examples.nope"), null);
      assert.equal(await c.getTriggerType("examples.nope"), null);
      assert.equal(await c.getConfigSchema("nope"), null);
      assert.equal(await c.getConfig("nope"), null);
    });

    test("upserts are idempotent and replace the stored record", async ({ store }) => {
      const c = store.content;
      for (let i = 0; i < 2; i++) {
        await c.upsertPack(pack("examples"));
        await c.upsertRunnerType(runner("python-script"));
        await c.upsertAction(action("examples.hello"));
        await c.upsertRule(rule("examples.r"));
        await c.upsertSensor(sensor("examples.s"));
        await c.upsertTriggerType(triggerType("examples.t"));
        await c.upsertAlias(alias("examples.a"));
        await c.upsertPolicy(policy("examples.p", "examples.hello"));
        await c.upsertConfig({ pack: "examples", values: { n: i } });
      }
      const one = { total: 1 };
      assert.deepEqual({ total: (await c.listPacks({})).total }, one);
      assert.deepEqual({ total: (await c.listRunnerTypes({})).total }, one);
      assert.deepEqual({ total: (await c.listActions({}, {})).total }, one);
      assert.deepEqual({ total: (await c.listRules({}, {})).total }, one);
      assert.deepEqual({ total: (await c.listSensors({}, {})).total }, one);
      assert.deepEqual({ total: (await c.listTriggerTypes({}, {})).total }, one);
      assert.deepEqual({ total: (await c.listAliases({}, {})).total }, one);
      assert.deepEqual({ total: (await c.listPolicies({}, {})).total }, one);
      assert.deepEqual(await c.getConfig("examples"), { pack: "examples", values: { n: 1 } });

      await c.upsertAction(action("examples.hello", { description: "changed" }));
      assert.equal((await c.getAction("examples.hello"))?.description, "changed");
      await c.upsertRule(
        rule("examples.r", { enabled: false, trigger: { type: "core.st2.CronTimer" } }),
      );
      assert.deepEqual(refs(await c.listRules({ enabled: false }, {})), ["examples.r"]);
      assert.deepEqual(refs(await c.listRules({ trigger_type: "core.st2.webhook" }, {})), []);
    });

    test("records missing their key or filter fields are refused", async ({ store }) => {
      const c = store.content;
      await assert.rejects(c.upsertAction(action("examples.x", { pack: "" })), ValidationError);
      const broken = rule("examples.r");
      (broken.trigger as { type: unknown }).type = undefined;
      await assert.rejects(c.upsertRule(broken), ValidationError);
      await assert.rejects(c.upsertConfig({ pack: "", values: {} }), ValidationError);
    });
  });

  describe("content: listings", () => {
    test("lists are ordered by ref and paged with totals", async ({ store }) => {
      const c = store.content;
      for (const name of ["delta", "alpha", "charlie", "bravo"]) {
        await c.upsertAction(action(`examples.${name}`));
        await c.upsertPack(pack(name));
      }
      await c.upsertRunnerType(runner("b-runner"));
      await c.upsertRunnerType(runner("a-runner"));
      const page = await c.listActions({}, { limit: 2, offset: 1 });
      assert.deepEqual(refs(page), ["examples.bravo", "examples.charlie"]);
      assert.equal(page.total, 4);
      assert.deepEqual(refs(await c.listPacks({ limit: 2 })), ["alpha", "bravo"]);
      assert.deepEqual(
        (await c.listRunnerTypes({})).items.map((r) => r.name),
        ["a-runner", "b-runner"],
      );
    });

    test("filters: pack, enabled, trigger type, resource ref", async ({ store }) => {
      const c = store.content;
      await c.upsertRule(rule("a.on_cron", { trigger: { type: "core.st2.CronTimer" } }));
      await c.upsertRule(rule("a.on_hook"));
      await c.upsertRule(rule("b.on_hook"));
      await c.upsertRule(rule("b.off", { enabled: false }));
      await c.upsertSensor(sensor("a.watch"));
      await c.upsertSensor(sensor("b.watch"));
      await c.upsertTriggerType(triggerType("a.event"));
      await c.upsertAlias(alias("b.say"));
      await c.upsertPolicy(policy("a.limit", "a.deploy"));
      await c.upsertPolicy(policy("b.limit", "a.deploy"));
      await c.upsertPolicy(policy("b.other", "b.deploy"));

      assert.deepEqual(refs(await c.listRules({ pack: "a" }, {})), ["a.on_cron", "a.on_hook"]);
      assert.deepEqual(
        refs(await c.listRules({ trigger_type: "core.st2.webhook", enabled: true }, {})),
        ["a.on_hook", "b.on_hook"],
      );
      assert.deepEqual(refs(await c.listRules({ pack: "b", enabled: false }, {})), ["b.off"]);
      const webhookRules = await c.listRules({ trigger_type: "core.st2.webhook" }, { limit: 1 });
      assert.equal(webhookRules.total, 3);
      assert.deepEqual(refs(await c.listSensors({ pack: "b" }, {})), ["b.watch"]);
      assert.deepEqual(refs(await c.listTriggerTypes({ pack: "b" }, {})), []);
      assert.deepEqual(refs(await c.listAliases({ pack: "b" }, {})), ["b.say"]);
      assert.deepEqual(refs(await c.listPolicies({ resource_ref: "a.deploy" }, {})), [
        "a.limit",
        "b.limit",
      ]);
      assert.deepEqual(refs(await c.listPolicies({ pack: "b", resource_ref: "a.deploy" }, {})), [
        "b.limit",
      ]);
    });
  });

  describe("content: single deletes (API)", () => {
    test("delete removes one record of its kind and reports whether there was one", async ({
      store,
    }) => {
      const c = store.content;
      await c.upsertAction(action("a.one"));
      await c.upsertRule(rule("a.r1"));
      await c.upsertRule(rule("a.r2"));
      await c.upsertTriggerType(triggerType("a.t"));
      await c.upsertPolicy(policy("a.po", "a.one"));
      await c.upsertAlias(alias("a.al"));
      assert.equal((await c.getAlias("a.al"))?.ref, "a.al");
      const cases: Array<[string, () => Promise<boolean>, () => Promise<unknown>]> = [
        ["alias", () => c.deleteAlias("a.al"), () => c.getAlias("a.al")],
        ["action", () => c.deleteAction("a.one"), () => c.getAction("a.one")],
        ["rule", () => c.deleteRule("a.r1"), () => c.getRule("a.r1")],
        ["trigger type", () => c.deleteTriggerType("a.t"), () => c.getTriggerType("a.t")],
        ["policy", () => c.deletePolicy("a.po"), () => c.getPolicy("a.po")],
      ];
      for (const [kind, remove, get] of cases) {
        assert.equal(await remove(), true, kind);
        assert.equal(await get(), null, kind);
        assert.equal(await remove(), false, `${kind}: a second delete finds nothing`);
      }
      assert.deepEqual(refs(await c.listRules({}, {})), ["a.r2"], "other records stay");
    });

    test("deletePack removes the pack with its config schema and config", async ({ store }) => {
      const c = store.content;
      await c.upsertPack(pack("gone"));
      await c.upsertConfigSchema({ pack: "gone", attributes: { a: { type: "string" } } });
      await c.upsertConfig({ pack: "gone", values: { a: "x" } });
      assert.equal(await c.deletePack("gone"), true);
      assert.equal(await c.getPack("gone"), null);
      assert.equal(await c.getConfigSchema("gone"), null);
      assert.equal(await c.getConfig("gone"), null);
      assert.equal(await c.deletePack("gone"), false);
    });
  });

  describe("content: pruning", () => {
    test("removes only the pack's unlisted resources of the given kinds", async ({ store }) => {
      const c = store.content;
      for (const p of ["a", "b"]) {
        await c.upsertAction(action(`${p}.one`));
        await c.upsertAction(action(`${p}.two`));
        await c.upsertRule(rule(`${p}.r1`));
        await c.upsertRule(rule(`${p}.r2`));
        await c.upsertSensor(sensor(`${p}.s`));
        await c.upsertTriggerType(triggerType(`${p}.t`));
        await c.upsertAlias(alias(`${p}.al`));
        await c.upsertPolicy(policy(`${p}.po`, `${p}.one`));
      }
      const removed = await c.pruneResources("a", {
        action: ["a.one"],
        rule: [],
        sensor: ["a.s"],
        trigger_type: [],
        alias: [],
        policy: [],
      });
      assert.equal(removed, 6);
      assert.deepEqual(refs(await c.listActions({ pack: "a" }, {})), ["a.one"]);
      assert.deepEqual(refs(await c.listRules({ pack: "a" }, {})), []);
      assert.deepEqual(refs(await c.listSensors({ pack: "a" }, {})), ["a.s"]);
      assert.deepEqual(refs(await c.listTriggerTypes({ pack: "a" }, {})), []);
      assert.deepEqual(refs(await c.listAliases({ pack: "a" }, {})), []);
      assert.deepEqual(refs(await c.listPolicies({ pack: "a" }, {})), []);
      for (const list of [c.listActions({ pack: "b" }, {}), c.listRules({ pack: "b" }, {})]) {
        assert.equal((await list).total, 2, "another pack is untouched");
      }

      assert.equal(await c.pruneResources("b", { rule: ["b.r1"] }), 1);
      assert.equal((await c.listActions({ pack: "b" }, {})).total, 2, "kinds not given stay");
      assert.equal(await c.pruneResources("b", { rule: ["b.r1"] }), 0, "pruning is idempotent");
      await assert.rejects(
        c.pruneResources("b", { widget: [] } as unknown as Parameters<typeof c.pruneResources>[1]),
        ValidationError,
      );
    });
  });
}
