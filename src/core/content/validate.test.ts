import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BUILTIN_RUNNER_TYPES } from "./runner-types.ts";
import {
  type SourceContext,
  validateAction,
  validateAlias,
  validateConfig,
  validateConfigSchema,
  validatePackMeta,
  validatePolicy,
  validateRule,
  validateSensor,
  validateTriggerType,
} from "./validate.ts";
import { parseYamlSource } from "./yaml-source.ts";

const ctx = (file: string): SourceContext => ({ pack: "demo", file });

/** Parses YAML text so errors carry line numbers, as the loader does. */
function fromYaml(text: string, file: string): { raw: unknown; ctx: SourceContext } {
  const parsed = parseYamlSource(text);
  assert.ok(parsed.ok);
  return { raw: parsed.value, ctx: { pack: "demo", file, locate: parsed.locate } };
}

function fieldsOf(result: { ok: boolean; errors?: Array<{ field?: string }> }): string[] {
  assert.equal(result.ok, false, "expected validation to fail");
  return (result.errors ?? []).map((e) => e.field ?? "");
}

const goodAction = { name: "a", runner_type: "noop" };
const actionChecks = { runnerTypes: BUILTIN_RUNNER_TYPES };

describe("validateAction rejects bad fields with their path", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["missing name", { runner_type: "noop" }, "name"],
    ["missing runner_type", { name: "a" }, "runner_type"],
    ["unknown top-level field", { ...goodAction, colour: "blue" }, "colour"],
    ["enabled not boolean", { ...goodAction, enabled: "yes" }, "enabled"],
    [
      "bad parameter type",
      { ...goodAction, parameters: { cmd: { type: "strin" } } },
      "parameters.cmd.type",
    ],
    [
      "type list with a bad entry",
      { ...goodAction, parameters: { x: { type: ["string", "text"] } } },
      "parameters.x.type.1",
    ],
    [
      "required not boolean",
      { ...goodAction, parameters: { x: { required: "yes" } } },
      "parameters.x.required",
    ],
    [
      "secret not boolean",
      { ...goodAction, parameters: { x: { secret: 1 } } },
      "parameters.x.secret",
    ],
    [
      "negative position",
      { ...goodAction, parameters: { x: { position: -1 } } },
      "parameters.x.position",
    ],
    [
      "unknown parameter attribute",
      { ...goodAction, parameters: { x: { requried: true } } },
      "parameters.x.requried",
    ],
    [
      "bad parameter name",
      { ...goodAction, parameters: { "bad-name": {} } },
      "parameters.bad-name",
    ],
    [
      "nested property attribute",
      {
        ...goodAction,
        parameters: { x: { type: "object", properties: { y: { immutable: "no" } } } },
      },
      "parameters.x.properties.y.immutable",
    ],
    [
      "duplicate position",
      { ...goodAction, parameters: { x: { position: 0 }, y: { position: 0 } } },
      "parameters.y.position",
    ],
    [
      "gap in positions",
      { ...goodAction, parameters: { x: { position: 0 }, y: { position: 2 } } },
      "parameters",
    ],
    [
      "notify key spelled with underscore",
      { ...goodAction, notify: { on_complete: {} } },
      "notify.on_complete",
    ],
    ["pack differs from directory", { ...goodAction, pack: "other" }, "pack"],
    ["unknown runner", { name: "a", runner_type: "mistral-v2" }, "runner_type"],
    [
      "runner attribute that may not change",
      { name: "a", runner_type: "local-shell-cmd", parameters: { cmd: { type: "integer" } } },
      "parameters.cmd.type",
    ],
    [
      "runner parameter already immutable",
      { name: "a", runner_type: "remote-shell-cmd", parameters: { parallel: { immutable: true } } },
      "parameters.parallel.immutable",
    ],
    [
      "immutable without any default",
      { ...goodAction, parameters: { x: { type: "string", immutable: true } } },
      "parameters.x.immutable",
    ],
  ];
  for (const [label, doc, field] of cases) {
    it(label, () => {
      assert.ok(fieldsOf(validateAction(doc, ctx("actions/a.yaml"), actionChecks)).includes(field));
    });
  }
});

describe("validateAction builds the record", () => {
  it("applies defaults, ref, uid and notify names", () => {
    const result = validateAction(
      {
        name: "say",
        runner_type: "local-shell-cmd",
        parameters: { sudo: { immutable: true } },
        notify: { "on-success": { message: "ok" } },
        tags: [{ name: "t", value: 1 }],
      },
      ctx("actions/say.yaml"),
      actionChecks,
    );
    assert.ok(result.ok);
    assert.equal(result.value.ref, "demo.say");
    assert.equal(result.value.uid, "action:demo:say");
    assert.equal(result.value.enabled, true);
    assert.equal(result.value.entry_point, "");
    assert.equal(result.value.description, "");
    assert.equal(result.value.metadata_file, "actions/say.yaml");
    assert.deepEqual(result.value.notify, { on_success: { message: "ok" } });
    assert.deepEqual(result.value.tags, [{ name: "t", value: "1" }]);
  });

  it("reports the YAML line of the offending field", () => {
    const { raw, ctx: c } = fromYaml(
      "name: a\nrunner_type: noop\nparameters:\n  cmd:\n    type: strin\n",
      "actions/a.yaml",
    );
    const result = validateAction(raw, c);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.errors.map((e) => [e.file, e.field, e.line, e.column]),
      [["actions/a.yaml", "parameters.cmd.type", 5, 5]],
    );
  });

  it("reports a document that is not a mapping", () => {
    assert.deepEqual(fieldsOf(validateAction(["x"], ctx("actions/a.yaml"))), [""]);
    assert.deepEqual(fieldsOf(validateAction(null, ctx("actions/a.yaml"))), [""]);
  });
});

const goodRule = { name: "r", trigger: { type: "core.st2.webhook" }, action: { ref: "core.noop" } };

describe("validateRule", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["missing trigger", { name: "r", action: { ref: "core.noop" } }, "trigger"],
    ["trigger without type", { ...goodRule, trigger: {} }, "trigger.type"],
    ["action without ref", { ...goodRule, action: {} }, "action.ref"],
    ["unknown action field", { ...goodRule, action: { ref: "x.y", params: {} } }, "action.params"],
    ["bad rule type", { ...goodRule, type: { ref: "fallback" } }, "type.ref"],
    [
      "criteria without type",
      { ...goodRule, criteria: { "trigger.a": { pattern: 1 } } },
      "criteria.trigger.a.type",
    ],
    [
      "unknown operator",
      { ...goodRule, criteria: { "trigger.a": { type: "like", pattern: 1 } } },
      "criteria.trigger.a.type",
    ],
    [
      "operator without pattern",
      { ...goodRule, criteria: { "trigger.a": { type: "equals" } } },
      "criteria.trigger.a.pattern",
    ],
    ["pack differs from directory", { ...goodRule, pack: "elsewhere" }, "pack"],
    ["unknown field", { ...goodRule, when: "now" }, "when"],
  ];
  for (const [label, doc, field] of cases) {
    it(label, () => assert.ok(fieldsOf(validateRule(doc, ctx("rules/r.yaml"))).includes(field)));
  }

  it("defaults enabled to false, type to standard and pack to the directory's", () => {
    const result = validateRule(goodRule, ctx("rules/r.yaml"));
    assert.ok(result.ok);
    assert.equal(result.value.enabled, false);
    assert.deepEqual(result.value.type, { ref: "standard", parameters: {} });
    assert.equal(result.value.pack, "demo");
    assert.equal(result.value.uid, "rule:demo:r");
    assert.deepEqual(result.value.trigger, { type: "core.st2.webhook", parameters: {} });
  });

  it("accepts exists without a pattern and operators in any case", () => {
    const result = validateRule(
      {
        ...goodRule,
        criteria: { "trigger.a": { type: "exists" }, "trigger.b": { type: "Equals", pattern: 1 } },
      },
      ctx("rules/r.yaml"),
    );
    assert.ok(result.ok);
  });
});

describe("validatePackMeta", () => {
  const base = { name: "demo", description: "d", version: "1.0.0", author: "me" };
  const source = { file: "pack.yaml", path: "/packs/demo" };
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["missing version", { ...base, version: undefined }, "version"],
    ["version not semver", { ...base, version: "1.0" }, "version"],
    ["bad ref", { ...base, ref: "Has-Dash" }, "ref"],
    ["invalid name and no ref", { ...base, name: "My Pack" }, "ref"],
    ["python version", { ...base, python_versions: ["4"] }, "python_versions.0"],
    ["missing author", { ...base, author: undefined }, "author"],
  ];
  for (const [label, doc, field] of cases) {
    it(label, () => {
      const clean = JSON.parse(JSON.stringify(doc));
      assert.ok(fieldsOf(validatePackMeta(clean, source)).includes(field));
    });
  }

  it("derives the ref from the directory, then from the name", () => {
    const fromDir = validatePackMeta(
      { ...base, name: "My Pack" },
      { ...source, dirName: "my_pack" },
    );
    assert.ok(fromDir.ok);
    assert.equal(fromDir.value.ref, "my_pack");
    const fromName = validatePackMeta(base, { ...source, dirName: "not-valid" });
    assert.ok(fromName.ok);
    assert.equal(fromName.value.ref, "demo");
    const numericVersion = validatePackMeta({ ...base, version: 2 }, source);
    assert.equal(numericVersion.ok, false, '2 becomes "2", which is not semver');
  });
});

describe("sensors, trigger types, aliases, policies", () => {
  it("a sensor registers its trigger types under its pack", () => {
    const result = validateSensor(
      { class_name: "S", entry_point: "s.py", trigger_types: [{ name: "ev", pack: "other" }] },
      ctx("sensors/s.yaml"),
    );
    assert.ok(result.ok);
    assert.equal(result.value.sensor.ref, "demo.S");
    assert.equal(result.value.sensor.uid, "sensor_type:demo:S");
    assert.deepEqual(result.value.sensor.trigger_types, ["demo.ev"]);
    assert.equal(result.value.triggerTypes[0]?.uid, "trigger_type:demo:ev");
  });

  const cases: Array<[string, () => { ok: boolean; errors?: Array<{ field?: string }> }, string]> =
    [
      [
        "sensor without class_name",
        () => validateSensor({ entry_point: "s.py" }, ctx("s")),
        "class_name",
      ],
      [
        "sensor poll_interval below 4",
        () => validateSensor({ class_name: "S", entry_point: "s.py", poll_interval: 1 }, ctx("s")),
        "poll_interval",
      ],
      [
        "sensor trigger type without name",
        () =>
          validateSensor({ class_name: "S", entry_point: "s.py", trigger_types: [{}] }, ctx("s")),
        "trigger_types.0.name",
      ],
      [
        "trigger type unknown field",
        () => validateTriggerType({ name: "t", schema: {} }, ctx("t")),
        "schema",
      ],
      ["alias without action_ref", () => validateAlias({ name: "a" }, ctx("a")), "action_ref"],
      [
        "alias format object without representation",
        () =>
          validateAlias({ name: "a", action_ref: "x.y", formats: [{ display: "d" }] }, ctx("a")),
        "formats.0",
      ],
      [
        "policy of unknown type",
        () =>
          validatePolicy(
            { name: "p", resource_ref: "x.y", policy_type: "action.ratelimit" },
            ctx("p"),
          ),
        "policy_type",
      ],
      [
        "policy missing a required parameter",
        () =>
          validatePolicy(
            { name: "p", resource_ref: "x.y", policy_type: "action.concurrency", parameters: {} },
            ctx("p"),
          ),
        "parameters.threshold",
      ],
      [
        "policy parameter out of range",
        () =>
          validatePolicy(
            {
              name: "p",
              resource_ref: "x.y",
              policy_type: "action.retry",
              parameters: { retry_on: "failure", max_retry_count: 6 },
            },
            ctx("p"),
          ),
        "parameters.max_retry_count",
      ],
      [
        "policy parameter unknown",
        () =>
          validatePolicy(
            {
              name: "p",
              resource_ref: "x.y",
              policy_type: "action.concurrency",
              parameters: { threshold: 1, burst: 2 },
            },
            ctx("p"),
          ),
        "parameters.burst",
      ],
    ];
  for (const [label, run, field] of cases) {
    it(label, () => assert.ok(fieldsOf(run()).includes(field)));
  }

  it("a policy gets its type's defaults", () => {
    const result = validatePolicy(
      {
        name: "p",
        resource_ref: "x.y",
        policy_type: "action.retry",
        parameters: { retry_on: "timeout" },
      },
      ctx("p"),
    );
    assert.ok(result.ok);
    assert.deepEqual(result.value.parameters, { retry_on: "timeout", max_retry_count: 2 });
  });
});

describe("config schema and config values", () => {
  const schemaResult = validateConfigSchema(
    {
      url: { type: "string", required: true, default: "http://x" },
      token: { type: "string", secret: true, required: true },
      nested: { type: "object", properties: { depth: { type: "integer", default: 1 } } },
      note: { type: "string" },
    },
    ctx("config.schema.yaml"),
  );
  assert.ok(schemaResult.ok);
  const schema = schemaResult.value;

  it("fills defaults, keeps secrets and extra keys, accepts null for optional fields", () => {
    const result = validateConfig(
      { token: "t0k", nested: {}, extra: 1, note: null },
      schema,
      ctx("c"),
    );
    assert.ok(result.ok);
    assert.deepEqual(result.value.values, {
      token: "t0k",
      nested: { depth: 1 },
      extra: 1,
      note: null,
      url: "http://x",
    });
  });

  const cases: Array<[string, unknown, string]> = [
    ["missing required value", {}, "token"],
    ["wrong type", { token: "t", url: 5 }, "url"],
    ["wrong nested type", { token: "t", nested: { depth: "deep" } }, "nested.depth"],
  ];
  for (const [label, values, field] of cases) {
    it(label, () => assert.ok(fieldsOf(validateConfig(values, schema, ctx("c"))).includes(field)));
  }

  it("rejects an empty schema and bad attribute specs", () => {
    assert.equal(validateConfigSchema({}, ctx("config.schema.yaml")).ok, false);
    assert.ok(fieldsOf(validateConfigSchema({ a: { type: "str" } }, ctx("x"))).includes("a.type"));
  });
});
