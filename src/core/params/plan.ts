/**
 * What parameter handling derives from an action and its runner alone, worked out once per
 * pair instead of once per execution: the merged specs, the request schema and its compiled
 * validator, the secret and immutable names, and whether any default is a template (without
 * one, and with no templated value supplied, rendering has nothing to render).
 *
 * Plans are keyed by the identity of the action and runner records. The store hands out a new
 * record whenever a definition changes (and its read cache is emptied by every content write),
 * so an updated action or runner gets a new plan; records are never edited in place.
 */

import type { ValidateFunction } from "ajv";
import { mergeSchemas } from "../content/merge-parameters.ts";
import type { ActionDef, ParameterSchema, ParameterSpec, RunnerType } from "../content/model.ts";
import { datastoreReferences } from "./datastore.ts";
import { requestSchema } from "./schema.ts";
import { containsTemplate } from "./templates.ts";

export interface ParameterPlan {
  /** Runner specs overlaid by the action's (see mergeSchemas). Shared: never change it. */
  readonly merged: ParameterSchema;
  /** True when the merged specs declare no parameter at all (the request schema accepts anything). */
  readonly empty: boolean;
  /** The request schema (ajv dialect) of `merged`. Shared: never change it. */
  readonly schema: Readonly<Record<string, unknown>>;
  /** Whether a default in the action's or the runner's specs contains a template. */
  readonly templatedDefaults: boolean;
  /**
   * Whether a parameter is named like a context node (`st2kv`, `action_context`,
   * `config_context`): rendering then returns that node's value when nothing else is given.
   */
  readonly declaresContextNames: boolean;
  /** Whether a default in the merged specs names the datastore (`st2kv`). */
  readonly defaultsReadDatastore: boolean;
  readonly secretNames: ReadonlySet<string>;
  readonly immutableNames: ReadonlySet<string>;
  /** Merged specs that have a default, in spec order. */
  readonly withDefaults: ReadonlyArray<readonly [string, ParameterSpec]>;
  /** The compiled request schema; compiled on first use, and a failure is not remembered. */
  validator(compile: (schema: Record<string, unknown>) => ValidateFunction): ValidateFunction;
}

/** The context nodes every rendering starts from (see resolve.ts). */
const CONTEXT_NAMES = ["st2kv", "action_context", "config_context"];

function hasTemplatedDefault(params: ParameterSchema | undefined): boolean {
  for (const spec of Object.values(params ?? {}))
    if (spec && containsTemplate(spec.default)) return true;
  return false;
}

function buildPlan(runner: RunnerType, action: ActionDef): ParameterPlan {
  const merged = mergeSchemas(runner.runner_parameters ?? {}, action.parameters ?? {});
  const names = Object.keys(merged);
  const secretNames = new Set<string>();
  const withDefaults: Array<readonly [string, ParameterSpec]> = [];
  for (const name of names) {
    const spec = merged[name];
    if (spec?.secret === true) secretNames.add(name);
    if (spec && Object.hasOwn(spec, "default")) withDefaults.push([name, spec]);
  }
  const immutableNames = new Set<string>();
  for (const params of [action.parameters, runner.runner_parameters]) {
    for (const [name, spec] of Object.entries(params ?? {}))
      if (spec?.immutable) immutableNames.add(name);
  }
  const schema = requestSchema(merged);
  let compiled: ValidateFunction | undefined;
  return {
    merged,
    empty: names.length === 0,
    schema,
    templatedDefaults:
      hasTemplatedDefault(action.parameters) || hasTemplatedDefault(runner.runner_parameters),
    declaresContextNames: CONTEXT_NAMES.some((name) => Object.hasOwn(merged, name)),
    defaultsReadDatastore: datastoreReferences({}, merged).length > 0,
    secretNames,
    immutableNames,
    withDefaults,
    validator(compile) {
      compiled ??= compile(schema);
      return compiled;
    },
  };
}

const plans = new WeakMap<ActionDef, { runner: RunnerType; plan: ParameterPlan }>();

/** The plan for this action with this runner (see the module comment for when it is rebuilt). */
export function parameterPlan(runner: RunnerType, action: ActionDef): ParameterPlan {
  const hit = plans.get(action);
  if (hit && hit.runner === runner) return hit.plan;
  const plan = buildPlan(runner, action);
  plans.set(action, { runner, plan });
  return plan;
}

/** Whether any of the supplied values is (or, for lists and dicts, contains) a template. */
export function anyTemplate(values: Readonly<Record<string, unknown>>): boolean {
  for (const key in values)
    if (Object.hasOwn(values, key) && containsTemplate(values[key])) return true;
  return false;
}
