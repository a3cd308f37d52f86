/**
 * Bridges the pure parameter code in src/core/params to the store. Rendering is synchronous and
 * pure, so datastore values a template mentions are fetched first (the core lists them), and
 * the renderer then reads from that snapshot.
 */

import { join } from "node:path";
import type { ActionDef, RunnerType } from "../../core/content/model.ts";
import { NotFoundError, RenderError } from "../../core/errors.ts";
import type { Execution } from "../../core/execution/model.ts";
import type { TemplateEngine } from "../../core/expr/template.ts";
import {
  anyTemplate,
  DEFAULT_SYSTEM_USER,
  datastoreContext,
  datastoreReferences,
  datastoreUser,
  type KvLookup,
  type KvScope,
  parameterPlan,
  resolveParameters,
  validateRequest,
} from "../../core/params/index.ts";
import { createPackConfigLoader, type PackConfigLoader } from "../python/pack-config.ts";
import { type KeyValueStore, MAX_PAGE_SIZE, type Store } from "../store/contract.ts";
import type { PreparedRun } from "./action-worker.ts";
import type { RequestValidator } from "./executions.ts";
import { withField } from "./with-field.ts";

/** Datastore scope names as StackStorm stores them. */
export const KV_SCOPES: Record<KvScope, string> = { system: "st2kv.system", user: "st2kv.user" };

export const validateExecutionRequest: RequestValidator = (action, runner, parameters) =>
  validateRequest({ runner, action, requested: parameters }).parameters;

export async function prefetch(
  kv: KeyValueStore,
  refs: Array<{ scope: KvScope; prefix: string }>,
  user: string,
): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const { scope, prefix } of refs) {
    const fullPrefix = scope === "user" ? `${user}:${prefix}` : prefix;
    for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
      const page = await kv.list(KV_SCOPES[scope], {
        prefix: fullPrefix,
        limit: MAX_PAGE_SIZE,
        offset,
      });
      for (const item of page.items) values.set(`${scope}\u0000${item.name}`, item.value);
      if (page.items.length < MAX_PAGE_SIZE) break;
    }
  }
  return values;
}

/**
 * RBAC for datastore reads made from expressions (StackStorm checks `key_value_pair_view` on the
 * key for the requesting user): true when `user` may read `name` in `scope`.
 */
export type KvReadGuard = (user: string, scope: KvScope, name: string) => boolean;

/** What parameter rendering reads from the store: the pack's config and the datastore keys the templates name. */
export interface ParameterInputs {
  config: Record<string, unknown>;
  kv: KvLookup;
}

export interface ParameterInputOptions {
  guard?: KvReadGuard;
  /**
   * How `config_context` is read. The node passes the rendering loader, so `{{ st2kv... }}`
   * values in a pack config reach parameter templates rendered, as they reach actions
   * (StackStorm renders both with one config loader); without it, the stored values.
   */
  loadConfig?: PackConfigLoader;
}

export async function loadParameterInputs(
  store: Store,
  action: ActionDef,
  runner: RunnerType,
  parameters: Record<string, unknown>,
  actionContext: Record<string, unknown>,
  options: ParameterInputOptions = {},
): Promise<ParameterInputs> {
  const user = datastoreUser(actionContext, DEFAULT_SYSTEM_USER);
  const loadConfig = options.loadConfig ?? createPackConfigLoader(store.content);
  const configValues = await loadConfig(action.pack, user);
  const plan = parameterPlan(runner, action);
  // Defaults that never mention the datastore add nothing to what the values name.
  const refs = datastoreReferences(parameters, plan.defaultsReadDatastore ? plan.merged : NO_SPECS);
  const snapshot = refs.length > 0 ? await prefetch(store.kv, refs, user) : NO_KEYS;
  return { config: configValues, kv: snapshotLookup(snapshot, user, options.guard) };
}

const NO_SPECS: Readonly<Record<string, undefined>> = Object.freeze({});
const NO_KEYS: ReadonlyMap<string, string> = new Map();

/** Reads from a prefetched snapshot; a module-level factory so each call costs one closure. */
function snapshotLookup(
  snapshot: ReadonlyMap<string, string>,
  user: string,
  guard: KvReadGuard | undefined,
): KvLookup {
  return (scope, name) => {
    const value = snapshot.get(`${scope}\u0000${name}`);
    // A missing key reveals nothing; an existing one needs the user's permission.
    if (value !== undefined && guard && !guard(user, scope, name))
      throw new RenderError(
        `User "${user}" doesn't have required permission "key_value_pair_view" on resource "key_value_pair:${KV_SCOPES[scope]}:${name}"`,
      );
    return value;
  };
}

/**
 * What `render_live_params` reads, for a rule's parameters. When neither the parameters nor any
 * default holds a template, rendering reads neither the pack config nor the datastore (every
 * supplied name keeps its value or takes its default), so neither is loaded, and the answer
 * comes at once rather than as a promise.
 */
export function liveParameterInputs(
  store: Store,
  action: ActionDef,
  runner: RunnerType,
  parameters: Record<string, unknown>,
  actionContext: Record<string, unknown>,
): ParameterInputs | Promise<ParameterInputs> {
  if (!parameterPlan(runner, action).templatedDefaults && !anyTemplate(parameters))
    return { config: {}, kv: nothingStored };
  return loadParameterInputs(store, action, runner, parameters, actionContext);
}

function nothingStored(): undefined {
  return undefined;
}

export function createRunPreparer(
  store: Store,
  engine: TemplateEngine,
  options: ParameterInputOptions = {},
): (execution: Execution) => Promise<PreparedRun> {
  return async (execution) => {
    const action = await store.content.getAction(execution.action.ref);
    if (!action) throw new NotFoundError(`action ${execution.action.ref} is no longer registered`);
    const runner = await store.content.getRunnerType(action.runner_type);
    if (!runner) throw new NotFoundError(`runner ${action.runner_type} is not registered`);
    const pack = await store.content.getPack(action.pack);
    if (!pack) throw new NotFoundError(`pack ${action.pack} is no longer registered`);
    const actionContext: Record<string, unknown> = withField(
      execution.context,
      "execution_id",
      execution.id,
    );
    const inputs = await loadParameterInputs(
      store,
      action,
      runner,
      execution.parameters,
      actionContext,
      options,
    );
    const resolved = resolveParameters({
      runner,
      action,
      requested: execution.parameters,
      context: { action_context: actionContext, ...inputs },
      engine,
    });
    return {
      action,
      runner,
      parameters: resolved.values,
      secretNames: resolved.secretNames,
      packPath: pack.path,
      entryPointPath: action.entry_point ? join(pack.path, "actions", action.entry_point) : null,
    };
  };
}

/**
 * The `st2kv.system` lookup rule criteria may read, prefetched for the keys the criteria of
 * `rules` mention; undefined when they mention none (the common case: no datastore read).
 */
export async function criteriaDatastore(store: Store, criteria: unknown[]): Promise<unknown> {
  const refs = datastoreReferences({ criteria }, {});
  if (refs.length === 0) return undefined;
  const snapshot = await prefetch(store.kv, refs, DEFAULT_SYSTEM_USER);
  return datastoreContext(
    (scope, name) => snapshot.get(`${scope}\u0000${name}`),
    DEFAULT_SYSTEM_USER,
  ).system;
}
