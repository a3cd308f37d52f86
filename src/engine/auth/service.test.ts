import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import { openDatabase } from "../store/sqlite/index.ts";
import { AuthenticationError } from "./errors.ts";
import { HtpasswdFile } from "./htpasswd.ts";
import { AuthService } from "./service.ts";
import { AuthStore, sha256 } from "./store.ts";

function setup() {
  const d = mkdtempSync(join(tmpdir(), "squall-auth-"));
  const db = openDatabase(join(d, "db.sqlite"));
  const users = new HtpasswdFile(join(d, "htpasswd"));
  users.setPassword("alice", "wonder");
  let now = Date.parse("2026-01-01T00:00:00Z");
  const auth = new AuthService({
    store: new AuthStore(db),
    users,
    tokenTtlSeconds: 60,
    tokenMaxTtlSeconds: 3600,
    executionTokenTtlSeconds: 7200,
    now: () => now,
  });
  return { auth, db, tick: (ms: number) => (now += ms) };
}

const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AuthenticationError, String(err));
    return err.message;
  }
  assert.fail("expected an AuthenticationError");
};

describe("AuthService tokens", () => {
  it("logs in with the right password only, with StackStorm's token shape", async () => {
    const { auth } = setup();
    const token = await auth.login("alice", "wonder");
    assert.deepEqual(Object.keys(token).sort(), ["expiry", "id", "metadata", "token", "user"]);
    assert.equal(token.user, "alice");
    assert.equal(token.expiry, "2026-01-01T00:01:00.000Z");
    for (const [user, password] of [
      ["alice", "wrong"],
      ["bob", "wonder"],
      ["", ""],
    ] as const)
      await assert.rejects(auth.login(user, password), /Invalid or missing credentials/);
  });

  it("honours a requested TTL up to the maximum", async () => {
    const { auth } = setup();
    assert.equal((await auth.login("alice", "wonder", 3600)).expiry, "2026-01-01T01:00:00.000Z");
    await assert.rejects(
      auth.login("alice", "wonder", 3601),
      (err: unknown) =>
        err instanceof ValidationError &&
        err.message === "TTL specified 3601 is greater than max allowed 3600.",
    );
    await assert.rejects(auth.login("alice", "wonder", 0), ValidationError);
  });

  it("accepts a token until it expires or is revoked; refuses forged ones, saying why", async () => {
    const { auth, tick, db } = setup();
    const { token } = await auth.login("alice", "wonder");
    assert.equal(auth.validateToken(token).user, "alice");
    // Only the hash is stored.
    const stored = db.prepare("SELECT token_hash FROM auth_tokens").all() as Array<{
      token_hash: string;
    }>;
    assert.deepEqual(stored, [{ token_hash: sha256(token) }]);
    assert.equal(
      reason(() => auth.validateToken("0".repeat(32))),
      "Token is not found.",
    );
    assert.equal(
      reason(() => auth.validateToken("")),
      "Token is not found.",
    );
    tick(60_001);
    assert.equal(
      reason(() => auth.validateToken(token)),
      "Token has expired.",
    );
    assert.equal(auth.isValidToken(token), false);
    assert.equal(auth.purgeExpired(), 1);
    const second = await auth.login("alice", "wonder");
    assert.equal(auth.revokeToken(second.token), true);
    assert.equal(
      reason(() => auth.validateToken(second.token)),
      "Token is not found.",
    );
  });

  it("issues execution tokens as the execution's user, past the login maximum", () => {
    const { auth } = setup();
    const token = auth.issueExecutionToken({ id: "e1", context: { user: "bob" } });
    const p = auth.validateToken(token);
    assert.equal(p.user, "bob");
    assert.equal(p.expiry, Date.parse("2026-01-01T02:00:00Z"));
    assert.equal(
      auth.validateToken(auth.issueExecutionToken({ id: "e2", context: {} })).user,
      "stanley",
    );
  });
});

describe("AuthService API keys", () => {
  it("stores only the hash; finds a key by id or by itself; disabled keys are refused", () => {
    const { auth, db } = setup();
    const { row, key } = auth.createApiKey("alice", { purpose: "ci" });
    assert.equal(row.key_hash, sha256(key));
    const all = JSON.stringify(db.prepare("SELECT * FROM api_keys").all());
    assert.ok(!all.includes(key), "the raw key must not be stored");
    assert.equal(auth.validateApiKey(key).user, "alice");
    assert.equal(auth.getApiKey(row.id).id, row.id);
    assert.equal(auth.getApiKey(key).id, row.id);
    auth.updateApiKey(row.id, { enabled: false });
    assert.equal(
      reason(() => auth.validateApiKey(key)),
      "API key is disabled.",
    );
    assert.equal(
      reason(() => auth.validateApiKey("forged")),
      "API key is not found.",
    );
    assert.equal(auth.listApiKeys({ user: "alice" }, { limit: 10, offset: 0 }).total, 1);
    auth.deleteApiKey(row.id);
    assert.throws(() => auth.getApiKey(row.id), NotFoundError);
  });
});
