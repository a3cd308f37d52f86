/**
 * THE route → permission table: every HTTP route Squall serves has one entry saying which
 * permission it needs and how to find the resource it is checked on. Routes missing here are
 * refused for everyone but administrators, and a test lists every registered route and fails on
 * any without an entry, so a new endpoint cannot ship unguarded.
 *
 * Permission types and their use per endpoint follow StackStorm's controllers (`x-permissions`
 * and the `assert_user_has_*` calls in st2api).
 */

import {
  actionInBody,
  apiKeyParam,
  cloneDestination,
  contentBody,
  contentParam,
  dottedParam,
  enforcementParam,
  executionParam,
  kvParam,
  packParam,
  simpleParam,
  type TargetFn,
  webhookParam,
} from "./targets.ts";

/** Anyone, without credentials (logging in, the API description). */
export const PUBLIC = "public";
/** Any authenticated user; the handler may check more (e.g. own records). */
export const AUTHENTICATED = "authenticated";
/** Administrators only. */
export const ADMIN = "admin";

export interface RouteRule {
  method: string;
  /** Fastify route pattern (parameter names do not matter: `/actions/:ref` = `/actions/:id`). */
  path: string;
  permission: string;
  target?: TargetFn;
  /**
   * The request starts work that runs as someone (`user`, `context.user`): it runs as the
   * requester, and only administrators may name another user (StackStorm's rule).
   */
  actsAsRequester?: boolean;
}

/** Routes whose work runs as a user. */
const ACTING = new Set(["POST /executions", "POST /executions/:/re_run"]);

const API_PREFIXES = ["/api/v1", "/v1"];

const api: Array<[string, string, string, TargetFn?]> = [
  ["GET", "/", AUTHENTICATED],
  ["GET", "/user", AUTHENTICATED],
  ["GET", "/openapi.json", PUBLIC],

  ["GET", "/actions", "action_list"],
  ["POST", "/actions", "action_create", contentBody("action")],
  ["GET", "/actions/:ref", "action_view", contentParam("action")],
  ["PUT", "/actions/:ref", "action_modify", contentParam("action")],
  ["DELETE", "/actions/:ref", "action_delete", contentParam("action")],
  ["POST", "/actions/:ref/clone", "action_create", cloneDestination],
  ["GET", "/actions/views/parameters/:ref", "action_view", contentParam("action")],
  ["GET", "/actions/views/overview", "action_list"],
  ["GET", "/actions/views/overview/:ref", "action_view", contentParam("action")],
  ["GET", "/actions/views/entry_point/:ref", "action_view", contentParam("action")],

  ["GET", "/actionalias", "action_alias_list"],
  ["POST", "/actionalias", "action_alias_create", contentBody("action_alias")],
  ["GET", "/actionalias/:ref", "action_alias_view", contentParam("action_alias")],
  ["PUT", "/actionalias/:ref", "action_alias_modify", contentParam("action_alias")],
  ["DELETE", "/actionalias/:ref", "action_alias_delete", contentParam("action_alias")],
  ["POST", "/actionalias/match", "action_alias_match"],
  ["GET", "/actionalias/help", "action_alias_help"],
  ["POST", "/aliasexecution", "action_alias_match"],
  ["POST", "/aliasexecution/match_and_execute", "action_alias_match"],

  ["GET", "/executions", "execution_list"],
  ["POST", "/executions", "action_execute", actionInBody],
  ["GET", "/executions/views/filters", "execution_views_filters_list"],
  ["GET", "/executions/:id", "execution_view", executionParam()],
  ["PUT", "/executions/:id", "execution_stop", executionParam()],
  ["DELETE", "/executions/:id", "execution_stop", executionParam()],
  ["GET", "/executions/:id/output", "execution_view", executionParam()],
  ["GET", "/executions/:id/children", "execution_view", executionParam()],
  ["GET", "/executions/:id/result", "execution_view", executionParam()],
  ["GET", "/executions/:id/attribute/:attribute", "execution_view", executionParam()],
  ["POST", "/executions/:id/re_run", "execution_rerun", executionParam()],
  ["POST", "/executions/:id/pause", "execution_stop", executionParam()],
  ["POST", "/executions/:id/resume", "execution_stop", executionParam()],

  ["GET", "/inquiries", "inquiry_list"],
  ["GET", "/inquiries/:id", "inquiry_view"],
  ["PUT", "/inquiries/:id", "inquiry_respond"],

  ["GET", "/keys", "key_value_pair_list"],
  ["GET", "/keys/:name", "key_value_pair_view", kvParam],
  ["PUT", "/keys/:name", "key_value_pair_set", kvParam],
  ["DELETE", "/keys/:name", "key_value_pair_delete", kvParam],

  ["GET", "/packs", "pack_list"],
  ["POST", "/packs/install", "pack_install"],
  ["POST", "/packs/uninstall", "pack_uninstall"],
  ["POST", "/packs/register", "pack_register"],
  ["GET", "/packs/index", "pack_search"],
  ["POST", "/packs/index/search", "pack_search"],
  ["GET", "/packs/index/health", "pack_views_index_health"],
  ["GET", "/packs/views/files/:ref", "pack_view", packParam],
  ["GET", "/packs/views/file/:ref/*", "pack_view", packParam],
  ["GET", "/packs/:ref", "pack_view", packParam],

  ["GET", "/configs", "pack_list"],
  ["GET", "/configs/:ref", "pack_view", packParam],
  ["PUT", "/configs/:ref", "pack_config"],
  ["GET", "/config_schemas", "pack_list"],
  ["GET", "/config_schemas/:ref", "pack_view", packParam],

  ["GET", "/policytypes", "policy_type_list"],
  ["GET", "/policytypes/:ref", "policy_type_view", dottedParam("policy_type")],
  ["GET", "/policies", "policy_list"],
  ["POST", "/policies", "policy_create"],
  ["GET", "/policies/:ref", "policy_view", contentParam("policy")],
  ["PUT", "/policies/:ref", "policy_modify", contentParam("policy")],
  ["DELETE", "/policies/:ref", "policy_delete", contentParam("policy")],

  ["GET", "/rbac/permission_types", ADMIN],
  ["GET", "/rbac/permission_types/:type", ADMIN],
  ["GET", "/rbac/roles", ADMIN],
  ["GET", "/rbac/roles/:id", ADMIN],
  // Users may read their own assignments; the handler checks (StackStorm: admin or self).
  ["GET", "/rbac/role_assignments", AUTHENTICATED],
  ["GET", "/rbac/role_assignments/:id", AUTHENTICATED],

  ["GET", "/rules", "rule_list"],
  ["POST", "/rules", "rule_create", contentBody("rule")],
  ["GET", "/rules/views", "rule_list"],
  ["GET", "/rules/views/:ref", "rule_view", contentParam("rule")],
  ["GET", "/rules/:ref", "rule_view", contentParam("rule")],
  ["PUT", "/rules/:ref", "rule_modify", contentParam("rule")],
  ["DELETE", "/rules/:ref", "rule_delete", contentParam("rule")],
  ["GET", "/ruletypes", AUTHENTICATED],
  ["GET", "/ruletypes/:id", AUTHENTICATED],
  ["GET", "/ruleenforcements", "rule_enforcement_list"],
  ["GET", "/ruleenforcements/views", "rule_enforcement_list"],
  ["GET", "/ruleenforcements/views/:id", "rule_enforcement_view", enforcementParam],
  ["GET", "/ruleenforcements/:id", "rule_enforcement_view", enforcementParam],

  ["GET", "/runnertypes", "runner_type_list"],
  ["GET", "/runnertypes/:name", "runner_type_view", simpleParam("runner_type")],
  ["PUT", "/runnertypes/:name", "runner_type_modify", simpleParam("runner_type")],
  ["GET", "/sensortypes", "sensor_type_list"],
  ["GET", "/sensortypes/:ref", "sensor_type_view", contentParam("sensor_type")],
  ["PUT", "/sensortypes/:ref", "sensor_type_modify", contentParam("sensor_type")],

  ["GET", "/apikeys", "api_key_list"],
  ["POST", "/apikeys", "api_key_create"],
  ["GET", "/apikeys/:id", "api_key_view", apiKeyParam],
  ["PUT", "/apikeys/:id", "api_key_modify", apiKeyParam],
  ["DELETE", "/apikeys/:id", "api_key_delete", apiKeyParam],

  ["GET", "/triggertypes", "trigger_list"],
  ["POST", "/triggertypes", ADMIN],
  ["GET", "/triggertypes/:ref", "trigger_view", dottedParam("trigger")],
  ["PUT", "/triggertypes/:ref", ADMIN],
  ["DELETE", "/triggertypes/:ref", ADMIN],
  ["GET", "/triggers", "trigger_list"],
  ["POST", "/triggers", ADMIN],
  ["GET", "/triggers/:id", "trigger_view", simpleParam("trigger")],
  ["PUT", "/triggers/:id", ADMIN],
  ["DELETE", "/triggers/:id", ADMIN],
  ["GET", "/triggerinstances", "trigger_list"],
  ["GET", "/triggerinstances/:id", "trigger_view", simpleParam("trigger_instance")],
  ["POST", "/triggerinstances/:id/re_emit", ADMIN],
  ["POST", "/triggerinstances/:id/re-emit", ADMIN],
  ["POST", "/triggerinstances/:id/re_send", ADMIN],

  ["GET", "/timers", "timer_list"],
  ["GET", "/timers/:ref", "timer_view", simpleParam("timer")],
  ["GET", "/traces", "trace_list"],
  ["GET", "/traces/:id", "trace_view", simpleParam("trace")],
  ["GET", "/webhooks", "webhook_list"],
  ["GET", "/webhooks/:url", "webhook_view", webhookParam],
  ["POST", "/webhooks/*", "webhook_send", webhookParam],

  ["POST", "/workflows/inspect", AUTHENTICATED],
  ["GET", "/service_registry/groups", ADMIN],
  ["GET", "/service_registry/groups/:id/members", ADMIN],
];

const other: Array<[string, string, string, TargetFn?]> = [
  ["POST", "/auth/v1/tokens", PUBLIC],
  ["POST", "/auth/v1/tokens/validate", PUBLIC],
  ["GET", "/stream/v1/stream", "stream_view"],
  ["GET", "/stream/v1/executions/:id/output", "execution_view", executionParam()],
];

/** `/actions/:ref` and `/actions/:id` are the same route; so are `*` wildcards. */
export function normalizeRoute(path: string): string {
  const p = path
    .split("/")
    .map((seg) => (seg.startsWith(":") || seg === "*" ? ":" : seg))
    .join("/");
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

/**
 * Normalised route patterns, memoised: every request looks its rule up (twice), and a server
 * has a fixed, small set of patterns. Bounded all the same, in case a caller passes raw paths.
 */
const normalized = new Map<string, string>();

function key(method: string, path: string): string {
  let route = normalized.get(path);
  if (route === undefined) {
    route = normalizeRoute(path);
    if (normalized.size >= 1_000) normalized.clear();
    normalized.set(path, route);
  }
  return `${method === "HEAD" ? "GET" : method} ${route}`;
}

export function buildRouteTable(): Map<string, RouteRule> {
  const table = new Map<string, RouteRule>();
  const add = (
    method: string,
    path: string,
    permission: string,
    target?: TargetFn,
    acting = false,
  ) =>
    table.set(key(method, path), {
      method,
      path,
      permission,
      ...(target ? { target } : {}),
      ...(acting ? { actsAsRequester: true } : {}),
    });
  for (const [method, path, permission, target] of api) {
    const acting = ACTING.has(`${method} ${normalizeRoute(path)}`);
    for (const prefix of API_PREFIXES)
      add(method, path === "/" ? prefix : `${prefix}${path}`, permission, target, acting);
  }
  for (const [method, path, permission, target] of other) add(method, path, permission, target);
  return table;
}

const TABLE = buildRouteTable();

/** The rule for a registered route (its pattern as fastify reports it), if any. */
export function ruleFor(method: string, routeUrl: string): RouteRule | undefined {
  const rule = TABLE.get(key(method, routeUrl));
  if (rule) return rule;
  // The browsable API docs (swagger UI and its assets) are public, like the document itself.
  if (/^\/(api\/)?v1\/docs(\/|$)/.test(routeUrl) || routeUrl.startsWith("/docs"))
    return method === "GET" || method === "HEAD"
      ? { method, path: routeUrl, permission: PUBLIC }
      : undefined;
  return undefined;
}
