/**
 * RBAC group mappings on a live node: users get the roles mapped from the groups the group file
 * gives them, edits to that file apply to tokens already issued without a restart, and a
 * disabled mapping gives nothing.
 */

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HtpasswdFile } from "../../src/engine/auth/htpasswd.ts";
import { runCliInProcess } from "../support/cli-in-process.ts";
import {
  authHeaders,
  eventually,
  makeHome,
  type SquallProcess,
  startSquall,
} from "../support/squall-process.ts";

let node: SquallProcess;
let groupsFile = "";
let cleanup = (): void => {};

before(async () => {
  const home = makeHome("squall-groups-");
  cleanup = home.cleanup;
  const users = new HtpasswdFile(join(home.home, "htpasswd"));
  users.setPassword("carol", "carol-pass");
  users.setPassword("dave", "dave-pass");
  const mappings = join(home.home, "rbac", "mappings");
  mkdirSync(mappings, { recursive: true });
  writeFileSync(
    join(mappings, "watchers.yaml"),
    "group: watchers\ndescription: read-only staff\nenabled: true\nroles: [observer]\n",
  );
  writeFileSync(join(mappings, "admins.yaml"), "group: admins\nenabled: false\nroles: [admin]\n");
  groupsFile = join(home.home, "groups");
  writeFileSync(groupsFile, "# staff\nwatchers: carol\nadmins: dave\n");
  node = await startSquall(home.home);
});

after(async () => {
  await node?.kill("SIGTERM");
  cleanup();
});

/** The fields these tests read: an error, or `GET /user`'s `rbac`. */
interface Answer {
  faultstring?: string;
  rbac?: {
    roles: string[];
    groups: string[];
    is_admin: boolean;
    role_sources: Array<{ is_remote: boolean; group?: string; source: string }>;
  };
}

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text === "" ? {} : JSON.parse(text)) as Answer };
}

async function tokenOf(user: string, password: string): Promise<Record<string, string>> {
  const basic = Buffer.from(`${user}:${password}`).toString("base64");
  const res = await fetch(`${node.url}/auth/v1/tokens`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}` },
  });
  assert.equal(res.status, 201);
  return { "x-auth-token": ((await res.json()) as { token: string }).token };
}

/** `squall <args>` run as the user whose credentials and token cache live in `home`. */
function cli(home: string, args: string[]) {
  return runCliInProcess(node.url, home, args, { SQUALL_HOME: home });
}

describe("RBAC group mappings", () => {
  it("gives a member of a group mapped to observer read access, not execution", async () => {
    const carol = await tokenOf("carol", "carol-pass");
    const list = await call("GET", "/api/v1/actions", carol);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const run = await call("POST", "/api/v1/executions", carol, {
      action: "core.local",
      parameters: { cmd: "true" },
    });
    assert.equal(run.status, 403, JSON.stringify(run.body));
    assert.match(run.body.faultstring ?? "", /action_execute/);
    const me = await call("GET", "/api/v1/user", carol);
    assert.deepEqual(me.body.rbac?.roles, ["observer"]);
    assert.deepEqual(me.body.rbac?.groups, ["watchers"]);
    assert.equal(me.body.rbac?.is_admin, false);
    assert.equal(me.body.rbac?.role_sources[0]?.is_remote, true);
    assert.equal(me.body.rbac?.role_sources[0]?.group, "watchers");
    assert.match(me.body.rbac?.role_sources[0]?.source ?? "", /mappings\/watchers\.yaml$/);
  });

  it("lists mapped assignments as remote", async () => {
    const admin = await authHeaders(node.url);
    const res = await call("GET", "/api/v1/rbac/role_assignments?remote=true", admin);
    assert.equal(res.status, 200);
    const rows = res.body as unknown as Array<Record<string, unknown>>;
    assert.deepEqual(
      rows.map((a) => [a.user, a.role, a.is_remote]),
      [["carol", "observer", true]],
    );
  });

  it("shows the roles and their source in squall whoami", async () => {
    const home = mkdtempSync(join(tmpdir(), "squall-groups-cli-"));
    const login = await cli(home, ["login", "carol", "-p", "carol-pass"]);
    assert.equal(login.code, 0, login.err);
    const who = await cli(home, ["whoami"]);
    assert.equal(who.code, 0, who.err);
    assert.match(who.out, /rbac\.roles:\n\s+- observer/);
    assert.match(who.out, /rbac\.groups:\n\s+- watchers/);
    assert.match(who.out, /group: watchers/);
  });

  it("gives nothing through a disabled mapping", async () => {
    const dave = await tokenOf("dave", "dave-pass");
    const me = await call("GET", "/api/v1/user", dave);
    assert.deepEqual(me.body.rbac?.roles, []);
    assert.deepEqual(me.body.rbac?.groups, ["admins"]);
    const list = await call("GET", "/api/v1/actions", dave);
    assert.equal(list.status, 403);
  });

  it("applies an edit of the group file to issued tokens, without a restart", async () => {
    const carol = await tokenOf("carol", "carol-pass");
    assert.equal((await call("GET", "/api/v1/actions", carol)).status, 200);
    writeFileSync(groupsFile, "# carol left\nwatchers:\nadmins: dave\n");
    await eventually(
      async () => ((await call("GET", "/api/v1/actions", carol)).status === 403 ? true : undefined),
      15_000,
      "carol to lose the observer role",
    );
    const me = await call("GET", "/api/v1/user", carol);
    assert.deepEqual(me.body.rbac?.roles, []);
    assert.deepEqual(me.body.rbac?.groups, []);
  });
});
