import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import type { TriggerInstance } from "../../core/reactor/model.ts";
import { newId } from "../ids.ts";
import type { Store } from "../store/contract.ts";
import { openSqliteStore } from "../store/sqlite/index.ts";
import { generateKey, symmetricDecrypt, symmetricEncrypt } from "./crypto.ts";
import { DatastoreService, type InstanceOps, KV_TRIGGERS } from "./service.ts";

const START = Date.UTC(2024, 0, 1, 12, 0, 0);

interface Fixture {
  store: Store;
  clock: { now: () => number; advance: (ms: number) => void };
  service: DatastoreService;
  key: ReturnType<typeof generateKey>;
  dir: string;
}

/** Builds `instance.create` ops directly, standing in for the reactor engine's builder. */
function instanceOpsFor(now: () => number): InstanceOps {
  return (trigger, payload, traceTag) => {
    const id = newId();
    return [
      {
        op: "instance.create",
        instance: {
          id,
          trigger,
          payload,
          occurrence_time: new Date(now()).toISOString(),
          trace_tag: traceTag ?? `trigger_instance-${id}`,
        },
      },
    ];
  };
}

let fx: Fixture;

beforeEach(() => {
  let t = START;
  const clock = {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
  const dir = mkdtempSync(join(tmpdir(), "squall-ds-"));
  const store = openSqliteStore(join(dir, "db.sqlite"), { now: clock.now });
  const key = generateKey();
  const service = new DatastoreService({
    store,
    key,
    keyPath: "/k.json",
    instanceOps: instanceOpsFor(clock.now),
    systemUser: "stanley",
    now: clock.now,
  });
  fx = { store, clock, service, key, dir };
});

afterEach(async () => {
  await fx.store.close();
  rmSync(fx.dir, { recursive: true, force: true });
});

/** Trigger instances emitted so far, oldest first. */
async function emitted(): Promise<Array<Pick<TriggerInstance, "trigger" | "payload">>> {
  const page = await fx.store.reactor.listInstances({}, { limit: 1000 });
  return page.items.reverse().map((i) => ({ trigger: i.trigger, payload: i.payload }));
}

describe("DatastoreService: values and scopes", () => {
  it("sets, gets, lists and deletes a system pair in StackStorm's shape", async () => {
    const set = await fx.service.set("api.url", { value: "http://a" });
    assert.deepEqual(set, {
      uid: "key_value_pair:st2kv.system:api.url",
      name: "api.url",
      value: "http://a",
      secret: false,
      encrypted: false,
      scope: "st2kv.system",
    });
    assert.deepEqual(await fx.service.get("api.url", { scope: "system" }), set);
    assert.deepEqual(await fx.service.list(), { items: [set], total: 1 });
    assert.deepEqual(await fx.service.delete("api.url"), set);
    await assert.rejects(fx.service.get("api.url"), NotFoundError);
    await assert.rejects(fx.service.delete("api.url"), NotFoundError);
  });

  it("stores user-scoped pairs as <user>:<name> and shows them split", async () => {
    await fx.service.set("token", { value: "mine", scope: "user", requester: "alice" });
    await fx.service.set("token", { value: "theirs", scope: "st2kv.user", user: "bob" });
    await fx.service.set("token", { value: "global" });
    assert.equal((await fx.store.kv.get("st2kv.user", "alice:token"))?.value, "mine");

    const alice = await fx.service.get("token", { scope: "user", requester: "alice" });
    assert.equal(alice.value, "mine");
    assert.equal(alice.user, "alice");
    assert.equal(alice.name, "token");
    assert.equal(alice.uid, "key_value_pair:st2kv.user:alice:token");
    // Naming a user implies the user scope (st2's get_one and get_all).
    assert.equal((await fx.service.get("token", { user: "bob" })).value, "theirs");
    assert.equal((await fx.service.get("token")).value, "global");

    const listed = await fx.service.list({ scope: "user", requester: "alice" });
    assert.deepEqual(
      listed.items.map((p) => [p.user, p.name, p.value]),
      [["alice", "token", "mine"]],
    );
    await fx.service.delete("token", { scope: "user", user: "bob" });
    await assert.rejects(fx.service.get("token", { user: "bob" }), NotFoundError);
  });

  it("lists scope `all` as system pairs then the user's own, paged as one sequence", async () => {
    for (const n of ["a1", "a2", "b1"]) await fx.service.set(n, { value: n });
    for (const n of ["a3", "a4"]) await fx.service.set(n, { value: n, scope: "user" });
    await fx.service.set("a5", { value: "x", scope: "user", user: "other" });
    const names = async (o: object) =>
      (await fx.service.list({ scope: "all", ...o })).items.map((p) => p.name);
    assert.deepEqual(await names({}), ["a1", "a2", "b1", "a3", "a4"]);
    assert.deepEqual(await names({ prefix: "a" }), ["a1", "a2", "a3", "a4"]);
    assert.deepEqual(await names({ limit: 2, offset: 2 }), ["b1", "a3"]);
    assert.deepEqual(await names({ limit: 2, offset: 4 }), ["a4"]);
    assert.deepEqual(await names({ limit: 2 }), ["a1", "a2"]);
    assert.equal((await fx.service.list({ scope: "all", limit: 1 })).total, 5);
  });

  it("filters by literal prefix within the user's range", async () => {
    await fx.service.set("app.x", { value: "1", scope: "user" });
    await fx.service.set("apples", { value: "2", scope: "user" });
    await fx.service.set("app.y", { value: "3", scope: "user", user: "eve" });
    const page = await fx.service.list({ scope: "user", prefix: "app." });
    assert.deepEqual(
      page.items.map((p) => p.name),
      ["app.x"],
    );
  });

  const invalid: Array<[string, () => Promise<unknown>, string]> = [
    ["unknown scope", () => fx.service.set("k", { value: "v", scope: "global" }), "scope"],
    ["scope all on set", () => fx.service.set("k", { value: "v", scope: "all" }), "scope"],
    ["empty name", () => fx.service.set("", { value: "v" }), "name"],
    ["non-string value", () => fx.service.set("k", { value: 5 as unknown as string }), "value"],
    ["negative ttl", () => fx.service.set("k", { value: "v", ttl: -1 }), "ttl"],
    ["fractional ttl", () => fx.service.set("k", { value: "v", ttl: 1.5 }), "ttl"],
    [
      "user with a colon",
      () => fx.service.set("k", { value: "v", user: "a:b", scope: "user" }),
      "user",
    ],
    ["unknown scope on get", () => fx.service.get("k", { scope: "nope" }), "scope"],
  ];
  for (const [what, call, field] of invalid) {
    it(`rejects ${what}, naming ${field}`, async () => {
      await assert.rejects(
        call(),
        (err: unknown) => err instanceof ValidationError && err.location?.field === field,
      );
      assert.deepEqual(await emitted(), []);
    });
  }
});

describe("DatastoreService: TTL", () => {
  it("shows expire_timestamp, hides the pair once it passes, and purges it", async () => {
    const set = await fx.service.set("lock", { value: "held", ttl: 10 });
    assert.equal(set.expire_timestamp, "2024-01-01T12:00:10.000000Z");
    assert.equal((await fx.service.get("lock")).expire_timestamp, "2024-01-01T12:00:10.000000Z");
    await fx.service.set("keep", { value: "v", ttl: 0 });
    assert.equal((await fx.service.get("keep")).expire_timestamp, undefined);

    fx.clock.advance(10_000);
    await assert.rejects(fx.service.get("lock"), NotFoundError);
    assert.deepEqual(
      (await fx.service.list()).items.map((p) => p.name),
      ["keep"],
    );
    assert.equal(await fx.service.purgeExpired(), 1);
    assert.equal(await fx.service.purgeExpired(), 0);
  });

  it("treats setting an expired key as a create", async () => {
    await fx.service.set("lock", { value: "a", ttl: 1 });
    fx.clock.advance(1_000);
    await fx.service.set("lock", { value: "b" });
    assert.deepEqual(
      (await emitted()).map((e) => e.trigger),
      [KV_TRIGGERS.create, KV_TRIGGERS.create],
    );
  });
});

describe("DatastoreService: secrets", () => {
  it("encrypts secrets, returns ciphertext unless asked to decrypt", async () => {
    const set = await fx.service.set("pw", { value: "hunter2", secret: true });
    assert.equal(set.secret, true);
    assert.equal(set.encrypted, true);
    assert.match(set.value, /^3030303030[0-9A-F]+$/);
    assert.equal(symmetricDecrypt(fx.key, set.value), "hunter2");
    assert.equal((await fx.store.kv.get("st2kv.system", "pw"))?.value, set.value);

    assert.equal((await fx.service.get("pw")).value, set.value);
    const plain = await fx.service.get("pw", { decrypt: true });
    assert.equal(plain.value, "hunter2");
    assert.equal(plain.encrypted, false);
    assert.equal(plain.secret, true);
    assert.equal(fx.service.decrypt(set.value), "hunter2");

    await fx.service.set("plain", { value: "visible" });
    const listed = await fx.service.list({ decrypt: true });
    assert.deepEqual(
      listed.items.map((p) => [p.name, p.value, p.encrypted]),
      [
        ["plain", "visible", false],
        ["pw", "hunter2", false],
      ],
    );
  });

  it("stores pre-encrypted values as they are after checking they decrypt", async () => {
    const ciphertext = symmetricEncrypt(fx.key, "pre");
    const set = await fx.service.set("pre", { value: ciphertext, encrypted: true });
    assert.equal(set.value, ciphertext);
    assert.equal(set.secret, true, "encrypted always implies secret");
    assert.equal((await fx.service.get("pre", { decrypt: true })).value, "pre");

    const foreign = symmetricEncrypt(generateKey(), "x");
    for (const value of [foreign, "corrupted", ciphertext.slice(0, -2)]) {
      await assert.rejects(
        fx.service.set("bad", { value, encrypted: true }),
        (err: unknown) =>
          err instanceof ValidationError &&
          err.message.startsWith(
            'Failed to verify the integrity of the provided value for key "bad"',
          ),
      );
    }
    await assert.rejects(fx.service.get("bad"), NotFoundError);
  });

  it("refuses secrets when no key is configured, but keeps plain values working", async () => {
    const service = new DatastoreService({
      store: fx.store,
      key: null,
      keyPath: "/etc/squall/key.json",
      instanceOps: instanceOpsFor(fx.clock.now),
      systemUser: "stanley",
      now: fx.clock.now,
    });
    await assert.rejects(
      service.set("pw", { value: "x", secret: true }),
      (err: unknown) =>
        err instanceof ValidationError && err.message.includes("/etc/squall/key.json"),
    );
    await service.set("plain", { value: "ok" });
    assert.equal((await service.get("plain", { decrypt: true })).value, "ok");
  });
});

describe("DatastoreService: triggers", () => {
  it("emits create, update and value_change (only when the value changed), and delete", async () => {
    const first = await fx.service.set("k", { value: "1", traceTag: "tag-1" });
    const same = await fx.service.set("k", { value: "1" });
    const changed = await fx.service.set("k", { value: "2" });
    const gone = await fx.service.delete("k");
    assert.deepEqual(await emitted(), [
      { trigger: KV_TRIGGERS.create, payload: { object: first } },
      { trigger: KV_TRIGGERS.update, payload: { object: same } },
      { trigger: KV_TRIGGERS.update, payload: { object: changed } },
      { trigger: KV_TRIGGERS.valueChange, payload: { old_object: same, new_object: changed } },
      { trigger: KV_TRIGGERS.delete, payload: { object: gone } },
    ]);
    const page = await fx.store.reactor.listInstances({ trigger: KV_TRIGGERS.create }, {});
    assert.equal(page.items[0]?.trace_tag, "tag-1");
    assert.equal(gone.value, "2");
  });

  it("puts ciphertext, never plaintext, in secret payloads", async () => {
    await fx.service.set("pw", { value: "hunter2", secret: true });
    await fx.service.set("pw", { value: "hunter3", secret: true });
    for (const e of await emitted()) assert.doesNotMatch(JSON.stringify(e.payload), /hunter/);
    assert.deepEqual(
      (await emitted()).map((e) => e.trigger),
      [KV_TRIGGERS.create, KV_TRIGGERS.update, KV_TRIGGERS.valueChange],
    );
  });

  it("commits the pair and its trigger instances together, or neither", async () => {
    const broken = new DatastoreService({
      store: fx.store,
      key: fx.key,
      // An instance the store must refuse (bad id) makes the whole commit fail.
      instanceOps: (trigger, payload) => [
        {
          op: "instance.create",
          instance: { id: "bad", trigger, payload, occurrence_time: "x", trace_tag: "t" },
        },
      ],
      systemUser: "stanley",
      now: fx.clock.now,
    });
    await assert.rejects(broken.set("k", { value: "v" }), ValidationError);
    await assert.rejects(fx.service.get("k"), NotFoundError);
    await fx.service.set("k", { value: "v" });
    await assert.rejects(broken.delete("k"), ValidationError);
    assert.equal((await fx.service.get("k")).value, "v");
  });

  it("serializes concurrent writes to one key so exactly one is a create", async () => {
    await Promise.all(["a", "b", "c"].map((value) => fx.service.set("race", { value })));
    const triggers = (await emitted()).map((e) => e.trigger);
    assert.equal(triggers.filter((t) => t === KV_TRIGGERS.create).length, 1);
    assert.equal(triggers.filter((t) => t === KV_TRIGGERS.update).length, 2);
    assert.equal(triggers.filter((t) => t === KV_TRIGGERS.valueChange).length, 2);
  });
});
