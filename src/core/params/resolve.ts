/**
 * The whole parameter pipeline for one execution, in StackStorm's order:
 * live rendering (`render_live_params`, with the rule's `trigger` context when there is one) →
 * request validation and the immutable check (`create_request`) → final rendering
 * (`render_final_params`, which fills and renders defaults and casts everything).
 */

import type { ActionDef, ParameterSchema, RunnerType } from "../content/model.ts";
import type { TemplateEngine } from "../expr/template.ts";
import { datastoreContext, datastoreUser, type KvLookup } from "./datastore.ts";
import { castParamsFrom, ParamGraph } from "./graph.ts";
import { anyTemplate, parameterPlan } from "./plan.ts";
import { rejectOverridesOf, validateAgainstPlan } from "./validate.ts";

/** StackStorm's default `[system_user] user`. */
export const DEFAULT_SYSTEM_USER = "stanley";

export interface ParameterContext {
  /** The execution's context (`user`, `api_user`, `pack`, `parent`, …), exposed as `action_context`. */
  action_context: Readonly<Record<string, unknown>>;
  /** The pack's resolved config, exposed as `config_context`. */
  config: Readonly<Record<string, unknown>>;
  /** Synchronous datastore reads; user-scope names arrive as `<user>:<key>`. */
  kv: KvLookup;
  /** The trigger payload, when a rule supplies the parameters. */
  trigger?: unknown;
  /** Falls back to this user for `st2kv.user` when the context names none. */
  systemUser?: string;
}

export interface ResolveInput {
  runner: RunnerType;
  action: ActionDef;
  requested: Readonly<Record<string, unknown>>;
  context: ParameterContext;
  engine: TemplateEngine;
}

export interface ResolvedParameters {
  /** Final runner + action parameter values: rendered, defaulted and cast. */
  values: Record<string, unknown>;
  /** The live parameters (supplied values and templated defaults, rendered) StackStorm stores on the execution. */
  live: Record<string, unknown>;
  secretNames: Set<string>;
}

/** The context nodes every rendering starts from, in StackStorm's order. */
function baseNodes(input: ResolveInput): Array<[string, unknown]> {
  const { context } = input;
  const user = datastoreUser(context.action_context, context.systemUser ?? DEFAULT_SYSTEM_USER);
  return [
    ["st2kv", datastoreContext(context.kv, user)],
    ["action_context", context.action_context],
    ["config_context", context.config],
  ];
}

function graphFor(input: ResolveInput, base: Array<[string, unknown]>): ParamGraph {
  const graph = new ParamGraph(input.engine);
  for (const [name, value] of base) graph.addValue(name, value);
  return graph;
}

/**
 * What ParamGraph.resolve() returns when no node is a template: every node is a plain value, so
 * there is nothing to order or render. Nodes are kept in a Map, as in the graph, so names are
 * placed (and `processDefaults` decides) exactly as there.
 */
function plainContext(
  base: Array<[string, unknown]>,
  values: Readonly<Record<string, unknown>>,
  schemas: ParameterSchema[],
): Record<string, unknown> {
  const nodes = new Map<string, unknown>(base);
  for (const name of Object.keys(values)) nodes.set(name, values[name]);
  for (const schema of schemas) {
    for (const [name, spec] of Object.entries(schema)) {
      if (!nodes.has(name) || (nodes.get(name) ?? null) === null || spec?.immutable)
        nodes.set(name, spec?.default ?? null);
    }
  }
  const context: Record<string, unknown> = {};
  for (const [name, value] of nodes) context[name] = value;
  return context;
}

/** StackStorm's `render_live_params`. */
export function renderLiveParams(input: ResolveInput): Record<string, unknown> {
  const runnerParams: ParameterSchema = input.runner.runner_parameters ?? {};
  const actionParams: ParameterSchema = input.action.parameters ?? {};
  const schemas = [actionParams, runnerParams];
  const plan = parameterPlan(input.runner, input.action);
  let context: Record<string, unknown>;
  if (!plan.templatedDefaults && !anyTemplate(input.requested)) {
    // Only supplied names are returned, and each holds its own value or its default, so the
    // context nodes (which only templates read) cannot show.
    context = plainContext([], input.requested, schemas);
  } else {
    const base = baseNodes(input);
    if (input.context.trigger !== undefined) base.push(["trigger", input.context.trigger]);
    const graph = graphFor(input, base);
    for (const [name, value] of Object.entries(input.requested)) graph.process(name, value);
    graph.processDefaults(schemas);
    context = graph.resolve();
  }
  return castParamsFrom(Object.keys(input.requested), context, schemas);
}

/** StackStorm's `render_final_params`, returning runner and action values merged. */
export function renderFinalParams(
  input: ResolveInput,
  live: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const runnerParams: ParameterSchema = input.runner.runner_parameters ?? {};
  const actionParams: ParameterSchema = input.action.parameters ?? {};
  const schemas = [actionParams, runnerParams];
  const plan = parameterPlan(input.runner, input.action);
  let context: Record<string, unknown>;
  // Live values are already rendered: plain values, never templates again.
  if (!plan.templatedDefaults) {
    // A context node reaches the result only through a parameter of the same name.
    context = plainContext(plan.declaresContextNames ? baseNodes(input) : [], live, schemas);
  } else {
    const graph = graphFor(input, baseNodes(input));
    for (const [name, value] of Object.entries(live)) graph.addValue(name, value);
    graph.processDefaults(schemas);
    context = graph.resolve();
  }
  const cast = castParamsFrom(Object.keys(context), context, schemas);
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(cast)) {
    if (Object.hasOwn(runnerParams, name) || Object.hasOwn(actionParams, name))
      out[name] = cast[name];
  }
  return out;
}

/**
 * Renders, validates and casts an execution's parameters. Throws RenderError (template,
 * dependency or cycle problems, naming the parameter) or ValidationError (schema, immutable or
 * cast problems, with `location.field = "parameters.<name>"`).
 */
export function resolveParameters(input: ResolveInput): ResolvedParameters {
  const live = renderLiveParams(input);
  const plan = parameterPlan(input.runner, input.action);
  validateAgainstPlan(plan, live, input.action.ref);
  rejectOverridesOf(plan.immutableNames, live);
  const values = renderFinalParams(input, live);
  return { values, live, secretNames: new Set(plan.secretNames) };
}
