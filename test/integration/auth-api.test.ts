/**
 * Authentication and RBAC on a running node: where credentials are accepted, why they are
 * refused, API keys, the RBAC views, permissions on real endpoints, per-execution tokens and
 * datastore reads from expressions.
 */

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Execution } from "../../src/core/execution/model.ts";
import { HtpasswdFile } from "../../src/engine/auth/htpasswd.ts";
import {
  adminCredentials,
  authHeaders,
  eventually,
  makeHome,
  type SquallProcess,
  startSquall,
} from "../support/squall-process.ts";

let node: SquallProcess;
let cleanup = (): void => {};

before(async () => {
  const home = makeHome("squall-auth-");
  cleanup = home.cleanup;
  const users = new HtpasswdFile(join(home.home, "htpasswd"));
  users.setPassword("alice", "alice-pass");
  users.setPassword("bob", "bob-pass");
  users.setPassword("dave", "dave-pass");
  const rbac = join(home.home, "rbac");
  mkdirSync(join(rbac, "roles"), { recursive: true });
  mkdirSync(join(rbac, "assignments"), { recursive: true });
  writeFileSync(
    join(rbac, "roles", "runner.yaml"),
    [
      "name: runner",
      "description: runs core actions",
      "permission_grants:",
      "  - resource_uid: pack:core",
      "    permission_types: [action_execute]",
      "  - resource_uid: key_value_pair:st2kv.system:visible",
      "    permission_types: [key_value_pair_view]",
      "",
    ].join("\n"),
  );
  writeFileSync(join(rbac, "assignments", "alice.yaml"), "username: alice\nroles: [runner]\n");
  node = await startSquall(home.home);
});

after(async () => {
  await node?.kill("SIGTERM");
  cleanup();
});

async function call(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<{
  status: number;
  body: Record<string, unknown> & { faultstring?: string };
  headers: Headers;
}> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = {};
  try {
    body = text === "" ? {} : JSON.parse(text);
  } catch {
    body = { text };
  }
  return { status: res.status, body: body as Record<string, unknown>, headers: res.headers };
}

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
});

async function tokenFor(user: string, password: string, ttl?: number): Promise<string> {
  const res = await call("POST", "/auth/v1/tokens", {
    headers: basic(user, password),
    ...(ttl ? { body: { ttl } } : {}),
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return String(res.body.token);
}

const as = (token: string) => ({ "x-auth-token": token });

describe("authentication", () => {
  it("issues tokens in StackStorm's shape for Basic credentials", async () => {
    const res = await call("POST", "/auth/v1/tokens", { headers: basic("alice", "alice-pass") });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body).sort(), ["expiry", "id", "metadata", "token", "user"]);
    assert.equal(res.body.user, "alice");
    const valid = await call("POST", "/auth/v1/tokens/validate", {
      body: { token: res.body.token },
    });
    assert.deepEqual(valid.body, { valid: true });
  });

  const refusals: Array<[string, Record<string, string>, unknown, number, RegExp]> = [
    ["no credentials", {}, undefined, 401, /^Invalid or missing credentials$/],
    [
      "a wrong password",
      basic("alice", "nope"),
      undefined,
      401,
      /^Invalid or missing credentials$/,
    ],
    ["an unknown user", basic("mallory", "x"), undefined, 401, /^Invalid or missing credentials$/],
    [
      "a malformed Authorization header",
      { authorization: "Basic !!!" },
      undefined,
      401,
      /credentials/,
    ],
    ["a bearer header", { authorization: "Bearer abc" }, undefined, 401, /credentials/],
    [
      "a TTL over the maximum",
      basic("alice", "alice-pass"),
      { ttl: 10 ** 8 },
      400,
      /greater than max allowed/,
    ],
    ["an unknown body field", basic("alice", "alice-pass"), { ttl: 60, admin: true }, 400, /admin/],
  ];
  for (const [title, headers, body, status, message] of refusals)
    it(`refuses a login with ${title}`, async () => {
      const res = await call("POST", "/auth/v1/tokens", { headers, body });
      assert.equal(res.status, status);
      assert.match(String(res.body.faultstring), message);
    });

  it("accepts a token or API key wherever StackStorm does", async () => {
    const token = await tokenFor("alice", "alice-pass");
    const key = await call("POST", "/api/v1/apikeys", {
      headers: await authHeaders(node.url),
      body: { user: "alice" },
    });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    const apiKey = String(key.body.key);
    const ways: Array<[string, string, Record<string, string>]> = [
      ["X-Auth-Token header", "/api/v1/user", { "X-Auth-Token": token }],
      ["St2-Api-Key header", "/api/v1/user", { "St2-Api-Key": apiKey }],
      ["x-auth-token query", `/api/v1/user?x-auth-token=${token}`, {}],
      ["st2-api-key query", `/api/v1/user?st2-api-key=${apiKey}`, {}],
      ["auth-token cookie", "/api/v1/user", { cookie: `theme=dark; auth-token=${token}` }],
      ["/v1 prefix", "/v1/user", { "X-Auth-Token": token }],
    ];
    for (const [title, path, headers] of ways) {
      const res = await call("GET", path, { headers });
      assert.equal(res.status, 200, `${title}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.username, "alice", title);
    }
    const viaQuery = await call("GET", `/api/v1/user?x-auth-token=${token}`);
    assert.match(viaQuery.headers.get("set-cookie") ?? "", /^auth-token=.*HttpOnly/);
  });

  it("says why a request is refused: missing, forged, malformed, expired", async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ["missing", {}, "Unauthorized - One of Token or API key required."],
      [
        "forged token",
        { "x-auth-token": "0123456789abcdef0123456789abcdef" },
        "Unauthorized - Token is not found.",
      ],
      [
        "malformed token",
        { "x-auth-token": "'; DROP TABLE auth_tokens;--\u00e9" },
        "Unauthorized - Token is not found.",
      ],
      ["forged API key", { "st2-api-key": "not-a-key" }, "Unauthorized - API key is not found."],
    ];
    for (const [title, headers, faultstring] of cases) {
      const res = await call("GET", "/api/v1/executions", { headers });
      assert.equal(res.status, 401, title);
      assert.equal(res.body.faultstring, faultstring, title);
    }
    const short = await tokenFor("alice", "alice-pass", 1);
    const expired = await eventually(
      async () => {
        const res = await call("GET", "/api/v1/user", { headers: as(short) });
        return res.status === 401 ? res : undefined;
      },
      5_000,
      "the one-second token to expire",
    );
    assert.equal(expired.body.faultstring, "Unauthorized - Token has expired.");
  });

  it("guards webhooks and the stream too", async () => {
    assert.equal((await call("POST", "/api/v1/webhooks/anything", { body: {} })).status, 401);
    assert.equal((await call("GET", "/stream/v1/stream")).status, 401);
    const admin = await authHeaders(node.url);
    const hook = await call("POST", "/api/v1/webhooks/anything", { headers: admin, body: {} });
    assert.notEqual(hook.status, 401);
    assert.notEqual(hook.status, 403);
  });
});

describe("API keys", () => {
  it("shows the key once, masks the hash, disables and deletes", async () => {
    const admin = await authHeaders(node.url);
    const created = await call("POST", "/api/v1/apikeys", {
      headers: admin,
      body: { user: "bob", metadata: { purpose: "ci" } },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.user, "bob");
    assert.equal(typeof created.body.key, "string");
    assert.ok(!("key_hash" in created.body));
    const key = String(created.body.key);
    const id = String(created.body.id);

    const got = await call("GET", `/api/v1/apikeys/${id}`, { headers: admin });
    assert.equal(got.body.key_hash, "********");
    assert.ok(!JSON.stringify(got.body).includes(key));
    const shown = await call("GET", `/api/v1/apikeys/${id}?show_secrets=true`, { headers: admin });
    assert.match(String(shown.body.key_hash), /^[0-9a-f]{64}$/);
    const list = await call("GET", "/api/v1/apikeys?user=bob", { headers: admin });
    assert.equal(list.headers.get("x-total-count"), "1");

    assert.equal(
      (await call("GET", "/api/v1/user", { headers: { "st2-api-key": key } })).body.username,
      "bob",
    );
    const off = await call("PUT", `/api/v1/apikeys/${id}`, {
      headers: admin,
      body: { enabled: false },
    });
    assert.equal(off.body.enabled, false);
    const refused = await call("GET", "/api/v1/user", { headers: { "st2-api-key": key } });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.faultstring, "Unauthorized - API key is disabled.");
    assert.equal((await call("DELETE", `/api/v1/apikeys/${id}`, { headers: admin })).status, 204);
    assert.equal((await call("GET", `/api/v1/apikeys/${id}`, { headers: admin })).status, 404);
  });

  it("lets only administrators make keys for someone else", async () => {
    const bob = await tokenFor("bob", "bob-pass");
    // bob holds no role: even his own key needs api_key_create.
    const own = await call("POST", "/api/v1/apikeys", { headers: as(bob), body: {} });
    assert.equal(own.status, 403);
    assert.equal(
      own.body.faultstring,
      `User "bob" doesn't have required permission "api_key_create"`,
    );
  });
});

describe("RBAC on the API", () => {
  it("answers /user with roles and admin flag", async () => {
    const alice = await tokenFor("alice", "alice-pass");
    const me = await call("GET", "/api/v1/user", { headers: as(alice) });
    assert.deepEqual(me.body.rbac, {
      enabled: true,
      roles: ["runner"],
      is_admin: false,
      groups: [],
      role_sources: [
        {
          role: "runner",
          is_remote: false,
          source: join(node.home, "rbac", "assignments", "alice.yaml"),
        },
      ],
    });
    assert.deepEqual(
      (me.body.authentication as Record<string, unknown>).method,
      "authentication token",
    );
  });

  it("enforces permissions with StackStorm's messages", async () => {
    const alice = await tokenFor("alice", "alice-pass");
    const bob = await tokenFor("bob", "bob-pass");
    const cases: Array<[string, string, string, unknown, number, string?]> = [
      [
        alice,
        "GET",
        "/api/v1/actions",
        undefined,
        403,
        `User "alice" doesn't have required permission "action_list"`,
      ],
      [alice, "GET", "/api/v1/actions/core.local", undefined, 200],
      [
        bob,
        "GET",
        "/api/v1/actions/core.local",
        undefined,
        403,
        `User "bob" doesn't have required permission "action_view" on resource "action:core:local"`,
      ],
      [
        bob,
        "POST",
        "/api/v1/executions",
        { action: "core.local", parameters: { cmd: "true" } },
        403,
        `User "bob" doesn't have required permission "action_execute" on resource "action:core:local"`,
      ],
      [alice, "GET", "/api/v1/rbac/roles", undefined, 403, "Administrator access required"],
      [
        alice,
        "GET",
        "/api/v1/rbac/role_assignments?user=st2admin",
        undefined,
        403,
        "Administrator or self access required",
      ],
      [alice, "GET", "/api/v1/rbac/role_assignments?user=alice", undefined, 200],
      [alice, "GET", "/api/v1/keys/visible", undefined, 404],
      [
        alice,
        "GET",
        "/api/v1/keys/hidden",
        undefined,
        403,
        `User "alice" doesn't have required permission "key_value_pair_view" on resource "key_value_pair:st2kv.system:hidden"`,
      ],
      [
        alice,
        "GET",
        "/stream/v1/stream",
        undefined,
        403,
        `User "alice" doesn't have required permission "stream_view"`,
      ],
    ];
    for (const [token, method, path, body, status, faultstring] of cases) {
      const res = await call(method, path, { headers: as(token), body });
      assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
      if (faultstring) assert.equal(res.body.faultstring, faultstring, `${method} ${path}`);
    }
  });

  it("applies edited definition files without a restart", async () => {
    const dave = await tokenFor("dave", "dave-pass");
    assert.equal(
      (await call("GET", "/api/v1/actions/core.noop", { headers: as(dave) })).status,
      403,
    );
    writeFileSync(
      join(node.home, "rbac", "assignments", "dave.yaml"),
      "username: dave\nroles: [observer]\n",
    );
    await eventually(
      async () => {
        const res = await call("GET", "/api/v1/actions/core.noop", { headers: as(dave) });
        return res.status === 200 ? true : undefined;
      },
      10_000,
      "dave's new observer role to apply",
    );
    const run = await call("POST", "/api/v1/executions", {
      headers: as(dave),
      body: { action: "core.noop" },
    });
    assert.equal(run.status, 403, "observers may look, not run");
  });

  it("serves the RBAC views to administrators", async () => {
    const admin = await authHeaders(node.url);
    const roles = await call("GET", "/api/v1/rbac/roles", { headers: admin });
    const names = (roles.body as unknown as Array<{ name: string }>).map((r) => r.name);
    assert.deepEqual(names, ["admin", "observer", "runner", "system_admin"]);
    const runner = await call("GET", "/api/v1/rbac/roles/runner", { headers: admin });
    assert.equal((runner.body.permission_grant_objects as unknown[]).length, 2);
    const types = await call("GET", "/api/v1/rbac/permission_types/action", { headers: admin });
    assert.ok("action_execute" in types.body);
    assert.equal(
      (await call("GET", "/api/v1/rbac/permission_types/nope", { headers: admin })).status,
      404,
    );
    const assignments = await call("GET", "/api/v1/rbac/role_assignments?user=alice", {
      headers: admin,
    });
    const [first] = assignments.body as unknown as Array<{ id: string; role: string }>;
    assert.equal(first?.role, "runner");
    assert.equal(
      (await call("GET", `/api/v1/rbac/role_assignments/${first?.id}`, { headers: admin })).body
        .user,
      "alice",
    );
  });
});

describe("executions and the datastore", () => {
  async function runAs(token: string, cmd: string): Promise<Execution> {
    const res = await call("POST", "/api/v1/executions", {
      headers: as(token),
      body: { action: "core.local", parameters: { cmd } },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const id = String(res.body.id);
    return eventually(
      async () => {
        const e = await call("GET", `/api/v1/executions/${id}`, {
          headers: await authHeaders(node.url),
        });
        const x = e.body as unknown as Execution;
        return ["succeeded", "failed"].includes(x.status) ? x : undefined;
      },
      15_000,
      `execution ${id} to finish`,
    );
  }

  it("gives each execution its own token as the execution's user, revoked when it ends", async () => {
    const alice = await tokenFor("alice", "alice-pass");
    const file = join(node.home, "execution-token");
    // The action calls back with its token while it runs, and leaves the token for the test.
    const script = `fetch(process.env.ST2_ACTION_API_URL + "/user", { headers: { "x-auth-token": process.env.ST2_ACTION_AUTH_TOKEN } }).then((r) => r.json()).then((j) => { require("fs").writeFileSync(${JSON.stringify(file)}, process.env.ST2_ACTION_AUTH_TOKEN); console.log(j.username); })`;
    const done = await runAs(alice, `node -e '${script}'`);
    assert.equal(done.status, "succeeded", JSON.stringify(done.result));
    assert.equal(String((done.result as { stdout?: string }).stdout).trim(), "alice");
    const token = readFileSync(file, "utf8");
    assert.match(token, /^[0-9a-f]{32}$/);
    const after = await call("GET", "/api/v1/user", { headers: as(token) });
    assert.equal(after.status, 401);
    assert.equal(after.body.faultstring, "Unauthorized - Token is not found.");
    // The token never shows in what the execution recorded.
    assert.ok(!JSON.stringify(done).includes(token));
  });

  it("runs work as the requester; only administrators may name another user", async () => {
    const alice = await tokenFor("alice", "alice-pass");
    const mine = await runAs(alice, "true");
    assert.equal(mine.context.user, "alice");
    const other = await call("POST", "/api/v1/executions", {
      headers: as(alice),
      body: { action: "core.local", parameters: { cmd: "true" }, user: "st2admin" },
    });
    assert.equal(other.status, 403);
    assert.match(String(other.body.faultstring), /"user" attribute can only be provided by admins/);
    const sneaky = await call("POST", "/api/v1/executions", {
      headers: { ...as(alice), "st2-context": JSON.stringify({ user: "stanley" }) },
      body: { action: "core.local", parameters: { cmd: "true" } },
    });
    assert.equal(sneaky.status, 403);
  });

  it("checks key_value_pair_view for datastore reads in parameters", async () => {
    const admin = await authHeaders(node.url);
    for (const name of ["visible", "hidden"])
      assert.equal(
        (
          await call("PUT", `/api/v1/keys/${name}`, {
            headers: admin,
            body: { name, value: `${name}-value` },
          })
        ).status,
        200,
      );
    const alice = await tokenFor("alice", "alice-pass");
    const ok = await runAs(alice, "echo {{ st2kv.system.visible }}");
    assert.equal(String((ok.result as { stdout: string }).stdout).trim(), "visible-value");
    const denied = await runAs(alice, "echo {{ st2kv.system.hidden }}");
    assert.equal(denied.status, "failed");
    assert.match(
      JSON.stringify(denied.result),
      /User \\"alice\\" doesn't have required permission \\"key_value_pair_view\\" on resource \\"key_value_pair:st2kv.system:hidden\\"/,
    );
    const adminRun = await runAs(
      await tokenFor("st2admin", adminCredentials(node.home)?.password ?? ""),
      "echo {{ st2kv.system.hidden }}",
    );
    assert.equal(String((adminRun.result as { stdout: string }).stdout).trim(), "hidden-value");
  });
});
