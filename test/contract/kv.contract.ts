/** Contract: KeyValueStore — values, secrets, scopes, TTL on the store clock, prefix listing. */

import assert from "node:assert/strict";
import { describe } from "node:test";
import { ValidationError } from "../../src/core/errors.ts";
import { MAX_PAGE_SIZE } from "../../src/engine/store/contract.ts";
import { type OpenStore, storeTest } from "./fixtures.ts";

const SYSTEM = "st2kv.system";
const USER = "st2kv.user";

export function kvContract(open: OpenStore): void {
  const test = storeTest(open);

  describe("kv", () => {
    test("set, overwrite, get and delete, per scope", async ({ store }) => {
      const kv = store.kv;
      assert.equal(await kv.get(SYSTEM, "missing"), null);
      await kv.set(SYSTEM, "api.url", "http://a");
      await kv.set(USER, "api.url", "http://mine", { secret: true });
      assert.deepEqual(await kv.get(SYSTEM, "api.url"), { value: "http://a", secret: false });
      assert.deepEqual(await kv.get(USER, "api.url"), { value: "http://mine", secret: true });
      await kv.set(SYSTEM, "api.url", "http://b", { secret: true });
      assert.deepEqual(await kv.get(SYSTEM, "api.url"), { value: "http://b", secret: true });
      assert.equal(await kv.delete(SYSTEM, "api.url"), true);
      assert.equal(await kv.delete(SYSTEM, "api.url"), false);
      assert.equal(await kv.get(SYSTEM, "api.url"), null);
      assert.deepEqual(await kv.get(USER, "api.url"), { value: "http://mine", secret: true });
      await assert.rejects(kv.set(SYSTEM, "", "x"), ValidationError);
      await assert.rejects(kv.set(SYSTEM, "k", "x", { ttlSeconds: 0 }), ValidationError);
    });

    test("a TTL hides the pair once it has passed", async ({ store, clock }) => {
      const kv = store.kv;
      await kv.set(SYSTEM, "lock", "held", { ttlSeconds: 10 });
      await kv.set(SYSTEM, "lasting", "yes");
      clock.advance(9_999);
      assert.deepEqual(await kv.get(SYSTEM, "lock"), { value: "held", secret: false });
      assert.equal((await kv.list(SYSTEM, {})).total, 2);
      clock.advance(1);
      assert.equal(await kv.get(SYSTEM, "lock"), null);
      const listed = await kv.list(SYSTEM, {});
      assert.deepEqual(
        listed.items.map((i) => i.name),
        ["lasting"],
      );
      assert.equal(listed.total, 1);
      assert.equal(await kv.delete(SYSTEM, "lock"), false, "an expired pair is already gone");

      await kv.set(SYSTEM, "lock", "again", { ttlSeconds: 5 });
      await kv.set(SYSTEM, "lock", "forever");
      clock.advance(3_600_000);
      assert.deepEqual(await kv.get(SYSTEM, "lock"), { value: "forever", secret: false });
    });

    test("list filters by literal prefix, ordered by name, paged", async ({ store }) => {
      const kv = store.kv;
      const names = ["app.b", "app.a", "app%x", "app_x", "apps", "ap", "App.c", "app.é"];
      for (const name of names) await kv.set(SYSTEM, name, `v-${name}`);
      await kv.set(USER, "app.z", "other scope");
      const all = await kv.list(SYSTEM, { prefix: "app." });
      assert.deepEqual(
        all.items.map((i) => i.name),
        ["app.a", "app.b", "app.é"],
      );
      assert.equal(all.total, 3);
      assert.deepEqual(all.items[0], {
        scope: SYSTEM,
        name: "app.a",
        value: "v-app.a",
        secret: false,
      });
      assert.deepEqual(
        (await kv.list(SYSTEM, { prefix: "app%" })).items.map((i) => i.name),
        ["app%x"],
      );
      assert.deepEqual(
        (await kv.list(SYSTEM, { prefix: "app_" })).items.map((i) => i.name),
        ["app_x"],
      );
      const page = await kv.list(SYSTEM, { prefix: "app", limit: 2, offset: 1 });
      assert.deepEqual(
        page.items.map((i) => i.name),
        ["app.a", "app.b"],
      );
      assert.equal(page.total, 6);
      assert.equal((await kv.list(SYSTEM, {})).total, names.length);
      assert.deepEqual(await kv.list("st2kv.empty", {}), { items: [], total: 0 });
    });

    test("a page never exceeds MAX_PAGE_SIZE", async ({ store }) => {
      for (let i = 0; i <= MAX_PAGE_SIZE; i++) {
        await store.kv.set(SYSTEM, `k${String(i).padStart(5, "0")}`, "v");
      }
      const page = await store.kv.list(SYSTEM, { limit: MAX_PAGE_SIZE * 5 });
      assert.equal(page.items.length, MAX_PAGE_SIZE);
      assert.equal(page.total, MAX_PAGE_SIZE + 1);
    });
  });
}
