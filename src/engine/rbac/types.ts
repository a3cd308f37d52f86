/**
 * StackStorm's RBAC vocabulary: resource types, the permission types valid for each, which
 * permission types are global (granted without a resource), and the system roles. Role files
 * written for StackStorm use these exact names.
 */

export const SYSTEM_ROLES = ["system_admin", "admin", "observer"] as const;
export type SystemRole = (typeof SYSTEM_ROLES)[number];

/** Roles whose holders may do anything, including seeing secrets. */
export const ADMIN_ROLES: ReadonlySet<string> = new Set(["system_admin", "admin"]);

const crud = (t: string, names: string[]) => names.map((n) => `${t}_${n}`);

/** Permission types per resource type, as StackStorm lists them (pack also takes its content's). */
export const RESOURCE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  runner_type: crud("runner_type", ["list", "view", "modify", "all"]),
  pack: [
    ...crud("pack", [
      "list",
      "view",
      "create",
      "modify",
      "delete",
      "install",
      "uninstall",
      "register",
      "config",
      "search",
      "views_index_health",
      "all",
    ]),
    ...crud("sensor_type", ["view", "modify", "all"]),
    ...crud("action", ["view", "create", "modify", "delete", "execute", "all"]),
    ...crud("action_alias", ["view", "create", "modify", "delete", "all"]),
    ...crud("rule", ["view", "create", "modify", "delete", "all"]),
  ],
  sensor_type: crud("sensor_type", ["list", "view", "modify", "all"]),
  action: crud("action", ["list", "view", "create", "modify", "delete", "execute", "all"]),
  action_alias: crud("action_alias", [
    "list",
    "view",
    "create",
    "modify",
    "match",
    "help",
    "delete",
    "all",
  ]),
  rule: crud("rule", ["list", "view", "create", "modify", "delete", "all"]),
  rule_enforcement: crud("rule_enforcement", ["list", "view"]),
  execution: crud("execution", ["list", "view", "rerun", "stop", "all", "views_filters_list"]),
  key_value_pair: crud("key_value_pair", ["list", "view", "set", "delete", "all"]),
  webhook: crud("webhook", ["list", "view", "create", "send", "delete", "all"]),
  timer: crud("timer", ["list", "view", "all"]),
  api_key: crud("api_key", ["list", "view", "create", "modify", "delete", "all"]),
  trace: crud("trace", ["list", "view", "all"]),
  trigger: crud("trigger", ["list", "view", "all"]),
  policy_type: crud("policy_type", ["list", "view", "all"]),
  policy: crud("policy", ["list", "view", "create", "modify", "delete", "all"]),
  inquiry: crud("inquiry", ["list", "view", "respond", "all"]),
};

/** Every permission type, including `stream_view` (which belongs to no resource map entry). */
export const ALL_PERMISSION_TYPES: ReadonlySet<string> = new Set([
  ...Object.values(RESOURCE_PERMISSIONS).flat(),
  "stream_view",
]);

/** Permission types that apply system-wide rather than to one resource. */
export const GLOBAL_PERMISSION_TYPES: ReadonlySet<string> = new Set([
  "pack_install",
  "pack_uninstall",
  "pack_create",
  "pack_register",
  "pack_config",
  "pack_search",
  "pack_views_index_health",
  "action_alias_match",
  "action_alias_help",
  "api_key_create",
  "policy_create",
  "execution_views_filters_list",
  "stream_view",
  "inquiry_list",
  "inquiry_respond",
  "inquiry_view",
  ...[...ALL_PERMISSION_TYPES].filter((p) => p.endsWith("_list")),
]);

/** Resource types whose resources live in a pack, so a `pack:<name>` grant covers them. */
export const PACK_CONTENT_TYPES: ReadonlySet<string> = new Set([
  "action",
  "action_alias",
  "rule",
  "sensor_type",
  "policy",
]);

/** `action_execute` → `action`; the two-word special cases are resolved first. */
export function resourceTypeOf(permission: string): string {
  if (permission === "pack_views_index_health") return "pack";
  if (permission === "execution_views_filters_list") return "execution";
  return permission.slice(0, permission.lastIndexOf("_"));
}

/** `action_execute` → `execute`. */
export function permissionNameOf(permission: string): string {
  if (permission === "pack_views_index_health") return "views_index_health";
  if (permission === "execution_views_filters_list") return "views_filters_list";
  return permission.slice(permission.lastIndexOf("_") + 1);
}

const WHAT: Record<string, string> = {
  list: "List every %s.",
  view: "Read one %s.",
  create: "Create a %s (implies view).",
  modify: "Change an existing %s (implies view).",
  delete: "Remove a %s (implies view).",
  execute: "Run the %s (implies view).",
  all: "Everything that can be done with a %s.",
  rerun: "Run an %s again.",
  stop: "Cancel, pause or resume an %s.",
  send: "POST data to a %s.",
  set: "Write a %s.",
  respond: "Answer an %s.",
  match: "Match text against %s definitions.",
  help: "Read %s help.",
  install: "Install %ss.",
  uninstall: "Uninstall %ss.",
  register: "Register %ss and their content.",
  config: "Configure a %s.",
  search: "Search the %s index.",
  views_index_health: "Check the health of %s indexes.",
  views_filters_list: "List the distinct %s filter values.",
};

/** A one-line description (Squall's own wording) for the permission-types view. */
export function describePermission(permission: string): string {
  if (permission === "stream_view") return "Listen to the event stream.";
  const type = resourceTypeOf(permission).replaceAll("_", " ");
  const template = WHAT[permissionNameOf(permission)] ?? "%s permission.";
  return template.replace("%s", type);
}
