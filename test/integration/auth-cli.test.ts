/** The auth commands (login, auth, whoami, apikey, role, role-assignment) and the CLI's automatic login. */

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { HtpasswdFile } from "../../src/engine/auth/htpasswd.ts";
import { runCliInProcess } from "../support/cli-in-process.ts";
import { useSquallNode } from "../support/squall-process.ts";

/** `squall <args>` run as the user whose credentials and token cache live in `home`. */
function cli(url: string, home: string, args: string[]) {
  return runCliInProcess(url, home, args, { SQUALL_HOME: home });
}

describe("auth commands", () => {
  const running = useSquallNode();

  it("logs in by itself with the local administrator credentials, and renews a refused token", async () => {
    const { url, home } = running.node;
    const me = await cli(url, home, ["whoami"]);
    assert.equal(me.code, 0, me.err);
    assert.match(me.out, /^username: st2admin$/m);
    assert.match(me.out, /^rbac.roles:\n {2}- system_admin$/m);
    const cache = join(home, "cli-tokens.json");
    assert.equal(statSync(cache).mode & 0o777, 0o600);
    // A revoked or forged cached token is replaced by a new login.
    writeFileSync(
      cache,
      JSON.stringify({
        [url]: { token: "f".repeat(32), user: "st2admin", expiry: "2999-01-01T00:00:00Z" },
      }),
    );
    const again = await cli(url, home, ["whoami", "--json"]);
    assert.equal(again.code, 0, again.err);
    assert.equal(JSON.parse(again.out).username, "st2admin");
    assert.notEqual(JSON.parse(readFileSync(cache, "utf8"))[url].token, "f".repeat(32));
  });

  it("login keeps a user's token; auth prints one; a wrong password says why", async () => {
    const { url, home } = running.node;
    new HtpasswdFile(join(home, "htpasswd")).setPassword("carol", "carol-pass");
    const mine = mkdtempSync(join(tmpdir(), "squall-cli-home-"));
    const bad = await cli(url, mine, ["login", "carol", "-p", "nope"]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /Invalid or missing credentials/);
    const missing = await cli(url, mine, ["login", "carol"]);
    assert.match(missing.err, /--password/);
    const ok = await cli(url, mine, ["login", "carol", "-p", "carol-pass"]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /Logged in as carol/);
    const who = await cli(url, mine, ["whoami", "--json"]);
    assert.equal(JSON.parse(who.out).username, "carol");
    const token = await cli(url, mine, ["auth", "carol", "-p", "carol-pass", "-t"]);
    assert.match(token.out, /^[0-9a-f]{32}\n$/);
    // carol has no role: the RBAC views refuse her, naming why.
    const roles = await cli(url, mine, ["role", "list"]);
    assert.equal(roles.code, 1);
    assert.match(roles.err, /Administrator access required/);
  });

  it("manages API keys and shows roles", async () => {
    const { url, home } = running.node;
    const created = await cli(url, home, ["apikey", "create", "-m", '{"purpose":"ci"}', "--json"]);
    assert.equal(created.code, 0, created.err);
    const key = JSON.parse(created.out) as { id: string; key: string };
    assert.match(key.key, /^[A-Za-z0-9_-]{40,}$/);
    const list = await cli(url, home, ["apikey", "list", "--json"]);
    const listed = (JSON.parse(list.out) as Array<{ id: string; key?: string }>).find(
      (k) => k.id === key.id,
    );
    assert.ok(listed);
    assert.equal(listed.key, undefined);
    const off = await cli(url, home, ["apikey", "disable", key.id, "--json"]);
    assert.equal(JSON.parse(off.out).enabled, false);
    assert.equal((await cli(url, home, ["apikey", "enable", key.id, "--json"])).code, 0);
    assert.match((await cli(url, home, ["apikey", "get", key.id])).out, /^enabled: true$/m);
    assert.equal((await cli(url, home, ["apikey", "delete", key.id])).code, 0);
    const gone = await cli(url, home, ["apikey", "get", key.id]);
    assert.equal(gone.code, 1);
    const bad = await cli(url, home, ["apikey", "create", "-m", "[1]"]);
    assert.match(bad.err, /--metadata must be a JSON object/);

    const roles = await cli(url, home, ["role", "list"]);
    assert.match(roles.out, /system_admin/);
    const role = await cli(url, home, ["role", "get", "observer"]);
    assert.match(role.out, /^name: observer$/m);
    const assignments = await cli(url, home, [
      "role-assignment",
      "list",
      "--user",
      "st2admin",
      "--json",
    ]);
    assert.deepEqual(
      (JSON.parse(assignments.out) as Array<{ role: string }>).map((a) => a.role),
      ["system_admin"],
    );
  });
});
