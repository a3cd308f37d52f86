import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadPack, loadPacks } from "../../src/engine/content/loader.ts";

const root = new URL("../..", import.meta.url).pathname;
const fixtures = join(root, "test/fixtures/packs");
const configsDir = join(fixtures, "_configs");

describe("loadPack on the fixture pack", async () => {
  const { content, errors } = await loadPack(join(fixtures, "fixture_pack"), { configsDir });

  it("loads the good files despite the broken ones", () => {
    assert.ok(content);
    assert.equal(content.pack.ref, "fixture_pack");
    assert.equal(content.pack.name, "Fixture Pack");
    assert.deepEqual(content.actions.map((a) => a.ref).sort(), [
      "fixture_pack.flow",
      "fixture_pack.greet",
    ]);
    assert.deepEqual(content.rules.map((r) => r.ref).sort(), [
      "fixture_pack.default_disabled",
      "fixture_pack.on_event",
    ]);
    assert.deepEqual(
      content.sensors.map((s) => s.ref),
      ["fixture_pack.Watcher"],
    );
    assert.deepEqual(content.triggerTypes.map((t) => t.ref).sort(), [
      "fixture_pack.event",
      "fixture_pack.manual",
    ]);
    assert.deepEqual(
      content.aliases.map((a) => a.ref),
      ["fixture_pack.greet"],
    );
    assert.deepEqual(
      content.policies.map((p) => p.ref),
      ["fixture_pack.greet_concurrency"],
    );
    assert.ok(content.pack.files?.includes("actions/workflows/flow.yaml"));
  });

  it("reports each broken file with its field and line", () => {
    const got = errors.map((e) => [e.file, e.field ?? null, e.line ?? null]);
    assert.deepEqual(got, [
      ["actions/bad_param_type.yaml", "parameters.size.type", 6],
      ["actions/bad_syntax.yaml", null, 5],
      ["actions/extra_field.json", "colour", 4],
      ["actions/missing_entry.yaml", "entry_point", 4],
      ["actions/unknown_runner.yaml", "runner_type", 3],
      ["rules/wrong_pack.yaml", "pack", 3],
      ["policies/bad_retry.yaml", "parameters.max_retry_count", 7],
    ]);
    for (const e of errors) assert.equal(e.pack, "fixture_pack");
  });

  it("does not read workflow definitions as actions", () => {
    assert.ok(content);
    assert.ok(!errors.some((e) => e.file.startsWith("actions/workflows/")));
    assert.equal(
      content.actions.find((a) => a.name === "flow")?.entry_point,
      "workflows/flow.yaml",
    );
  });

  it("applies defaults the StackStorm way", () => {
    assert.ok(content);
    const rules = new Map(content.rules.map((r) => [r.name, r]));
    assert.equal(rules.get("default_disabled")?.enabled, false);
    assert.equal(rules.get("on_event")?.enabled, true);
    assert.deepEqual(rules.get("on_event")?.type, { ref: "standard", parameters: {} });
    const greet = content.actions.find((a) => a.name === "greet");
    assert.equal(greet?.enabled, true);
    assert.deepEqual(greet?.notify, {
      on_failure: { message: "greeting failed", routes: ["ops"] },
    });
    assert.deepEqual(content.policies[0]?.parameters, { threshold: 2, action: "delay" });
    assert.deepEqual(content.sensors[0]?.trigger_types, ["fixture_pack.event"]);
  });

  it("validates the config against the schema, filling defaults and keeping the secret", () => {
    assert.ok(content);
    assert.deepEqual(content.configSchema?.attributes.api_token?.secret, true);
    assert.deepEqual(content.config, {
      pack: "fixture_pack",
      values: {
        api_token: "s3cr3t-token",
        options: { verbose: false },
        api_url: "https://service.example.invalid",
        retries: 3,
      },
    });
  });

  it("leaves config null without a configs directory", async () => {
    const again = await loadPack(join(fixtures, "fixture_pack"));
    assert.equal(again.content?.config, null);
  });
});

describe("packs that cannot load", () => {
  it("a pack.yaml missing a required field fails the pack", async () => {
    const { content, errors } = await loadPack(join(fixtures, "broken_manifest"));
    assert.equal(content, null);
    assert.deepEqual(
      errors.map((e) => [e.pack, e.file, e.field]),
      [["broken_manifest", "pack.yaml", "version"]],
    );
  });

  it("a pack whose name and directory are not valid refs names the ref field", async () => {
    const { content, errors } = await loadPack(join(fixtures, "bad-name-pack"));
    assert.equal(content, null);
    assert.deepEqual(
      errors.map((e) => e.field),
      ["ref"],
    );
  });

  it("a directory without pack.yaml reports the missing manifest", async () => {
    const { content, errors } = await loadPack(join(fixtures, "_configs"));
    assert.equal(content, null);
    assert.equal(errors[0]?.file, "pack.yaml");
  });
});

describe("loadPacks", () => {
  it("finds every pack under a base directory, in name order", async () => {
    const results = await loadPacks([fixtures, join(root, "packs/core"), "/nonexistent/packs"]);
    assert.deepEqual(
      results.map((r) => [r.dir.replace(root, ""), r.content !== null]),
      [
        ["/nonexistent/packs", false],
        ["test/fixtures/packs/bad-name-pack", false],
        ["test/fixtures/packs/broken_manifest", false],
        ["test/fixtures/packs/fixture_pack", true],
        ["test/fixtures/packs/orquesta_pack", true],
        ["test/fixtures/packs/python_pack", true],
        ["test/fixtures/packs/sensor_pack", true],
        ["packs/core", true],
      ],
    );
  });

  it("the bundled packs load without errors", async () => {
    const results = await loadPacks([join(root, "packs")]);
    assert.deepEqual(
      results.map((r) => [r.content?.pack.ref, r.errors]),
      [
        ["core", []],
        ["default", []],
        ["linux", []],
      ],
    );
    const core = results[0]?.content;
    assert.deepEqual(core?.actions.map((a) => a.name).sort(), [
      "ask",
      "echo",
      "error",
      "http",
      "inject_trigger",
      "local",
      "local_sudo",
      "noop",
      "pause",
      "remote",
      "remote_sudo",
      "uuid",
    ]);
  });
});
