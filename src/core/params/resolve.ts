/**
 * The whole parameter pipeline for one execution, in StackStorm's order:
 * live rendering (`render_live_params`, with the rule's `trigger` context when there is one) →
 * request validation and the immutable check (`create_request`) → final rendering
 * (`render_final_params`, which fills and renders defaults and casts everything).
 */

import { mergeSchemas } from "../content/merge-parameters.ts";
import type { ActionDef, ParameterSchema, RunnerType } from "../content/model.ts";
import type { TemplateEngine } from "../expr/template.ts";
import { datastoreContext, datastoreUser, type KvLookup } from "./datastore.ts";
import { castParamsFrom, ParamGraph } from "./graph.ts";
import { rejectImmutableOverrides, secretNamesOf, validateAgainstSchema } from "./validate.ts";

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

function graphFor(input: ResolveInput): ParamGraph {
  const { context } = input;
  const graph = new ParamGraph(input.engine);
  const user = datastoreUser(context.action_context, context.systemUser ?? DEFAULT_SYSTEM_USER);
  graph.addValue("st2kv", datastoreContext(context.kv, user));
  graph.addValue("action_context", context.action_context);
  graph.addValue("config_context", context.config);
  return graph;
}

/** StackStorm's `render_live_params`. */
export function renderLiveParams(input: ResolveInput): Record<string, unknown> {
  const runnerParams: ParameterSchema = input.runner.runner_parameters ?? {};
  const actionParams: ParameterSchema = input.action.parameters ?? {};
  const graph = graphFor(input);
  if (input.context.trigger !== undefined) graph.addValue("trigger", input.context.trigger);
  for (const [name, value] of Object.entries(input.requested)) graph.process(name, value);
  graph.processDefaults([actionParams, runnerParams]);
  const context = graph.resolve();
  return castParamsFrom(Object.keys(input.requested), context, [actionParams, runnerParams]);
}

/** StackStorm's `render_final_params`, returning runner and action values merged. */
export function renderFinalParams(
  input: ResolveInput,
  live: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const runnerParams: ParameterSchema = input.runner.runner_parameters ?? {};
  const actionParams: ParameterSchema = input.action.parameters ?? {};
  const graph = graphFor(input);
  // Live values are already rendered: treat them as plain values, never as templates again.
  for (const [name, value] of Object.entries(live)) graph.addValue(name, value);
  graph.processDefaults([actionParams, runnerParams]);
  const context = graph.resolve();
  const cast = castParamsFrom(Object.keys(context), context, [actionParams, runnerParams]);
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
  const merged = mergeSchemas(input.runner.runner_parameters ?? {}, input.action.parameters ?? {});
  validateAgainstSchema(merged, live, input.action.ref);
  rejectImmutableOverrides(input.runner, input.action, live);
  const values = renderFinalParams(input, live);
  return { values, live, secretNames: secretNamesOf(merged) };
}
