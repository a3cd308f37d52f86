/** The StackStorm-compatible v1 routes over a real store with a demo pack (fastify inject). */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { newId } from "../../src/engine/ids.ts";
import { type RestApi, startRestApi } from "./rest-api-fixture.ts";

let api: RestApi;
before(async () => {
  api = await startRestApi();
});
after(async () => {
  await api.close();
});

describe("list endpoints: status, X-Total-Count, X-Limit", () => {
  const table: Array<[string, number]> = [
    ["/actions", 2],
    ["/actions?pack=demo", 2],
    ["/actions?name=echo", 1],
    ["/actions?tags=kind", 1],
    ["/actions/views/overview", 2],
    ["/packs", 1],
    ["/packs?ref=nope", 0],
    ["/runnertypes?name=noop", 1],
    ["/sensortypes", 1],
    ["/sensortypes?trigger=demo.seen", 1],
    ["/sensortypes?enabled=false", 0],
    ["/configs", 1],
    ["/config_schemas", 1],
    ["/policies", 1],
    ["/policies?policy_type=action.retry", 0],
    ["/policytypes", 3],
    ["/policytypes?resource_type=action", 3],
  ];
  for (const [url, total] of table)
    it(`GET ${url} → ${total}`, async () => {
      for (const prefix of ["/api/v1", "/v1"]) {
        const res = await api.call("GET", `${prefix}${url}`);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers["x-total-count"], String(total));
        assert.equal(res.headers["x-limit"], "100");
        assert.equal(res.body.length, total);
      }
    });

  it("limit=-1 returns everything without X-Limit; limit=1 pages", async () => {
    const all = await api.call("GET", "/api/v1/actions?limit=-1");
    assert.equal(all.status, 200);
    assert.equal(all.headers["x-limit"], undefined);
    assert.equal(all.body.length, 2);
    const second = await api.call("GET", "/api/v1/actions?limit=1&offset=1&sort=name");
    assert.deepEqual(
      second.body.map((a: { ref: string }) => a.ref),
      ["demo.script"],
    );
    assert.equal(second.headers["x-total-count"], "2");
    assert.equal(second.headers["x-limit"], "1");
  });

  for (const limit of ["0", "-2", "abc"])
    it(`limit=${limit} is a 400 naming limit`, async () => {
      const res = await api.call("GET", `/api/v1/packs?limit=${limit}`);
      assert.equal(res.status, 400);
      assert.match(res.body.faultstring, /limit/);
    });

  it("sort, include_attributes and exclude_attributes", async () => {
    const desc = await api.call("GET", "/api/v1/actions?sort=-name&include_attributes=name,pack");
    assert.deepEqual(desc.body, [
      { id: "demo.script", name: "script", pack: "demo" },
      { id: "demo.echo", name: "echo", pack: "demo" },
    ]);
    const ex = await api.call("GET", "/api/v1/actions?exclude_attributes=parameters,description");
    for (const a of ex.body) {
      assert.equal(a.parameters, undefined);
      assert.equal(a.description, undefined);
      assert.equal(typeof a.ref, "string");
    }
  });
});

describe("actions", () => {
  it("get by ref, 404 for unknown", async () => {
    const res = await api.call("GET", "/api/v1/actions/demo.echo");
    assert.equal(res.status, 200);
    assert.equal(res.body.id, "demo.echo");
    assert.equal((await api.call("GET", "/api/v1/actions/demo.nope")).status, 404);
  });

  it("views: parameters merged with the runner's, overview, entry point", async () => {
    const params = await api.call("GET", "/api/v1/actions/views/parameters/demo.script");
    assert.equal(params.status, 200);
    assert.equal(params.body.parameters.count.default, 2);
    assert.ok(params.body.parameters.timeout, "runner parameters are merged in");
    const overview = await api.call("GET", "/api/v1/actions/views/overview/demo.script");
    assert.equal(overview.body.ref, "demo.script");
    assert.ok(overview.body.parameters.timeout);
    const source = await api.call("GET", "/api/v1/actions/views/entry_point/demo.script");
    assert.equal(source.status, 200);
    assert.equal(source.text, "#!/bin/sh\necho hi\n");
    const none = await api.call("GET", "/api/v1/actions/views/entry_point/demo.echo");
    assert.equal(none.status, 404);
  });

  it("create, conflict, update, delete", async () => {
    const body = { name: "made", pack: "demo", runner_type: "noop", description: "via API" };
    const created = await api.call("POST", "/api/v1/actions", body);
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.ref, "demo.made");
    assert.equal((await api.call("POST", "/api/v1/actions", body)).status, 409);
    const updated = await api.call("PUT", "/api/v1/actions/demo.made", {
      ...created.body,
      description: "changed",
    });
    assert.equal(updated.status, 200, updated.text);
    assert.equal((await api.call("GET", "/api/v1/actions/demo.made")).body.description, "changed");
    const renamed = await api.call("PUT", "/api/v1/actions/demo.made", { ...body, name: "other" });
    assert.equal(renamed.status, 400);
    assert.equal((await api.call("DELETE", "/api/v1/actions/demo.made")).status, 204);
    assert.equal((await api.call("GET", "/api/v1/actions/demo.made")).status, 404);
    assert.equal((await api.call("DELETE", "/api/v1/actions/demo.made")).status, 404);
  });

  it("refuses an action for an unknown runner or pack, storing nothing", async () => {
    const badRunner = await api.call("POST", "/api/v1/actions", {
      name: "x",
      pack: "demo",
      runner_type: "warp-drive",
    });
    assert.equal(badRunner.status, 400);
    assert.match(badRunner.body.faultstring, /warp-drive/);
    const badPack = await api.call("POST", "/api/v1/actions", {
      name: "x",
      pack: "ghost",
      runner_type: "noop",
    });
    assert.equal(badPack.status, 400);
    assert.equal((await api.call("GET", "/api/v1/actions?limit=-1")).body.length, 2);
  });
});

describe("sensortypes and runnertypes", () => {
  it("PUT enabled disables and enables a sensor and tells the sensor container", async () => {
    const sensor = (await api.call("GET", "/api/v1/sensortypes/demo.Watch")).body;
    const off = await api.call("PUT", "/api/v1/sensortypes/demo.Watch", {
      ...sensor,
      enabled: false,
    });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.enabled, false);
    assert.equal((await api.call("GET", "/api/v1/sensortypes?enabled=false")).body.length, 1);
    const on = await api.call("PUT", "/api/v1/sensortypes/demo.Watch", {
      ...sensor,
      enabled: true,
    });
    assert.equal(on.body.enabled, true);
    assert.deepEqual(api.sensorChanges.slice(-2), ["demo.Watch", "demo.Watch"]);
    assert.equal(
      (await api.call("PUT", "/api/v1/sensortypes/demo.Nope", { enabled: true })).status,
      404,
    );
    const wrongType = await api.call("PUT", "/api/v1/sensortypes/demo.Watch", { enabled: "no" });
    assert.equal(wrongType.status, 400);
  });

  it("a disabled runner's actions cannot run", async () => {
    const runner = (await api.call("GET", "/api/v1/runnertypes/local-shell-cmd")).body;
    assert.equal(runner.id, "local-shell-cmd");
    const off = await api.call("PUT", "/api/v1/runnertypes/local-shell-cmd", {
      ...runner,
      enabled: false,
    });
    assert.equal(off.status, 200, off.text);
    const refused = await api.call("POST", "/api/v1/executions", { action: "demo.echo" });
    assert.equal(refused.status, 400);
    assert.match(refused.body.faultstring, /disabled/);
    await api.call("PUT", "/api/v1/runnertypes/local-shell-cmd", { ...runner, enabled: true });
    assert.equal(
      (await api.call("POST", "/api/v1/executions", { action: "demo.echo" })).status,
      201,
    );
  });
});

describe("packs: register and file views", () => {
  it("register answers st2's counts and the per-pack report", async () => {
    const res = await api.call("POST", "/api/v1/packs/register", { packs: ["demo"] });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.actions, 2);
    assert.equal(res.body.sensors, 1);
    assert.equal(res.body.packs[0].pack, "demo");
    const partial = await api.call("POST", "/api/v1/packs/register", { types: ["action"] });
    assert.equal(partial.status, 400);
  });

  it("lists text files and serves one, with ETag", async () => {
    const files = await api.call("GET", "/api/v1/packs/views/files/demo");
    const paths = files.body.map((f: { file_path: string }) => f.file_path);
    assert.ok(paths.includes("pack.yaml"));
    assert.ok(paths.includes("actions/script.sh"));
    assert.ok(!paths.includes("escape.txt"), "a symlink out of the pack is not listed");
    const one = await api.call("GET", "/api/v1/packs/views/file/demo/actions/script.sh");
    assert.equal(one.status, 200);
    assert.equal(one.text, "#!/bin/sh\necho hi\n");
    const again = await api.call(
      "GET",
      "/api/v1/packs/views/file/demo/actions/script.sh",
      undefined,
      {
        "if-none-match": String(one.headers.etag),
      },
    );
    assert.equal(again.status, 304);
  });

  const traversals: Array<[string, number]> = [
    ["..%2F..%2Foutside-secret.txt", 400],
    ["actions%2F..%2F..%2F..%2Fetc%2Fpasswd", 400],
    ["%2Fetc%2Fpasswd", 400],
    ["escape.txt", 400],
    ["actions/missing.yaml", 404],
    ["a%00b", 400],
  ];
  for (const [path, status] of traversals)
    it(`file view refuses ${decodeURIComponent(path)} with ${status}`, async () => {
      const res = await api.call("GET", `/api/v1/packs/views/file/demo/${path}`);
      assert.equal(res.status, status, res.text);
      assert.ok(!res.text.includes("not for the API"));
    });
});

describe("configs and config schemas", () => {
  it("masks secrets unless an administrator asks for show_secrets", async () => {
    const masked = await api.call("GET", "/api/v1/configs/demo?show_secrets=true");
    assert.equal(masked.body.values.token, "********");
    api.admin.value = true;
    try {
      const shown = await api.call("GET", "/api/v1/configs/demo?show_secrets=true");
      assert.equal(shown.body.values.token, "s3cr3t");
      const plain = await api.call("GET", "/api/v1/configs/demo");
      assert.equal(plain.body.values.token, "********");
    } finally {
      api.admin.value = false;
    }
  });

  it("PUT validates against the schema, keeps masked secrets and writes the file", async () => {
    const bad = await api.call("PUT", "/api/v1/configs/demo", { token: "t", retries: "many" });
    assert.equal(bad.status, 400);
    assert.match(bad.body.faultstring, /retries/);
    const missing = await api.call("PUT", "/api/v1/configs/demo", { retries: 1 });
    assert.equal(missing.status, 400);
    const ok = await api.call("PUT", "/api/v1/configs/demo", {
      token: "********",
      retries: 5,
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.values.retries, 5);
    assert.equal(ok.body.values.region, "eu");
    const file = readFileSync(join(api.configsDir, "demo.yaml"), "utf8");
    assert.match(file, /token: s3cr3t/);
    assert.match(file, /retries: 5/);
    assert.equal((await api.call("PUT", "/api/v1/configs/ghost", {})).status, 404);
    assert.ok(!existsSync(join(api.configsDir, "ghost.yaml")));
  });

  it("config schema by pack", async () => {
    const res = await api.call("GET", "/api/v1/config_schemas/demo");
    assert.equal(res.body.attributes.token.secret, true);
    assert.equal((await api.call("GET", "/api/v1/config_schemas/ghost")).status, 404);
  });
});

describe("policies and policy types", () => {
  it("get one of each", async () => {
    const policy = await api.call("GET", "/api/v1/policies/demo.limit");
    assert.equal(policy.body.resource_ref, "demo.echo");
    const type = await api.call("GET", "/api/v1/policytypes/action.retry");
    assert.equal(type.body.resource_type, "action");
    assert.equal((await api.call("GET", "/api/v1/policytypes/action.nope")).status, 404);
  });
});

describe("executions", () => {
  let parentId = "";
  before(async () => {
    const parent = await api.call("POST", "/api/v1/executions", {
      action: "demo.echo",
      parameters: { password: "hunter2" },
      user: "alice",
    });
    assert.equal(parent.status, 201, parent.text);
    parentId = parent.body.id;
    // Children and grandchildren as a workflow would create them.
    const child = await api.store.executions.create({
      id: newId(),
      action: { ref: "demo.echo", runner_type: "local-shell-cmd" },
      parameters: {},
      context: { user: "alice" },
      parent: parentId,
    });
    await api.store.executions.create({
      id: newId(),
      action: { ref: "demo.echo", runner_type: "local-shell-cmd" },
      parameters: {},
      context: { user: "alice" },
      parent: child.id,
    });
  });

  it("filters by user, parent and action; masks secret parameters", async () => {
    const mine = await api.call("GET", "/api/v1/executions?user=alice");
    assert.equal(mine.headers["x-total-count"], "3");
    const top = await api.call("GET", "/api/v1/executions?user=alice&parent=null");
    assert.equal(top.body.length, 1);
    assert.equal(top.body[0].parameters.password, "********");
    const nobody = await api.call("GET", "/api/v1/executions?user=mallory");
    assert.equal(nobody.headers["x-total-count"], "0");
    const byId = await api.call("GET", `/api/v1/executions?id=${parentId}`);
    assert.equal(byId.body[0].id, parentId);
    const refused = await api.call("GET", "/api/v1/executions?trigger_type=core.st2.webhook");
    assert.equal(refused.status, 400);
  });

  it("children with depth", async () => {
    const all = await api.call("GET", `/api/v1/executions/${parentId}/children`);
    assert.equal(all.body.length, 2);
    const one = await api.call("GET", `/api/v1/executions/${parentId}/children?depth=1`);
    assert.equal(one.body.length, 1);
    assert.equal((await api.call("GET", "/api/v1/executions/nope/children")).status, 404);
  });

  it("attribute, result, include_attributes and show_secrets", async () => {
    const status = await api.call("GET", `/api/v1/executions/${parentId}/attribute/status`);
    assert.equal(status.status, 200);
    assert.equal(typeof status.body, "string");
    const params = await api.call("GET", `/api/v1/executions/${parentId}/attribute/parameters`);
    assert.equal(params.body.password, "********");
    const bad = await api.call("GET", `/api/v1/executions/${parentId}/attribute/__proto__x`);
    assert.equal(bad.status, 400);
    const result = await api.call("GET", `/api/v1/executions/${parentId}/result?download=true`);
    assert.equal(result.status, 200);
    assert.match(String(result.headers["content-disposition"]), /attachment/);
    const gz = await api.app.inject({
      method: "GET",
      url: `/api/v1/executions/${parentId}/result?compress=true`,
    });
    assert.equal(gunzipSync(gz.rawPayload).toString(), "null");
    const slim = await api.call("GET", `/api/v1/executions/${parentId}?include_attributes=status`);
    assert.deepEqual(Object.keys(slim.body).sort(), ["id", "status"]);
    api.admin.value = true;
    try {
      const shown = await api.call("GET", `/api/v1/executions/${parentId}?show_secrets=true`);
      assert.equal(shown.body.parameters.password, "hunter2");
    } finally {
      api.admin.value = false;
    }
  });
});
