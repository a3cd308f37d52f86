/** Rules (read, views, update), rule types, rule enforcements and traces over the API. */

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { RuleDef } from "../../src/core/content/model.ts";
import type { RuleEnforcement, Trace, TriggerDef } from "../../src/core/reactor/model.ts";
import { newId } from "../../src/engine/ids.ts";
import { type ReactorApi, startReactorApi } from "./reactor-api-fixture.ts";

let api: ReactorApi;
beforeEach(async () => {
  api = await startReactorApi();
});
afterEach(async () => {
  await api.close();
});

const refs = (items: Array<{ ref: string }>) => items.map((r) => r.ref);

describe("reading rules", () => {
  it("lists rules with a total and filters on pack, enabled and trigger type", async () => {
    const all = await api.get("/rules");
    assert.equal(all.total, "4");
    assert.deepEqual(refs(all.body).sort(), [
      "demo.bad_timer",
      "demo.on_event",
      "demo.on_hook",
      "demo.on_timer",
    ]);
    assert.deepEqual(refs((await api.get("/rules?enabled=false")).body), ["demo.bad_timer"]);
    assert.equal((await api.get("/rules?enabled=True")).body.length, 3);
    assert.equal((await api.get("/rules?pack=other")).body.length, 0);
    const hooks = await api.get("/rules?trigger_type=core.st2.webhook");
    assert.deepEqual(refs(hooks.body), ["demo.on_hook"]);
    assert.deepEqual(refs((await api.get("/rules?trigger=demo.event")).body), ["demo.on_event"]);
    assert.equal((await api.get("/rules?trigger=core.st2.webhook")).status, 400);
    assert.equal((await api.get("/rules?enabled=maybe")).status, 400);
    const byAction = (await api.get("/rules?action=demo.echo")).body as Array<{
      action: { ref: string };
    }>;
    assert.ok(byAction.length > 0);
    assert.ok(byAction.every((r) => r.action.ref === "demo.echo"));
    assert.equal((await api.get("/rules?action=demo.nope")).body.length, 0);
    assert.equal((await api.get("/rules?user=x")).status, 400, "not silently ignored");
  });

  it("shows a rule with its id, trigger ref and masked secrets", async () => {
    const hook = (await api.get("/triggers?type=core.st2.webhook")).body[0] as TriggerDef;
    const got = await api.get("/rules/demo.on_hook");
    assert.equal(got.status, 200);
    assert.equal(got.body.id, "demo.on_hook");
    assert.deepEqual(got.body.trigger, {
      type: "core.st2.webhook",
      parameters: { url: "hook1" },
      ref: hook.ref,
    });
    assert.deepEqual(got.body.action.parameters, {
      message: "{{ trigger.x }}",
      password: "********",
    });
    assert.equal((await api.get("/rules/demo.on_event")).body.trigger.ref, "demo.event");
    const missing = await api.get("/rules/demo.nope");
    assert.equal(missing.status, 404);
  });

  it("adds action and trigger descriptions in rule views", async () => {
    const view = await api.get("/rules/views/demo.on_event");
    assert.equal(view.body.action.description, "Echoes a message");
    assert.equal(view.body.trigger.description, "Something happened in the demo");
    const views = await api.get("/rules/views?pack=demo");
    assert.equal(views.total, "4");
    const hook = views.body.find((r: RuleDef) => r.ref === "demo.on_hook");
    assert.match(hook.trigger.description, /webhook/);
  });

  it("lists the two rule types", async () => {
    const types = await api.get("/ruletypes");
    assert.deepEqual(
      types.body.map((t: { name: string }) => t.name),
      ["standard", "backstop"],
    );
    assert.equal((await api.get("/ruletypes/backstop")).body.enabled, true);
    assert.equal((await api.get("/ruletypes/other")).status, 404);
  });
});

describe("updating rules (st2 rule enable/disable: GET, then PUT)", () => {
  it("disables a rule so the matcher drops it at once, and re-enables it", async () => {
    assert.equal(api.rules.rulesFor("demo.event").length, 1);
    const current = (await api.get("/rules/demo.on_event")).body;
    const { ref: _ref, ...body } = { ...current, enabled: false };
    const off = await api.send("PUT", `/rules/${current.id}`, body);
    assert.equal(off.status, 200);
    assert.equal(off.body.enabled, false);
    assert.equal(api.rules.rulesFor("demo.event").length, 0);
    assert.equal((await api.store.content.getRule("demo.on_event"))?.enabled, false);

    const on = await api.send("PUT", "/rules/demo.on_event", { ...current, enabled: true });
    assert.equal(on.status, 200);
    assert.equal(api.rules.rulesFor("demo.event").length, 1);
    const stored = await api.store.content.getRule("demo.on_event");
    assert.equal(stored?.action.parameters?.password, "hunter2", "the mask did not overwrite it");
    assert.equal(stored?.metadata_file, "rules/on_event.yaml");
    assert.equal(stored?.uid, "rule:demo:on_event");
  });

  it("stores a changed secret but keeps the stored one where the mask came back", async () => {
    const current = (await api.get("/rules/demo.on_event")).body;
    current.action.parameters.password = "new-secret";
    assert.equal((await api.send("PUT", "/rules/demo.on_event", current)).status, 200);
    const stored = await api.store.content.getRule("demo.on_event");
    assert.equal(stored?.action.parameters?.password, "new-secret");
  });

  it("refuses invalid bodies, naming the field", async () => {
    const current = (await api.get("/rules/demo.on_event")).body;
    const cases: Array<[string, unknown, RegExp]> = [
      [
        "an unknown operator",
        { ...current, criteria: { "trigger.x": { type: "almost", pattern: 1 } } },
        /criteria\.trigger\.x\.type/,
      ],
      ["a rename", { ...current, name: "renamed" }, /renamed/],
      ["another rule's ref", { ...current, ref: "demo.on_hook" }, /ref/],
      ["another pack", { ...current, pack: "other" }, /pack/],
      ["a missing action", { ...current, action: undefined }, /action/],
      ["a list", [current], /body must be object/],
    ];
    for (const [what, body, message] of cases) {
      const res = await api.send("PUT", "/rules/demo.on_event", body);
      assert.equal(res.status, 400, what);
      assert.match(res.body.faultstring, message, what);
    }
    assert.equal((await api.send("PUT", "/rules/demo.nope", current)).status, 404);
  });

  it("refuses to enable a rule whose trigger parameters are invalid, leaving it disabled", async () => {
    const current = (await api.get("/rules/demo.bad_timer")).body;
    const res = await api.send("PUT", "/rules/demo.bad_timer", { ...current, enabled: true });
    assert.equal(res.status, 400);
    assert.match(res.body.faultstring, /demo\.bad_timer was not updated/);
    assert.equal((await api.store.content.getRule("demo.bad_timer"))?.enabled, false);
  });
});

describe("rule enforcements and traces", () => {
  async function enforce(instance: string, ruleRef: string, execution: string | null, at: string) {
    const enforcement: RuleEnforcement = {
      id: newId(),
      trigger_instance_id: instance,
      execution_id: execution,
      rule: { ref: ruleRef, uid: `rule:${ruleRef.replace(".", ":")}` },
      enforced_at: at,
      status: execution ? "succeeded" : "failed",
      failure_reason: execution ? null : "no such action",
    };
    await api.store.reactor.commit([{ op: "enforcement.create", enforcement }]);
    return enforcement.id;
  }

  it("lists enforcements newest first with st2's filter names", async () => {
    const instance = await api.fire({ x: 1 }, Date.UTC(2024, 0, 5));
    const a = await enforce(instance, "demo.on_event", "exec1", "2024-01-05T00:00:01.000Z");
    const b = await enforce(instance, "demo.on_hook", null, "2024-01-05T00:00:02.000Z");
    const all = await api.get("/ruleenforcements");
    assert.deepEqual(
      all.body.map((e: RuleEnforcement) => e.id),
      [b, a],
    );
    assert.equal(all.total, "2");
    assert.deepEqual(
      (await api.get("/ruleenforcements?rule_ref=demo.on_event")).body.map(
        (e: RuleEnforcement) => e.id,
      ),
      [a],
    );
    assert.equal((await api.get("/ruleenforcements?execution=exec1")).body.length, 1);
    assert.equal((await api.get(`/ruleenforcements?trigger_instance=${instance}`)).body.length, 2);
    assert.equal((await api.get("/ruleenforcements?trigger_instance=other")).body.length, 0);
    assert.equal((await api.get("/ruleenforcements?enforced_at_gt=2024-01-01")).status, 400);
    const one = await api.get(`/ruleenforcements/${b}`);
    assert.equal(one.body.failure_reason, "no such action");
    assert.equal((await api.get("/ruleenforcements/nope")).status, 404);
  });

  it("lists traces by tag and shows one with its trigger instance", async () => {
    const first = await api.fire({ x: 1 }, Date.UTC(2024, 0, 6), "deploy-1");
    await api.fire({ x: 2 }, Date.UTC(2024, 0, 7), "deploy-2");
    assert.equal((await api.get("/traces")).total, "2");
    const tagged = await api.get("/traces?trace_tag=deploy-1");
    assert.equal(tagged.body.length, 1);
    const trace = tagged.body[0] as Trace;
    const got = await api.get(`/traces/${trace.id}`);
    assert.equal(got.body.trace_tag, "deploy-1");
    assert.deepEqual(
      got.body.trigger_instances.map((c: { object_id: string; ref: string }) => [
        c.object_id,
        c.ref,
      ]),
      [[first, "demo.event"]],
    );
    assert.equal((await api.get("/traces/nope")).status, 404);
    assert.equal((await api.get("/traces?execution=abc")).status, 400);
  });
});
