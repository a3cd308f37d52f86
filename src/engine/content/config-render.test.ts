import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ConfigSchemaDef, PackConfig, ParameterSchema } from "../../core/content/model.ts";
import { RenderError } from "../../core/errors.ts";
import { JinjaEngine } from "../../core/expr/jinja/engine.ts";
import { generateKey, symmetricDecrypt, symmetricEncrypt } from "../datastore/crypto.ts";
import { SecretRegistry } from "../logger.ts";
import type { Store } from "../store/contract.ts";
import { openSqliteStore } from "../store/sqlite/index.ts";
import { createRenderingConfigLoader } from "./config-render.ts";

const key = generateKey();
const SYSTEM = "st2kv.system";
const USER = "st2kv.user";

describe("pack config rendering", () => {
  let dir = "";
  let store: Store;
  const secrets = new SecretRegistry();
  const loader = () =>
    createRenderingConfigLoader({
      content: store.content,
      kv: store.kv,
      engine: new JinjaEngine({ decryptKv: (c) => symmetricDecrypt(key, c) }),
      decrypt: (c) => symmetricDecrypt(key, c),
      secrets,
    });

  async function withConfig(
    pack: string,
    values: Record<string, unknown> | null,
    attributes?: ParameterSchema,
  ) {
    if (attributes) await store.content.upsertConfigSchema({ pack, attributes });
    if (values) await store.content.upsertConfig({ pack, values });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "squall-config-render-"));
    store = openSqliteStore(join(dir, "db.sqlite"));
    await store.kv.set(SYSTEM, "region", "eu-west");
    await store.kv.set(SYSTEM, "api.host", "api.example.org");
    await store.kv.set(SYSTEM, "api_key", symmetricEncrypt(key, "k3y-plain"), { secret: true });
    await store.kv.set(USER, "alice:token", "alice-token");
    await store.kv.set(USER, "bob:token", "bob-token");
    await store.kv.set(USER, "alice:password", symmetricEncrypt(key, "alice-pw!"), {
      secret: true,
    });
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("renders system and user datastore values, for the user it loads for", async () => {
    await withConfig("p1", {
      region: "{{ st2kv.system.region }}",
      host: "https://{{ st2kv.system.api.host }}/v1",
      token: "{{ st2kv.user.token }}",
      bare: "{{ system.region }}-{{ user.token }}",
      plain: "as is",
      count: 3,
    });
    const load = loader();
    const expected = {
      region: "eu-west",
      host: "https://api.example.org/v1",
      token: "alice-token",
      bare: "eu-west-alice-token",
      plain: "as is",
      count: 3,
    };
    assert.deepEqual(await load("p1", "alice"), expected);
    const bob = await load("p1", "bob");
    assert.equal(bob.token, "bob-token");
    // Without a user, the system user's scope (who has no token: empty → null).
    const system = await load("p1");
    assert.equal(system.token, null);
    assert.equal(system.bare, "eu-west-");
  });

  it("walks nested objects and arrays, with schemas from properties, patterns and items", async () => {
    await withConfig(
      "p2",
      {
        auth: { token: "{{ st2kv.user.password }}", header: "X-{{ st2kv.system.region }}" },
        hosts: ["{{ st2kv.system.api.host }}", "static"],
        by_pattern: { secret_one: "{{ st2kv.system.api_key }}" },
      },
      {
        auth: {
          type: "object",
          properties: { token: { type: "string", secret: true }, header: { type: "string" } },
        },
        hosts: { type: "array", items: { type: "string" } },
        by_pattern: {
          type: "object",
          patternProperties: { "^secret_": { type: "string", secret: true } },
        },
      },
    );
    const config = await loader()("p2", "alice");
    assert.deepEqual(config, {
      auth: { token: "alice-pw!", header: "X-eu-west" },
      hosts: ["api.example.org", "static"],
      by_pattern: { secret_one: "k3y-plain" },
    });
  });

  it("decrypts with decrypt_kv and masks every secret value it produced", async () => {
    await withConfig(
      "p3",
      {
        via_filter: "{{ st2kv.system.api_key | decrypt_kv }}",
        cipher: "{{ st2kv.system.api_key }}",
        static_secret: "typed-in-secret",
      },
      { static_secret: { type: "string", secret: true } },
    );
    const config = await loader()("p3", "alice");
    assert.equal(config.via_filter, "k3y-plain");
    assert.notEqual(config.cipher, "k3y-plain");
    assert.equal(secrets.maskText("k3y-plain typed-in-secret"), "******** ********");
  });

  it("keeps one registration per pack and user, replaced when the value changes", async () => {
    const registry = new SecretRegistry();
    const load = createRenderingConfigLoader({
      content: store.content,
      kv: store.kv,
      engine: new JinjaEngine({ decryptKv: (c) => symmetricDecrypt(key, c) }),
      secrets: registry,
    });
    await withConfig("p4", { pw: "{{ st2kv.system.rotating | decrypt_kv }}" });
    await store.kv.set(SYSTEM, "rotating", symmetricEncrypt(key, "first-pw"), { secret: true });
    await load("p4");
    await load("p4");
    assert.equal(registry.size, 1);
    await store.kv.set(SYSTEM, "rotating", symmetricEncrypt(key, "second-pw"), { secret: true });
    await load("p4");
    assert.equal(registry.maskText("first-pw second-pw"), "first-pw ********");
    assert.equal(registry.size, 1);
  });

  it("applies schema defaults when the pack has a schema but no config file", async () => {
    await withConfig("p5", null, { region: { type: "string", default: "us-east-1" } });
    assert.deepEqual(await loader()("p5"), { region: "us-east-1" });
    assert.deepEqual(await loader()("no_such_pack"), {});
  });

  it("hands out a fresh {} for a pack without config, forgetting the secrets of one it had", async () => {
    let config: PackConfig | null = { pack: "gone", values: { pw: "static-secret-1" } };
    let schema: ConfigSchemaDef | null = {
      pack: "gone",
      attributes: { pw: { type: "string", secret: true } },
    };
    const registry = new SecretRegistry();
    const load = createRenderingConfigLoader({
      content: { getConfig: async () => config, getConfigSchema: async () => schema },
      kv: store.kv,
      engine: new JinjaEngine({}),
      secrets: registry,
    });
    assert.deepEqual(await load("gone", "alice"), { pw: "static-secret-1" });
    assert.equal(registry.maskText("static-secret-1"), "********");
    config = null;
    schema = null;
    const first = await load("gone", "alice");
    assert.deepEqual(first, {});
    assert.equal(registry.maskText("static-secret-1"), "static-secret-1");
    assert.equal(registry.size, 0);
    first.changed = true;
    assert.deepEqual(await load("gone", "alice"), {});
  });

  it("reports a template that cannot render, naming the key and the pack", async () => {
    await withConfig("p6", { broken: { inner: "{{ st2kv.system.region | no_such_filter }}" } });
    await assert.rejects(loader()("p6"), (err: unknown) => {
      assert.ok(err instanceof RenderError);
      assert.match(err.message, /key "broken\.inner".*pack "p6"/);
      return true;
    });
  });

  it("refuses to hand over ciphertext for a secret item it cannot decrypt", async () => {
    await withConfig(
      "p7",
      { pw: "{{ st2kv.system.region }}" },
      {
        pw: { type: "string", secret: true },
      },
    );
    await assert.rejects(loader()("p7"), /config key "pw" is secret.*could not be decrypted/);
    const keyless = createRenderingConfigLoader({
      content: store.content,
      kv: store.kv,
      engine: new JinjaEngine(),
    });
    await assert.rejects(keyless("p7"), /no datastore key/);
  });

  it("leaves the stored config untouched", async () => {
    await withConfig("p8", { region: "{{ st2kv.system.region }}" });
    await loader()("p8");
    assert.deepEqual((await store.content.getConfig("p8"))?.values, {
      region: "{{ st2kv.system.region }}",
    });
  });
});
