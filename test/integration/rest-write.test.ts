/**
 * Creating, updating and deleting content through the v1 API: rules, trigger types, triggers,
 * policies, action clone; what pack registration keeps; the execution filter view.
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { newId } from "../../src/engine/ids.ts";
import { type RestApi, startRestApi } from "./rest-api-fixture.ts";

let api: RestApi;
before(async () => {
  api = await startRestApi();
});
after(async () => {
  await api.close();
});

const RULE = {
  name: "on_seen",
  pack: "demo",
  enabled: true,
  trigger: { type: "demo.seen" },
  criteria: { "trigger.level": { type: "equals", pattern: "high" } },
  action: { ref: "demo.echo", parameters: { password: "pw" } },
};

describe("rules: create, update, delete", () => {
  it("creates a rule the reactor uses at once, and refuses a second one with 409", async () => {
    const created = await api.call("POST", "/api/v1/rules", RULE);
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.ref, "demo.on_seen");
    assert.equal(created.body.action.parameters.password, "********");
    assert.ok(api.rules.rulesFor("demo.seen").some((r) => r.ref === "demo.on_seen"));
    assert.equal((await api.call("POST", "/api/v1/rules", RULE)).status, 409);
    const disabled = await api.call("PUT", "/api/v1/rules/demo.on_seen", {
      ...created.body,
      enabled: false,
    });
    assert.equal(disabled.status, 200, disabled.text);
    assert.equal(api.rules.rulesFor("demo.seen").length, 0);
    // The masked secret sent back unchanged keeps the stored one.
    assert.equal(
      (await api.store.content.getRule("demo.on_seen"))?.action.parameters?.password,
      "pw",
    );
  });

  const bad: Array<[string, unknown, number, RegExp]> = [
    [
      "an unknown trigger type",
      { ...RULE, name: "r1", trigger: { type: "demo.nope" } },
      400,
      /demo\.nope/,
    ],
    [
      "an unknown operator",
      { ...RULE, name: "r2", criteria: { x: { type: "near", pattern: 1 } } },
      400,
      /criteria\.x\.type/,
    ],
    ["an unknown field", { ...RULE, name: "r3", colour: "red" }, 400, /colour/],
    ["no action", { ...RULE, name: "r4", action: undefined }, 400, /action/],
  ];
  for (const [what, body, status, reason] of bad)
    it(`POST refuses ${what}, storing nothing`, async () => {
      const res = await api.call("POST", "/api/v1/rules", body);
      assert.equal(res.status, status, res.text);
      assert.match(res.body.faultstring, reason);
      const name = (body as { name: string }).name;
      assert.equal(await api.store.content.getRule(`demo.${name}`), null);
    });

  it("deletes a rule and takes it out of the reactor", async () => {
    await api.call("PUT", "/api/v1/rules/demo.on_seen", { ...RULE, enabled: true });
    assert.equal(api.rules.rulesFor("demo.seen").length, 1);
    assert.equal((await api.call("DELETE", "/api/v1/rules/demo.on_seen")).status, 204);
    assert.equal(api.rules.rulesFor("demo.seen").length, 0);
    assert.equal((await api.call("GET", "/api/v1/rules/demo.on_seen")).status, 404);
    assert.equal((await api.call("DELETE", "/api/v1/rules/demo.on_seen")).status, 404);
  });
});

describe("trigger types and triggers", () => {
  it("a parameterless type gets its shadow trigger; deleting the type removes both", async () => {
    const created = await api.call("POST", "/api/v1/triggertypes", {
      name: "ping",
      pack: "demo",
      payload_schema: { type: "object" },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.id, "demo.ping");
    assert.equal((await api.call("GET", "/api/v1/triggers/demo.ping")).status, 200);
    assert.equal(
      (await api.call("POST", "/api/v1/triggertypes", { name: "ping", pack: "demo" })).status,
      409,
    );
    const updated = await api.call("PUT", "/api/v1/triggertypes/demo.ping", {
      ...created.body,
      description: "pong",
    });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.description, "pong");
    const renamed = await api.call("PUT", "/api/v1/triggertypes/demo.ping", { name: "pang" });
    assert.equal(renamed.status, 400);
    assert.equal((await api.call("DELETE", "/api/v1/triggertypes/demo.ping")).status, 204);
    assert.equal((await api.call("GET", "/api/v1/triggertypes/demo.ping")).status, 404);
    assert.equal((await api.call("GET", "/api/v1/triggers/demo.ping")).status, 404);
  });

  it("system trigger types cannot be changed", async () => {
    const res = await api.call("DELETE", "/api/v1/triggertypes/core.st2.webhook");
    assert.equal(res.status, 400);
    assert.match(res.body.faultstring, /system level packs/);
  });

  it("triggers of a parameterised type: parameters checked, one per parameters, update, delete", async () => {
    const bad = await api.call("POST", "/api/v1/triggers", {
      type: "core.st2.IntervalTimer",
      parameters: { unit: "fortnights", delta: 1 },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.body.faultstring, /parameters/);
    const body = { type: "core.st2.IntervalTimer", parameters: { unit: "seconds", delta: 30 } };
    const created = await api.call("POST", "/api/v1/triggers", body);
    assert.equal(created.status, 201, created.text);
    assert.equal((await api.call("POST", "/api/v1/triggers", body)).status, 409);
    const timers = await api.call("GET", "/api/v1/timers");
    assert.ok(timers.body.some((t: { id: string }) => t.id === created.body.id));
    const updated = await api.call("PUT", `/api/v1/triggers/${created.body.id}`, {
      ...created.body,
      parameters: { unit: "seconds", delta: 60 },
    });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.parameters.delta, 60);
    const retyped = await api.call("PUT", `/api/v1/triggers/${created.body.id}`, {
      type: "core.st2.CronTimer",
    });
    assert.equal(retyped.status, 400);
    assert.equal((await api.call("DELETE", `/api/v1/triggers/${created.body.id}`)).status, 204);
    assert.equal((await api.call("GET", `/api/v1/triggers/${created.body.id}`)).status, 404);
  });
});

describe("policies", () => {
  it("create, conflict, update, delete; parameters checked against the policy type", async () => {
    const body = {
      name: "retry_echo",
      pack: "demo",
      resource_ref: "demo.echo",
      policy_type: "action.retry",
      parameters: { retry_on: "failure", max_retry_count: 2 },
    };
    const created = await api.call("POST", "/api/v1/policies", body);
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.id, "demo.retry_echo");
    assert.equal((await api.call("POST", "/api/v1/policies", body)).status, 409);
    const bad = await api.call("PUT", "/api/v1/policies/demo.retry_echo", {
      ...body,
      parameters: { max_retry_count: "lots" },
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.faultstring, /max_retry_count/);
    const unknown = await api.call("POST", "/api/v1/policies", {
      ...body,
      name: "x",
      policy_type: "action.magic",
    });
    assert.equal(unknown.status, 400);
    const updated = await api.call("PUT", "/api/v1/policies/demo.retry_echo", {
      ...created.body,
      parameters: { retry_on: "timeout", max_retry_count: 1 },
    });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.parameters.retry_on, "timeout");
    assert.equal((await api.call("DELETE", "/api/v1/policies/demo.retry_echo")).status, 204);
    assert.equal((await api.call("GET", "/api/v1/policies/demo.retry_echo")).status, 404);
  });
});

describe("pack registration keeps what the API created", () => {
  it("API-created action, rule and policy survive re-registering their pack", async () => {
    const action = await api.call("POST", "/api/v1/actions", {
      name: "kept",
      pack: "demo",
      runner_type: "noop",
    });
    assert.equal(action.status, 201, action.text);
    assert.equal(
      (await api.call("POST", "/api/v1/rules", { ...RULE, name: "kept_rule", enabled: false }))
        .status,
      201,
    );
    const policy = await api.call("POST", "/api/v1/policies", {
      name: "kept_policy",
      pack: "demo",
      resource_ref: "demo.kept",
      policy_type: "action.concurrency",
      parameters: { threshold: 1 },
    });
    assert.equal(policy.status, 201, policy.text);
    // A file-backed action whose file goes away is still pruned.
    const file = join(api.packDir, "actions", "transient.yaml");
    writeFileSync(file, "name: transient\nrunner_type: noop\n");
    await api.call("POST", "/api/v1/packs/register", { packs: ["demo"] });
    assert.equal((await api.call("GET", "/api/v1/actions/demo.transient")).status, 200);
    rmSync(file);
    const reg = await api.call("POST", "/api/v1/packs/register", { packs: ["demo"] });
    assert.equal(reg.status, 200, reg.text);
    assert.equal((await api.call("GET", "/api/v1/actions/demo.transient")).status, 404);
    assert.equal((await api.call("GET", "/api/v1/actions/demo.kept")).status, 200);
    assert.equal((await api.call("GET", "/api/v1/rules/demo.kept_rule")).status, 200);
    assert.equal((await api.call("GET", "/api/v1/policies/demo.kept_policy")).status, 200);
  });

  it("a disabled runner stays disabled across registration (st2's runner registrar)", async () => {
    const runner = (await api.call("GET", "/api/v1/runnertypes/noop")).body;
    await api.call("PUT", "/api/v1/runnertypes/noop", { ...runner, enabled: false });
    await api.call("POST", "/api/v1/packs/register", { packs: ["demo"] });
    assert.equal((await api.call("GET", "/api/v1/runnertypes/noop")).body.enabled, false);
    await api.call("PUT", "/api/v1/runnertypes/noop", { ...runner, enabled: true });
  });

  it("a sensor's enabled flag comes from its file again, as in st2", async () => {
    const sensor = (await api.call("GET", "/api/v1/sensortypes/demo.Watch")).body;
    await api.call("PUT", "/api/v1/sensortypes/demo.Watch", { ...sensor, enabled: false });
    await api.call("POST", "/api/v1/packs/register", { packs: ["demo"] });
    assert.equal((await api.call("GET", "/api/v1/sensortypes/demo.Watch")).body.enabled, true);
  });
});

describe("POST /actions/{ref}/clone", () => {
  it("copies metadata and entry point into the destination pack and registers the copy", async () => {
    const res = await api.call("POST", "/api/v1/actions/demo.script/clone", {
      dest_pack: "demo",
      dest_action: "script_copy",
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.ref, "demo.script_copy");
    assert.equal(res.body.entry_point, "script_copy.sh");
    const meta = parse(readFileSync(join(api.packDir, "actions", "script_copy.yaml"), "utf8"));
    assert.equal(meta.name, "script_copy");
    assert.equal(meta.entry_point, "script_copy.sh");
    assert.equal(
      readFileSync(join(api.packDir, "actions", "script_copy.sh"), "utf8"),
      "#!/bin/sh\necho hi\n",
    );
    // It is part of the pack now: registering again finds the file.
    const reg = await api.call("POST", "/api/v1/packs/register", { packs: ["demo"] });
    assert.equal(reg.body.packs[0].errors.length, 0, JSON.stringify(reg.body.packs[0].errors));
    assert.equal((await api.call("GET", "/api/v1/actions/demo.script_copy")).status, 200);
  });

  it("refuses an existing destination unless overwrite is true", async () => {
    const body = { dest_pack: "demo", dest_action: "script_copy" };
    const again = await api.call("POST", "/api/v1/actions/demo.echo/clone", body);
    assert.equal(again.status, 400);
    assert.match(again.body.faultstring, /already exists/);
    const over = await api.call("POST", "/api/v1/actions/demo.echo/clone", {
      ...body,
      overwrite: true,
    });
    assert.equal(over.status, 201, over.text);
    assert.equal(over.body.runner_type, "local-shell-cmd");
    assert.ok(
      !existsSync(join(api.packDir, "actions", "script_copy.sh")),
      "old entry point removed",
    );
  });

  const refused: Array<[string, Record<string, unknown>, number, RegExp]> = [
    ["a system pack", { dest_pack: "core", dest_action: "x" }, 400, /system level packs/],
    ["an unknown pack", { dest_pack: "ghost", dest_action: "x" }, 400, /doesn't exist/],
    ["a path as name", { dest_pack: "demo", dest_action: "../x" }, 400, /dest_action/],
    ["a missing field", { dest_pack: "demo" }, 400, /dest_action/],
  ];
  for (const [what, body, status, reason] of refused)
    it(`refuses ${what}`, async () => {
      const res = await api.call("POST", "/api/v1/actions/demo.echo/clone", body);
      assert.equal(res.status, status, res.text);
      assert.match(res.body.faultstring, reason);
    });

  it("refuses a pack bundled with Squall (the repository's packs/default)", async () => {
    const bundled = new URL("../../packs/default", import.meta.url).pathname;
    const reg = await api.call("POST", "/api/v1/packs/register", { packs: [bundled] });
    assert.equal(reg.status, 200, reg.text);
    const res = await api.call("POST", "/api/v1/actions/demo.echo/clone", {
      dest_pack: "default",
      dest_action: "x",
    });
    assert.equal(res.status, 400, res.text);
    assert.match(res.body.faultstring, /bundled/);
    assert.ok(!existsSync(join(bundled, "actions", "x.yaml")));
  });
});

describe("GET /executions/views/filters", () => {
  before(async () => {
    for (const [user, rule] of [
      ["alice", "demo.r1"],
      ["bob", null],
      ["alice", null],
    ] as const)
      await api.store.executions.create({
        id: newId(),
        action: { ref: "demo.echo", runner_type: "local-shell-cmd" },
        parameters: {},
        context: { user, ...(rule ? { rule: { ref: rule, name: "r1" } } : {}) },
      });
  });

  it("lists distinct values per filter, null where st2 allows it", async () => {
    const res = await api.call("GET", "/api/v1/executions/views/filters");
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ["action", "rule", "runner", "status", "user"]);
    assert.ok(res.body.action.includes("demo.echo"));
    assert.ok(res.body.user.includes("alice") && res.body.user.includes("bob"));
    assert.ok(!res.body.user.includes(null));
    assert.deepEqual(res.body.rule, [null, "demo.r1"]);
    assert.ok(res.body.runner.includes("local-shell-cmd"));
    assert.ok(res.body.status.includes("requested"));
  });

  it("types= narrows the answer and unknown types are refused", async () => {
    const res = await api.call("GET", "/api/v1/executions/views/filters?types=user,status");
    assert.deepEqual(Object.keys(res.body).sort(), ["status", "user"]);
    const bad = await api.call("GET", "/api/v1/executions/views/filters?types=parent");
    assert.equal(bad.status, 400);
    assert.match(bad.body.faultstring, /parent/);
  });
});
