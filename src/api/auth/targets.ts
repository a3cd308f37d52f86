/**
 * How a route finds the resource a permission is checked on: from the path parameters (in the
 * order they appear in the route), the query or the body, with store lookups for ids.
 */

import type { ResourceTarget } from "../../engine/rbac/resolver.ts";

export type ContentType = "action" | "action_alias" | "rule" | "sensor_type" | "policy";

/** Store lookups the targets need, supplied by the node (ids → refs). */
export interface ResourceLookups {
  /** The ref of the action an execution runs. */
  executionAction(id: string): Promise<string | null>;
  /** The ref (`pack.name`) of a pack resource given by ref or id. */
  contentRef(type: ContentType, refOrId: string): Promise<string | null>;
  /** The ref of the rule a rule enforcement belongs to. */
  enforcementRule(id: string): Promise<string | null>;
  /** The key hash of an API key given by id or by the key itself. */
  apiKeyHash(idOrKey: string): string | null;
}

export interface TargetContext {
  params: string[];
  query: Record<string, unknown>;
  body: unknown;
  user: string;
  lookups: ResourceLookups;
}

/** Returns the target, or null when the resource cannot be identified (then only admins pass). */
export type TargetFn = (
  ctx: TargetContext,
) => Promise<ResourceTarget | null> | ResourceTarget | null;

function splitRef(ref: string): { pack: string; name: string } | null {
  const dot = ref.indexOf(".");
  if (dot <= 0 || dot === ref.length - 1) return null;
  return { pack: ref.slice(0, dot), name: ref.slice(dot + 1) };
}

function contentTarget(type: string, ref: string | null): ResourceTarget | null {
  const parts = ref === null ? null : splitRef(ref);
  if (!parts) return null;
  return { uid: `${type}:${parts.pack}:${parts.name}`, packUid: `pack:${parts.pack}` };
}

function field(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== "object") return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** A pack resource named by path parameter `index` (ref, or id resolved through the store). */
export const contentParam =
  (type: ContentType, index = 0): TargetFn =>
  async ({ params, lookups }) => {
    const value = params[index];
    if (value === undefined) return null;
    const ref = splitRef(value) ? value : await lookups.contentRef(type, value);
    return contentTarget(type, ref);
  };

/** A pack resource described by the request body (`ref`, or `pack` + `name`), for creates. */
export const contentBody =
  (type: ContentType): TargetFn =>
  ({ body }) => {
    const pack = field(body, "pack");
    const name = field(body, "name");
    return contentTarget(type, field(body, "ref") ?? (pack && name ? `${pack}.${name}` : null));
  };

/** An action clone's destination (`dest_pack`, `dest_action`). */
export const cloneDestination: TargetFn = ({ body }) => {
  const pack = field(body, "dest_pack");
  const name = field(body, "dest_action");
  return contentTarget("action", pack && name ? `${pack}.${name}` : null);
};

/** The action named by the body's `action` field (execution requests). */
export const actionInBody: TargetFn = ({ body }) =>
  contentTarget("action", field(body, "action") ?? null);

/** An execution named by path parameter `index`, judged by the action it runs. */
export const executionParam =
  (index = 0): TargetFn =>
  async ({ params, lookups }) => {
    const id = params[index];
    if (id === undefined) return null;
    const action = contentTarget("action", await lookups.executionAction(id));
    return action ? { uid: `execution:${id}`, parent: action } : null;
  };

export const enforcementParam: TargetFn = async ({ params, lookups }) => {
  const id = params[0];
  if (id === undefined) return null;
  const rule = contentTarget("rule", await lookups.enforcementRule(id));
  return rule ? { uid: `rule_enforcement:${id}`, parent: rule } : null;
};

export const packParam: TargetFn = ({ params }) =>
  params[0] ? { uid: `pack:${params[0]}`, packUid: `pack:${params[0]}` } : null;

/** `<type>:<param>` for resources whose UID is their name or id. */
export const simpleParam =
  (type: string, index = 0): TargetFn =>
  ({ params }) => {
    const v = params[index];
    return v === undefined ? null : { uid: `${type}:${v}` };
  };

/** Webhook URLs may hold slashes; the UID uses the url without leading/trailing ones. */
export const webhookParam: TargetFn = ({ params }) => {
  const url = (params[params.length - 1] ?? "").replace(/^\/+|\/+$/g, "");
  return url === "" ? null : { uid: `webhook:${url}` };
};

/** Refs `pack.name` become UIDs `<type>:pack:name` (triggers, policy types). */
export const dottedParam =
  (type: string): TargetFn =>
  ({ params }) => {
    const parts = params[0] ? splitRef(params[0]) : null;
    return parts
      ? { uid: `${type}:${parts.pack}:${parts.name}` }
      : { uid: `${type}:${params[0] ?? ""}` };
  };

export const apiKeyParam: TargetFn = ({ params, lookups }) => {
  const hash = params[0] ? lookups.apiKeyHash(params[0]) : null;
  return hash ? { uid: `api_key:${hash}` } : null;
};

/**
 * A datastore item: scope and user from the query (or body, for PUT), as st2's keys API takes
 * them; user-scoped names are stored as `<user>:<name>`.
 */
export const kvParam: TargetFn = ({ params, query, body, user }) => {
  const name = params[0];
  if (name === undefined) return null;
  const scopeRaw = String(query.scope ?? field(body, "scope") ?? "system");
  const owner = String(query.user ?? field(body, "user") ?? user);
  if (scopeRaw === "user" || scopeRaw === "st2kv.user") {
    const full = `${owner}:${name}`;
    return { uid: `key_value_pair:st2kv.user:${full}`, kv: { scope: "st2kv.user", name: full } };
  }
  return {
    uid: `key_value_pair:st2kv.system:${name}`,
    kv: { scope: "st2kv.system", name },
  };
};
