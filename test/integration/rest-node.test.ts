/**
 * The REST surface on a running node (`squall up`, authentication on): the main resources end
 * to end, as a client of the StackStorm API would use them.
 */

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HtpasswdFile } from "../../src/engine/auth/htpasswd.ts";
import {
  api,
  eventually,
  makeHome,
  type SquallProcess,
  startSquall,
} from "../support/squall-process.ts";

// biome-ignore lint/suspicious/noExplicitAny: responses are read field by field
type Json = any;

let node: SquallProcess;
let cleanup = (): void => {};

before(async () => {
  const home = makeHome("squall-rest-node-");
  cleanup = home.cleanup;
  // A user with the observer role: may list, is no administrator.
  new HtpasswdFile(join(home.home, "htpasswd")).setPassword("olga", "olga-pass");
  mkdirSync(join(home.home, "rbac", "assignments"), { recursive: true });
  writeFileSync(
    join(home.home, "rbac", "assignments", "olga.yaml"),
    "username: olga\nroles: [observer]\n",
  );
  node = await startSquall(home.home);
});

after(async () => {
  await node?.kill("SIGTERM");
  cleanup();
});

const call = (method: string, path: string, body?: unknown) =>
  api<Json>(node.url, method, path, body);

describe("a running node", () => {
  it("lists actions with st2's paging headers and projections", async () => {
    const res = await call("GET", "/actions?pack=core&limit=2&sort=name&include_attributes=name");
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 2);
    assert.equal(res.headers.get("x-limit"), "2");
    assert.ok(Number(res.headers.get("x-total-count")) > 2);
    for (const a of res.body) assert.deepEqual(Object.keys(a).sort(), ["id", "name"]);
  });

  it("a rule created through the API fires on its webhook; its traces are listed", async () => {
    const rule = await call("POST", "/rules", {
      name: "on_rest2",
      pack: "default",
      enabled: true,
      trigger: { type: "core.st2.webhook", parameters: { url: "rest2" } },
      action: { ref: "core.local", parameters: { cmd: "echo {{ trigger.body.word }}" } },
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const hooks = await call("GET", "/webhooks?url=rest2");
    assert.equal(hooks.body.length, 1);
    const sent = await call("POST", "/webhooks/rest2", { word: "hello" });
    assert.equal(sent.status, 202);
    const execution = await eventually(
      async () => {
        const list = await call("GET", "/executions?rule=default.on_rest2&status=succeeded");
        return list.body[0] as Json;
      },
      15_000,
      "the rule's execution to succeed",
    );
    assert.match(JSON.stringify(execution.result), /hello/);
    const enforcements = await call("GET", "/ruleenforcements?rule_ref=default.on_rest2");
    assert.equal(enforcements.body[0].execution_id, execution.id);
    const filters = await call("GET", "/executions/views/filters?types=rule,action");
    assert.ok(filters.body.rule.includes("default.on_rest2"));
    assert.ok(filters.body.action.includes("core.local"));
    const traces = await call("GET", "/traces?sort=id&limit=1");
    assert.equal(traces.status, 200);
    assert.equal(traces.body.length, 1);
  });

  it("what the API created survives `pack register`", async () => {
    const action = await call("POST", "/actions", {
      name: "made_here",
      pack: "default",
      runner_type: "noop",
    });
    assert.equal(action.status, 201, JSON.stringify(action.body));
    const reg = await call("POST", "/packs/register", { packs: ["default"] });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    assert.equal((await call("GET", "/actions/default.made_here")).status, 200);
    assert.equal((await call("GET", "/rules/default.on_rest2")).status, 200);
    assert.equal((await call("DELETE", "/rules/default.on_rest2")).status, 204);
    assert.equal((await call("GET", "/webhooks?url=rest2")).body.length, 0);
  });

  it("trigger types, keys and policies: create, read, delete", async () => {
    const tt = await call("POST", "/triggertypes", { name: "custom", pack: "default" });
    assert.equal(tt.status, 201, JSON.stringify(tt.body));
    assert.equal((await call("GET", "/triggers/default.custom")).status, 200);
    assert.equal((await call("DELETE", "/triggertypes/default.custom")).status, 204);
    assert.equal((await call("PUT", "/keys/rest2", { value: "v" })).status, 200);
    const keys = await call("GET", "/keys?prefix=rest&include_attributes=value");
    assert.equal(keys.body.length, 1);
    assert.equal(keys.body[0].value, "v");
    assert.equal(keys.body[0].scope, undefined, "include_attributes left other fields out");
    const policy = await call("POST", "/policies", {
      name: "one_at_a_time",
      pack: "default",
      resource_ref: "default.made_here",
      policy_type: "action.concurrency",
      parameters: { threshold: 1 },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    assert.equal((await call("DELETE", "/policies/default.one_at_a_time")).status, 204);
  });

  it("a non-administrator asking for more than 100 records gets 403, up to 100 is fine", async () => {
    const login = await fetch(`${node.url}/auth/v1/tokens`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from("olga:olga-pass").toString("base64")}` },
    });
    assert.equal(login.status, 201);
    const { token } = (await login.json()) as { token: string };
    const get = (query: string) =>
      fetch(`${node.url}/api/v1/actions?${query}`, { headers: { "x-auth-token": token } });
    assert.equal((await get("limit=100")).status, 200);
    const big = await get("limit=500");
    assert.equal(big.status, 403);
    assert.match(((await big.json()) as { faultstring: string }).faultstring, /maximum value/);
    assert.equal((await get("limit=-1")).status, 403);
    assert.equal((await call("GET", "/actions?limit=-1")).status, 200, "the admin may");
  });
});
