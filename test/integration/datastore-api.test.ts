/** The /keys API on a real SQLite store, through fastify's inject (no socket). */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { errorHandler } from "../../src/api/errors.ts";
import { keyRoutes } from "../../src/api/routes/keys.ts";
import { keyFromJson } from "../../src/engine/datastore/crypto.ts";
import { DatastoreService, KV_TRIGGERS } from "../../src/engine/datastore/service.ts";
import { newId } from "../../src/engine/ids.ts";
import type { Store } from "../../src/engine/store/contract.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";

/** StackStorm's own test key, so its test ciphertext ("S3cret!Value") can be sent pre-encrypted. */
const ST2_TEST_KEY = keyFromJson({
  hmacKey: { hmacKeyString: "685EWJ8U2U_c3Ulv9ibB6aa0Y9aYm-0bCwe2mqjLJuw", size: 256 },
  aesKeyString: "eKGFrfNEUhAgX0uofaU1wQ",
  mode: "CBC",
  size: 128,
});
const ST2_CIPHERTEXT =
  "3030303030298D848B45A24EDCD1A82FAB4E831E3FCE6E60956817A48A180E4C040801E" +
  "B30170DACF79498F30520236A629912C3584847098D";

let app: FastifyInstance;
let store: Store;
let dir: string;
let now = Date.UTC(2024, 0, 1);

beforeEach(async () => {
  now = Date.UTC(2024, 0, 1);
  const clock = () => now;
  dir = mkdtempSync(join(tmpdir(), "squall-keys-api-"));
  store = openSqliteStore(join(dir, "db.sqlite"), { now: clock });
  const datastore = new DatastoreService({
    store,
    key: ST2_TEST_KEY,
    instanceOps: (trigger, payload, traceTag) => {
      const id = newId();
      const occurrence_time = new Date(clock()).toISOString();
      const trace_tag = traceTag ?? `trigger_instance-${id}`;
      return [
        { op: "instance.create", instance: { id, trigger, payload, occurrence_time, trace_tag } },
      ];
    },
    systemUser: "stanley",
    now: clock,
  });
  app = Fastify();
  app.setErrorHandler(errorHandler);
  await app.register(
    async (scope) =>
      keyRoutes(scope, {
        datastore,
        requester: (req) => req.headers["x-test-user"] as string | undefined,
      }),
    { prefix: "/api/v1" },
  );
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function put(name: string, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: "PUT",
    url: `/api/v1/keys/${encodeURIComponent(name)}`,
    payload: body as object,
    headers,
  });
}

async function get(url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: "GET", url: `/api/v1${url}`, headers });
}

describe("/api/v1/keys", () => {
  it("PUT creates and returns the pair; GET reads it; DELETE answers 204 then 404", async () => {
    const created = await put("api.url", { name: "api.url", value: "http://a" });
    assert.equal(created.statusCode, 200);
    assert.deepEqual(created.json(), {
      uid: "key_value_pair:st2kv.system:api.url",
      name: "api.url",
      value: "http://a",
      secret: false,
      encrypted: false,
      scope: "st2kv.system",
    });
    assert.deepEqual((await get("/keys/api.url")).json(), created.json());

    const deleted = await app.inject({ method: "DELETE", url: "/api/v1/keys/api.url" });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, "");
    const again = await app.inject({ method: "DELETE", url: "/api/v1/keys/api.url" });
    assert.equal(again.statusCode, 404);
    const missing = await get("/keys/api.url");
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().faultstring, /api\.url/);
  });

  it("accepts the body st2client sends (id set to the name) and a TTL", async () => {
    const res = await put("lock", {
      id: "lock",
      name: "lock",
      value: "held",
      scope: "system",
      ttl: 60,
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().expire_timestamp, "2024-01-01T00:01:00.000000Z");
    now += 60_000;
    assert.equal((await get("/keys/lock")).statusCode, 404);
  });

  it("encrypts secrets and decrypts only on request", async () => {
    const res = await put("pw", { value: "hunter2", secret: true });
    assert.equal(res.json().encrypted, true);
    assert.notEqual(res.json().value, "hunter2");
    assert.equal((await get("/keys/pw")).json().value, res.json().value);
    const plain = (await get("/keys/pw?decrypt=True")).json();
    assert.equal(plain.value, "hunter2");
    assert.equal(plain.encrypted, false);
    assert.equal((await get("/keys?decrypt=true")).json()[0].value, "hunter2");
  });

  it("stores a StackStorm-encrypted value as is and decrypts it", async () => {
    const res = await put("secret_key1", {
      name: "secret_key1",
      value: ST2_CIPHERTEXT,
      encrypted: true,
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().value, ST2_CIPHERTEXT);
    assert.equal(res.json().secret, true);
    assert.equal((await get("/keys/secret_key1?decrypt=true")).json().value, "S3cret!Value");

    const corrupt = await put("secret_key1", { value: "corrupted", encrypted: true });
    assert.equal(corrupt.statusCode, 400);
    assert.match(
      corrupt.json().faultstring,
      /Failed to verify the integrity of the provided value for key "secret_key1"/,
    );
  });

  it("lists with prefix, paging and X-Total-Count", async () => {
    for (const n of ["a.1", "a.2", "a.3", "b.1"]) await put(n, { value: n });
    const res = await get("/keys?prefix=a.&limit=2&offset=1");
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["x-total-count"], "3");
    assert.deepEqual(
      res.json().map((p: { name: string }) => p.name),
      ["a.2", "a.3"],
    );
  });

  it("scopes user keys to the requester, or to ?user=", async () => {
    await put("token", { value: "alice's", scope: "user" }, { "x-test-user": "alice" });
    await put("token", { value: "bob's", scope: "st2kv.user", user: "bob" });
    await put("shared", { value: "all see it" });

    const mine = (await get("/keys/token?scope=user", { "x-test-user": "alice" })).json();
    assert.deepEqual([mine.user, mine.name, mine.value], ["alice", "token", "alice's"]);
    assert.equal((await get("/keys/token?user=bob")).json().value, "bob's");
    assert.equal((await get("/keys/token?scope=system")).statusCode, 404);

    const all = await get("/keys?scope=all", { "x-test-user": "alice" });
    assert.deepEqual(
      all.json().map((p: { scope: string; name: string }) => `${p.scope}/${p.name}`),
      ["st2kv.system/shared", "st2kv.user/token"],
    );
    const del = await app.inject({
      method: "DELETE",
      url: "/api/v1/keys/token?scope=user&user=bob",
    });
    assert.equal(del.statusCode, 204);
    assert.equal((await get("/keys/token?user=bob")).statusCode, 404);
  });

  it("keeps slashes and spaces in names", async () => {
    assert.equal((await put("a/b c", { value: "v" })).statusCode, 200);
    assert.equal((await get(`/keys/${encodeURIComponent("a/b c")}`)).json().name, "a/b c");
  });

  const badBodies: Array<[string, unknown, string]> = [
    ["a missing value", { name: "k" }, "value"],
    ["a number value", { value: 5 }, "value"],
    ["an object value", { value: { a: 1 } }, "value"],
    ["a string secret flag", { value: "v", secret: "yes" }, "secret"],
    ["a fractional ttl", { value: "v", ttl: 1.5 }, "ttl"],
    ["a negative ttl", { value: "v", ttl: -5 }, "ttl"],
    ["an unknown field", { value: "v", colour: "red" }, "colour"],
    ["an unknown scope", { value: "v", scope: "galaxy" }, "scope"],
    ["scope all", { value: "v", scope: "all" }, "scope"],
  ];
  for (const [what, body, field] of badBodies) {
    it(`answers 400 naming ${field} for ${what}`, async () => {
      const res = await put("k", body);
      assert.equal(res.statusCode, 400);
      assert.equal(typeof res.json().faultstring, "string");
      assert.equal(res.json().location?.field, field);
      assert.equal((await get("/keys/k")).statusCode, 404);
    });
  }

  it("answers 400 for a bad decrypt flag, scope or limit", async () => {
    assert.equal((await get("/keys/x?decrypt=maybe")).statusCode, 400);
    assert.equal((await get("/keys?scope=nowhere")).statusCode, 400);
    assert.equal((await get("/keys?limit=0")).statusCode, 400);
  });

  it("emits the key_value_pair triggers for API changes", async () => {
    await put("k", { value: "1" });
    await put("k", { value: "2" });
    await app.inject({ method: "DELETE", url: "/api/v1/keys/k" });
    const page = await store.reactor.listInstances({}, { limit: 10 });
    assert.deepEqual(page.items.map((i) => i.trigger).reverse(), [
      KV_TRIGGERS.create,
      KV_TRIGGERS.update,
      KV_TRIGGERS.valueChange,
      KV_TRIGGERS.delete,
    ]);
  });
});
