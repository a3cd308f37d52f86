import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ParameterSchema } from "../content/model.ts";
import { RenderError, ValidationError } from "../errors.ts";
import { MinimalJinja } from "../expr/minimal.ts";
import type { KvLookup } from "./datastore.ts";
import { action, echo, runner } from "./fixtures.test-helpers.ts";
import { type ParameterContext, resolveParameters } from "./resolve.ts";

const engine = new MinimalJinja();

function kvFrom(entries: Record<string, string>, calls: string[] = []): KvLookup {
  return (scope, name) => {
    calls.push(`${scope}/${name}`);
    return entries[`${scope}/${name}`];
  };
}

function resolve(
  params: ParameterSchema,
  requested: Record<string, unknown>,
  context: Partial<ParameterContext> = {},
) {
  return resolveParameters({
    runner: runner(),
    action: action(params, "examples.act"),
    requested,
    engine,
    context: { action_context: { user: "alice" }, config: {}, kv: kvFrom({}), ...context },
  });
}

describe("resolveParameters: core.echo", () => {
  it("renders the immutable templated default and fills runner defaults", () => {
    const out = resolveParameters({
      runner: runner(),
      action: echo,
      requested: { message: "hi there" },
      engine,
      context: { action_context: {}, config: {}, kv: kvFrom({}) },
    });
    assert.deepEqual(out.values, {
      message: "hi there",
      cmd: 'echo "hi there"',
      kwarg_op: "--",
      cwd: null,
      env: null,
      sudo: false,
      sudo_password: null,
      timeout: 60,
    });
    assert.deepEqual(out.live, { message: "hi there" });
    assert.deepEqual([...out.secretNames], ["sudo_password"]);
  });
  it("refuses an override of the immutable cmd", () => {
    assert.throws(
      () =>
        resolveParameters({
          runner: runner(),
          action: echo,
          requested: { message: "x", cmd: "rm -rf /" },
          engine,
          context: { action_context: {}, config: {}, kv: kvFrom({}) },
        }),
      (e: unknown) => e instanceof ValidationError && e.location?.field === "parameters.cmd",
    );
  });
});

describe("resolveParameters: dependency order", () => {
  const chain = { a: { type: "string" }, b: { type: "string" }, c: { type: "string" } };
  const table: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    [
      "renders against declaration order",
      { a: "{{ b }}-a", b: "{{ c }}-b", c: "c" },
      { a: "c-b-a", b: "c-b", c: "c" },
    ],
    ["reads defaults of other parameters", { a: "{{ timeout }}s" }, { a: "60s" }],
    [
      "treats invalid Jinja as a plain value",
      { a: "{{ b c }}", b: "x" },
      { a: "{{ b c }}", b: "x" },
    ],
  ];
  for (const [name, requested, expected] of table) {
    it(name, () => {
      const { values } = resolve(chain, requested);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(values[k], v);
    });
  }
  const errors: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      "names every parameter on a cycle",
      { a: "{{ b }}", b: "{{ c }}", c: "{{ a }}" },
      /Cyclic dependency found in the following variables: a, b, c\./,
    ],
    [
      "catches self reference",
      { a: "x{{ a }}" },
      /Cyclic dependency found in the following variables: a\./,
    ],
    [
      "leaves parameters downstream of a cycle out of the message",
      { a: "{{ b }}", b: "{{ a }}", c: "{{ a }}" },
      /variables: a, b\./,
    ],
    ["reports unknown names", { a: "{{ nope }}" }, /Dependency unsatisfied in variable "nope"/],
    [
      "reports trigger outside rules",
      { a: "{{ trigger.x }}" },
      /Dependency unsatisfied in variable "trigger"/,
    ],
    [
      "names the parameter that failed to render",
      { b: "{{ 1 + 'x' }}" },
      /^Failed to render parameter "b": unsupported operand/,
    ],
    [
      "never treats unsupported Jinja as plain text",
      { a: "{% autoescape true %}x{% endautoescape %}" },
      /Failed to render parameter "a": \{% autoescape true %\} is not supported/,
    ],
    [
      "fails on a missing attribute",
      { a: "{{ action_context.nope }}" },
      /'action_context\.nope' is undefined/,
    ],
  ];
  for (const [name, requested, message] of errors) {
    it(name, () => {
      assert.throws(
        () => resolve(chain, requested),
        (e: unknown) => {
          assert.ok(e instanceof RenderError, String(e));
          assert.match((e as Error).message, message);
          return true;
        },
      );
    });
  }
});

describe("resolveParameters: types", () => {
  const schema: ParameterSchema = {
    count: { type: "integer" },
    name: { type: "string" },
    flag: { type: "boolean" },
    items: { type: "array" },
    obj: { type: "object" },
    ratio: { type: "number" },
    mode: { type: "string", enum: ["a", "b"] },
  };
  const table: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    [
      "keeps types of whole-value items in lists (to_complex rewrite)",
      { count: 5, name: "bob", items: ["{{count}}", "{{name}}", "x"] },
      { items: [5, "bob", "x"] },
    ],
    [
      "keeps types in dicts",
      { count: 5, obj: { n: "{{count}}", nested: ["{{count}}"], s: "n={{ count }}" } },
      { obj: { n: 5, nested: [5], s: "n=5" } },
    ],
    [
      "does not rewrite items with spaces (StackStorm's regex needs {{name}})",
      { count: 5, items: ["{{ count }}"] },
      { items: ["5"] },
    ],
    ["casts rendered integers", { count: "{{ 2 + 3 }}" }, { count: 5 }],
    ["casts rendered booleans", { flag: "{{ 'true' }}" }, { flag: true }],
    ["casts rendered numbers", { ratio: "{{ '0.25' }}" }, { ratio: 0.25 }],
    [
      "parses a rendered Python list",
      { count: 1, items: "{{ [count, 'x', None] }}" },
      { items: [1, "x", null] },
    ],
    ["parses rendered JSON objects", { obj: "{{ {'a': [1]} | tojson }}" }, { obj: { a: [1] } }],
    ["casts plain string values too", { count: "7", flag: "false" }, { count: 7, flag: false }],
    ["turns use_none into None", { name: "{{ None | use_none }}" }, { name: null }],
  ];
  for (const [name, requested, expected] of table) {
    it(name, () => {
      const { values } = resolve(schema, requested);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(values[k], v);
    });
  }
  it("validates rendered values against the schema", () => {
    assert.throws(
      () => resolve(schema, { mode: "{{ 'z' }}" }),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.equal(e.location?.field, "parameters.mode");
        assert.match(e.message, /'z' is not one of \['a', 'b'\]/);
        return true;
      },
    );
  });
  it("reports cast failures as validation errors", () => {
    assert.throws(
      () => resolve(schema, { count: "{{ 'abc' }}" }),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.equal(e.location?.field, "parameters.count");
        return true;
      },
    );
  });
});

describe("resolveParameters: contexts", () => {
  const schema: ParameterSchema = {
    a: { type: "string" },
    b: { type: "string" },
    n: { type: "integer" },
  };
  it("reads st2kv system keys, dotted names and missing keys", () => {
    const calls: string[] = [];
    const kv = kvFrom({ "system/foo": "bar", "system/a.b": "dotted", "system/n": "41" }, calls);
    const { values } = resolve(
      schema,
      {
        a: "{{ st2kv.system.foo }}|{{ st2kv.system.a.b }}|{{ st2kv.system.missing }}|",
        n: "{{ st2kv.system.n | int + 1 }}",
      },
      { kv },
    );
    assert.equal(values.a, "bar|dotted||");
    assert.equal(values.n, 42);
    assert.ok(calls.includes("system/a") && calls.includes("system/a.b"));
  });
  it("reads the user scope of api_user, else user, else the system user", () => {
    const kv = kvFrom({ "user/alice:tok": "A", "user/bob:tok": "B", "user/stanley:tok": "S" });
    const run = (action_context: Record<string, unknown>) =>
      resolve(schema, { a: "{{ st2kv.user.tok }}" }, { kv, action_context }).values.a;
    assert.equal(run({ user: "alice" }), "A");
    assert.equal(run({ user: "alice", api_user: "bob" }), "B");
    assert.equal(run({}), "S");
  });
  it("refuses printing a scope", () => {
    assert.throws(() => resolve(schema, { a: "{{ st2kv.system }}" }), /is a scope, not a key/);
  });
  it("exposes action_context, config_context and trigger", () => {
    const { values } = resolve(
      schema,
      { a: "{{ action_context.user }}@{{ config_context.host }}", b: "{{ trigger.body.id }}" },
      { config: { host: "db1" }, trigger: { body: { id: 7 } } },
    );
    assert.equal(values.a, "alice@db1");
    assert.equal(values.b, "7");
  });
});

describe("resolveParameters: templated defaults", () => {
  const schema: ParameterSchema = {
    name: { type: "string", default: "world" },
    greeting: { type: "string", default: "hello {{ name }}" },
    fixed: { type: "string", immutable: true, default: "[{{ greeting }}]" },
    size: { type: "integer", default: "{{ 2 * 21 }}" },
  };
  it("renders defaults, including immutable ones, and lists rendered defaults as live", () => {
    const out = resolve(schema, { name: "bob" });
    assert.equal(out.values.greeting, "hello bob");
    assert.equal(out.values.fixed, "[hello bob]");
    assert.equal(out.values.size, 42);
    assert.deepEqual(out.live, { name: "bob", greeting: "hello bob", size: 42 });
  });
  it("uses the default when a value is None", () => {
    assert.equal(resolve(schema, { name: null }).values.greeting, "hello world");
  });
  it("a supplied value replaces a templated default", () => {
    assert.equal(resolve(schema, { greeting: "hey" }).values.fixed, "[hey]");
  });
  it("renders runner defaults that read action parameters", () => {
    const out = resolveParameters({
      runner: runner({ cwd: { type: "string", default: "/srv/{{ app }}" } }),
      action: action({ app: { type: "string", required: true } }),
      requested: { app: "shop" },
      engine,
      context: { action_context: {}, config: {}, kv: kvFrom({}) },
    });
    assert.equal(out.values.cwd, "/srv/shop");
  });
});
