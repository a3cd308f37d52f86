import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ParameterSchema } from "../content/model.ts";
import { ValidationError } from "../errors.ts";
import { MinimalJinja } from "../expr/minimal.ts";
import { datastoreContext, datastoreUser, type KvLookup } from "./datastore.ts";
import { action, echo, runner } from "./fixtures.test-helpers.ts";
import { castParamsFrom, ParamGraph } from "./graph.ts";
import { anyTemplate, parameterPlan } from "./plan.ts";
import {
  DEFAULT_SYSTEM_USER,
  type ResolveInput,
  renderFinalParams,
  renderLiveParams,
} from "./resolve.ts";
import { validateRequest } from "./validate.ts";

const engine = new MinimalJinja();
const kv: KvLookup = () => undefined;

describe("parameterPlan", () => {
  it("is worked out once per action and runner record", () => {
    const r = runner();
    const a = action({ message: { type: "string", secret: true } });
    assert.equal(parameterPlan(r, a), parameterPlan(r, a));
  });

  it("is worked out again for a changed action, and for another runner", () => {
    const r = runner();
    const before = action({ message: { type: "string" } });
    const after = action({ message: { type: "string", secret: true, immutable: true } });
    assert.deepEqual([...parameterPlan(r, before).secretNames], ["sudo_password"]);
    assert.deepEqual([...parameterPlan(r, after).secretNames], ["sudo_password", "message"]);
    assert.deepEqual([...parameterPlan(r, after).immutableNames], ["message"]);
    const otherRunner = runner({ extra: { type: "string", secret: true } });
    assert.deepEqual(
      [...parameterPlan(otherRunner, after).secretNames],
      ["sudo_password", "extra", "message"],
    );
    // The first runner's plan is not reused for the second, nor the second's for the first.
    assert.deepEqual([...parameterPlan(r, after).secretNames], ["sudo_password", "message"]);
  });

  const flags: Array<{
    name: string;
    params: ParameterSchema;
    templatedDefaults: boolean;
    readsDatastore: boolean;
    contextNames: boolean;
  }> = [
    {
      name: "plain",
      params: {},
      templatedDefaults: false,
      readsDatastore: false,
      contextNames: false,
    },
    {
      name: "templated default",
      params: { a: { default: "{{ b }}" } },
      templatedDefaults: true,
      readsDatastore: false,
      contextNames: false,
    },
    {
      name: "templated key inside a default",
      params: { a: { type: "object", default: { "{{ k }}": 1 } } },
      templatedDefaults: true,
      readsDatastore: false,
      contextNames: false,
    },
    {
      name: "datastore default",
      params: { a: { default: "{{ st2kv.system.x }}" } },
      templatedDefaults: true,
      readsDatastore: true,
      contextNames: false,
    },
    {
      name: "a parameter named like a context node",
      params: { config_context: { type: "object" } },
      templatedDefaults: false,
      readsDatastore: false,
      contextNames: true,
    },
  ];
  for (const f of flags)
    it(`knows what the specs hold: ${f.name}`, () => {
      const plan = parameterPlan(runner(), action(f.params));
      assert.equal(plan.templatedDefaults, f.templatedDefaults);
      assert.equal(plan.defaultsReadDatastore, f.readsDatastore);
      assert.equal(plan.declaresContextNames, f.contextNames);
    });

  it("sees templates in supplied values, nested ones and keys included", () => {
    assert.equal(anyTemplate({ a: 1, b: "x", c: [1, { d: "y" }] }), false);
    assert.equal(anyTemplate({ a: ["{{ x }}"] }), true);
    assert.equal(anyTemplate({ a: { "{% if %}": 1 } }), true);
  });

  it("does not remember a schema that fails to compile", () => {
    const broken = action({ name: { type: "string", pattern: "(" } });
    for (let i = 0; i < 2; i++)
      assert.throws(
        () => validateRequest({ runner: runner(), action: broken, requested: { name: "x" } }),
        (e: unknown) =>
          e instanceof ValidationError &&
          /^parameter schema of core\.echo is invalid: /.test(e.message),
      );
  });
});

/**
 * The rendering StackStorm does, through the graph for every request (as Squall did before the
 * plain path): the plain path must give the same values, in the same key order, and the same
 * errors.
 */
function graphContext(
  input: ResolveInput,
  values: Readonly<Record<string, unknown>>,
  asTemplates: boolean,
): Record<string, unknown> {
  const graph = new ParamGraph(input.engine);
  const user = datastoreUser(input.context.action_context, DEFAULT_SYSTEM_USER);
  graph.addValue("st2kv", datastoreContext(input.context.kv, user));
  graph.addValue("action_context", input.context.action_context);
  graph.addValue("config_context", input.context.config);
  if (asTemplates && input.context.trigger !== undefined)
    graph.addValue("trigger", input.context.trigger);
  for (const [name, value] of Object.entries(values))
    if (asTemplates) graph.process(name, value);
    else graph.addValue(name, value);
  graph.processDefaults([input.action.parameters ?? {}, input.runner.runner_parameters ?? {}]);
  return graph.resolve();
}

function graphLive(input: ResolveInput): Record<string, unknown> {
  const schemas = [input.action.parameters ?? {}, input.runner.runner_parameters ?? {}];
  return castParamsFrom(
    Object.keys(input.requested),
    graphContext(input, input.requested, true),
    schemas,
  );
}

function graphFinal(input: ResolveInput, live: Record<string, unknown>): Record<string, unknown> {
  const runnerParams = input.runner.runner_parameters ?? {};
  const actionParams = input.action.parameters ?? {};
  const context = graphContext(input, live, false);
  const cast = castParamsFrom(Object.keys(context), context, [actionParams, runnerParams]);
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(cast))
    if (Object.hasOwn(runnerParams, name) || Object.hasOwn(actionParams, name))
      out[name] = cast[name];
  return out;
}

function outcome(f: () => Record<string, unknown>): unknown {
  try {
    const value = f();
    return { keys: Object.keys(value), value };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
}

describe("rendering without templates matches the graph", () => {
  const contextNames: ParameterSchema = {
    st2kv: { type: "string" },
    action_context: { type: "object", default: { a: 1 } },
    config_context: {},
    trigger: { type: "string", default: "t" },
  };
  const cases: Array<{
    name: string;
    params: ParameterSchema;
    requested: Record<string, unknown>;
  }> = [
    { name: "nothing declared, nothing given", params: {}, requested: {} },
    {
      name: "core.echo's runner defaults",
      params: { message: { type: "string" } },
      requested: { message: "hi" },
    },
    {
      name: "null takes the default, missing takes the default",
      params: { mode: { type: "string", default: "fast" }, n: { type: "integer", default: 3 } },
      requested: { mode: null },
    },
    {
      name: "immutable defaults win over what is given",
      params: { timeout: { type: "integer", immutable: true, default: 5 } },
      requested: { timeout: 9, sudo: true },
    },
    {
      name: "casts given strings",
      params: { n: { type: "integer" }, b: { type: "boolean" }, o: { type: "object" } },
      requested: { n: "12", b: "true", o: '{"k": [1]}' },
    },
    {
      name: "a cast that fails",
      params: { n: { type: "integer" } },
      requested: { n: "twelve" },
    },
    {
      name: "parameters named like context nodes, given",
      params: contextNames,
      requested: { st2kv: "s", action_context: null, config_context: { c: 2 }, trigger: "x" },
    },
    { name: "parameters named like context nodes, not given", params: contextNames, requested: {} },
    {
      name: "integer-like names keep the object key order",
      params: { "10": { type: "integer", default: 1 }, b: {}, "2": { default: "two" } },
      requested: { b: 1, "10": "4" },
    },
    {
      name: "undeclared names pass through",
      params: {},
      requested: { extra: [1, 2], other: { nested: true } },
    },
  ];
  for (const c of cases) {
    const input: ResolveInput = {
      runner: runner(),
      action: action(c.params, "examples.act"),
      requested: c.requested,
      engine,
      context: {
        action_context: { user: "alice", pack: "examples" },
        config: { region: "eu" },
        kv,
        trigger: { n: 1 },
      },
    };
    it(c.name, () => {
      assert.equal(parameterPlan(input.runner, input.action).templatedDefaults, false);
      const live = outcome(() => renderLiveParams(input));
      assert.deepEqual(
        live,
        outcome(() => graphLive(input)),
      );
      const values = (live as { value?: Record<string, unknown> }).value;
      if (values)
        assert.deepEqual(
          outcome(() => renderFinalParams(input, values)),
          outcome(() => graphFinal(input, values)),
        );
    });
  }

  it("core.echo (a templated default) still renders through the graph", () => {
    const input: ResolveInput = {
      runner: runner(),
      action: echo,
      requested: { message: "hi" },
      engine,
      context: { action_context: {}, config: {}, kv },
    };
    assert.deepEqual(renderLiveParams(input), graphLive(input));
    const live = renderLiveParams(input);
    assert.deepEqual(renderFinalParams(input, live), graphFinal(input, live));
    assert.equal(renderFinalParams(input, live).cmd, 'echo "hi"');
  });
});
