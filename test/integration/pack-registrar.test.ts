import assert from "node:assert/strict";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { mergeSchemas } from "../../src/core/content/merge-parameters.ts";
import { BUILTIN_RUNNER_TYPES } from "../../src/core/content/runner-types.ts";
import { SYSTEM_TRIGGER_TYPES } from "../../src/core/reactor/system-triggers.ts";
import { registerPacks } from "../../src/engine/content/registrar.ts";
import type { ContentStore, Store } from "../../src/engine/store/contract.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";

const root = new URL("../..", import.meta.url).pathname;
const fixtures = join(root, "test/fixtures/packs");
const page = { limit: 1000 };

/** Everything the content store holds, for before/after comparisons. */
async function snapshot(content: ContentStore): Promise<unknown> {
  return {
    packs: (await content.listPacks(page)).items,
    runners: (await content.listRunnerTypes(page)).items,
    actions: (await content.listActions({}, page)).items,
    rules: (await content.listRules({}, page)).items,
    sensors: (await content.listSensors({}, page)).items,
    triggerTypes: (await content.listTriggerTypes({}, page)).items,
    aliases: (await content.listAliases({}, page)).items,
    policies: (await content.listPolicies({}, page)).items,
    configSchema: await content.getConfigSchema("fixture_pack"),
    config: await content.getConfig("fixture_pack"),
  };
}

describe("registerPacks into SQLite", () => {
  let dir: string;
  let store: Store;
  let packsDir: string;
  let configsDir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "squall-registrar-"));
    store = openSqliteStore(join(dir, "squall.db"));
    // A private copy of the fixtures, so the test can delete and break files.
    packsDir = join(dir, "packs");
    await cp(fixtures, packsDir, { recursive: true });
    configsDir = join(packsDir, "_configs");
  });

  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("registers the bundled packs and the fixtures, reporting per pack", async () => {
    const report = await registerPacks(store.content, [join(root, "packs"), packsDir], {
      configsDir,
    });
    assert.equal(report.runnerTypes, BUILTIN_RUNNER_TYPES.length);
    const byPack = new Map(report.packs.map((p) => [p.pack, p]));
    assert.deepEqual([...byPack.keys()].sort(), [
      "bad-name-pack",
      "broken_manifest",
      "core",
      "default",
      "fixture_pack",
      "linux",
      "orquesta_pack",
      "python_pack",
      "sensor_pack",
    ]);
    assert.equal(byPack.get("core")?.counts.action, 12);
    assert.deepEqual(byPack.get("core")?.errors, []);
    assert.equal(byPack.get("default")?.registered, true);
    assert.equal(byPack.get("broken_manifest")?.registered, false);
    const fixture = byPack.get("fixture_pack");
    assert.deepEqual(fixture?.counts, {
      pack: 1,
      action: 2,
      rule: 2,
      sensor: 1,
      trigger_type: 2,
      alias: 1,
      policy: 1,
      config_schema: 1,
      config: 1,
    });
    assert.equal(fixture?.errors.length, 7);
    assert.equal(report.errors.length, 7 + 2);

    assert.equal(await store.content.getPack("broken_manifest"), null);
    assert.equal((await store.content.getRunnerType("orquesta"))?.pausable, true);
    const echo = await store.content.getAction("core.echo");
    assert.equal(echo?.uid, "action:core:echo");
    assert.equal(echo?.parameters.cmd?.default, 'echo "{{message}}"');
    assert.equal((await store.content.getRule("fixture_pack.default_disabled"))?.enabled, false);
    assert.equal((await store.content.getTriggerType("fixture_pack.event"))?.pack, "fixture_pack");
    assert.equal((await store.content.getConfig("fixture_pack"))?.values.api_token, "s3cr3t-token");
  });

  it("stored actions merge with stored runners attribute-wise", async () => {
    const local = await store.content.getAction("core.local_sudo");
    const runner = await store.content.getRunnerType("local-shell-cmd");
    assert.ok(local && runner);
    const merged = mergeSchemas(runner.runner_parameters, local.parameters);
    assert.equal(merged.sudo?.type, "boolean");
    assert.equal(merged.sudo?.default, true);
    assert.equal(merged.sudo?.immutable, true);
    assert.equal(merged.sudo_password?.secret, true);
  });

  it("is idempotent", async () => {
    const before = await snapshot(store.content);
    const report = await registerPacks(store.content, [join(root, "packs"), packsDir], {
      configsDir,
    });
    assert.deepEqual(
      report.packs.map((p) => p.pruned),
      report.packs.map(() => 0),
    );
    assert.deepEqual(await snapshot(store.content), before);
  });

  it("prunes resources whose files were deleted", async () => {
    await rm(join(packsDir, "fixture_pack/rules/on_event.yaml"));
    await rm(join(packsDir, "fixture_pack/aliases/greet.yaml"));
    const report = await registerPacks(store.content, [join(packsDir, "fixture_pack")], {
      configsDir,
    });
    assert.equal(report.packs[0]?.pruned, 2);
    assert.equal(await store.content.getRule("fixture_pack.on_event"), null);
    assert.equal((await store.content.listAliases({ pack: "fixture_pack" }, page)).total, 0);
    assert.ok(await store.content.getRule("fixture_pack.default_disabled"));
    // Other packs are untouched.
    assert.ok(await store.content.getAction("core.noop"));
  });

  it("keeps the last good version of a file that is now broken, and reports it", async () => {
    await writeFile(
      join(packsDir, "fixture_pack/actions/flow.yaml"),
      "name: flow\nrunner_type: orquesta\nentry_point: workflows/flow.yaml\nenabled: maybe\n",
    );
    const report = await registerPacks(store.content, [join(packsDir, "fixture_pack")], {
      configsDir,
    });
    const broken = report.errors.find((e) => e.file === "actions/flow.yaml");
    assert.equal(broken?.field, "enabled");
    assert.equal(broken?.line, 4);
    assert.equal(report.packs[0]?.pruned, 0);
    assert.equal((await store.content.getAction("fixture_pack.flow"))?.enabled, true);
  });

  it("keeps the built-in trigger types when the core pack is registered again", async () => {
    for (const t of SYSTEM_TRIGGER_TYPES) await store.content.upsertTriggerType(t);
    const report = await registerPacks(store.content, [join(root, "packs/core")]);
    assert.equal(report.packs[0]?.pruned, 0);
    for (const t of SYSTEM_TRIGGER_TYPES)
      assert.ok(await store.content.getTriggerType(t.ref), `${t.ref} was pruned`);
  });

  it("reports a path that does not exist", async () => {
    const report = await registerPacks(store.content, [join(dir, "missing")]);
    assert.equal(report.packs[0]?.registered, false);
    assert.equal(report.errors.length, 1);
  });
});
