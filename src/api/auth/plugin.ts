/**
 * Authentication and authorization for every route, installed once on the root server:
 * - onRequest: finds the credentials where StackStorm looks (X-Auth-Token and St2-Api-Key
 *   headers, x-auth-token and st2-api-key query parameters, the auth-token cookie), validates
 *   them and puts the user on `request.squallUser`; 401 with the reason otherwise;
 * - preHandler (after the body is parsed): checks the permission the route table names, on the
 *   resource it points at; 403 with the reason otherwise.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AccessDeniedError, AuthenticationError } from "../../engine/auth/errors.ts";
import type { AuthService, Principal } from "../../engine/auth/service.ts";
import type { Rbac, ResourceTarget } from "../../engine/rbac/resolver.ts";
import { ADMIN, AUTHENTICATED, PUBLIC, ruleFor } from "./route-table.ts";
import type { ResourceLookups } from "./targets.ts";

export interface SquallUser {
  name: string;
  roles: string[];
  isAdmin: boolean;
  /** How the request proved who it is (StackStorm's `auth_info`). */
  authentication: {
    method: "authentication token" | "API key" | "none";
    location: "header" | "query" | "cookie" | "none";
    /** Token expiry (ms since the epoch), for tokens. */
    tokenExpire?: number;
  };
}

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller; set on every request that reached a handler. */
    squallUser?: SquallUser;
    /**
     * Checks a further permission a handler finds it needs once it knows the resource (an alias
     * execution runs an action: `action_execute` on it); throws AccessDeniedError. Absent when
     * no authorization is installed.
     */
    squallAuthorize?: (permission: string, target?: ResourceTarget) => void;
  }
}

export interface AuthDeps {
  /** Null when authentication is turned off: every request acts as `systemUser`. */
  auth: AuthService | null;
  rbac: Rbac;
  lookups: ResourceLookups;
  systemUser: string;
  /** Filled with every route the server registers (for the route-table coverage check). */
  registered?: Array<{ method: string; url: string }>;
}

interface Found {
  value: string;
  kind: "token" | "apikey";
  location: "header" | "query" | "cookie";
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === "" ? undefined : s;
}

function queryParam(request: FastifyRequest, name: string): string | undefined {
  const q = request.query as Record<string, unknown> | undefined;
  const v = q?.[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw) || undefined;
      } catch {
        return raw || undefined;
      }
    }
  }
  return undefined;
}

/** The first credential present, in StackStorm's order. */
export function findCredential(request: FastifyRequest): Found | undefined {
  const candidates: Array<[string | undefined, Found["kind"], Found["location"]]> = [
    [header(request, "x-auth-token"), "token", "header"],
    [header(request, "st2-api-key"), "apikey", "header"],
    [queryParam(request, "x-auth-token"), "token", "query"],
    [queryParam(request, "st2-api-key"), "apikey", "query"],
    [cookieValue(header(request, "cookie"), "auth-token"), "token", "cookie"],
  ];
  for (const [value, kind, location] of candidates)
    if (value !== undefined) return { value, kind, location };
  return undefined;
}

function userFor(deps: AuthDeps, principal: Principal, location: Found["location"]): SquallUser {
  return {
    name: principal.user,
    roles: deps.rbac.rolesFor(principal.user).map((r) => r.name),
    isAdmin: deps.rbac.isAdmin(principal.user),
    authentication: {
      method: principal.method,
      location,
      ...(principal.expiry !== undefined ? { tokenExpire: principal.expiry } : {}),
    },
  };
}

function routeUrl(request: FastifyRequest): string | undefined {
  return request.routeOptions.url;
}

/** Answers 401/403 with the reason; the hook returns the reply so fastify stops there. */
function refuse(reply: FastifyReply, err: AuthenticationError | AccessDeniedError): FastifyReply {
  const status = err instanceof AuthenticationError ? 401 : 403;
  const faultstring =
    err instanceof AuthenticationError ? `Unauthorized - ${err.message}` : err.message;
  return reply.code(status).send({ faultstring });
}

export function installAuth(app: FastifyInstance, deps: AuthDeps): void {
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) deps.registered?.push({ method, url: route.url });
  });
  app.addHook("onRequest", async (request, reply) => {
    const url = routeUrl(request);
    const rule = url === undefined ? undefined : ruleFor(request.method, url);
    if (rule?.permission === PUBLIC) return;
    if (!deps.auth) {
      request.squallUser = userFor(deps, { user: deps.systemUser, method: "API key" }, "header");
      request.squallUser.authentication = { method: "none", location: "none" };
      return;
    }
    const found = findCredential(request);
    if (!found) return refuse(reply, new AuthenticationError("One of Token or API key required."));
    try {
      const principal =
        found.kind === "token"
          ? deps.auth.validateToken(found.value)
          : deps.auth.validateApiKey(found.value);
      request.squallUser = userFor(deps, principal, found.location);
      // A token given in the URL (a browser following a link) is kept in a cookie, as st2 does.
      if (found.kind === "token" && found.location === "query" && principal.expiry !== undefined) {
        const maxAge = Math.max(0, Math.floor((principal.expiry - Date.now()) / 1000));
        void reply.header(
          "set-cookie",
          `auth-token=${encodeURIComponent(found.value)}; Max-Age=${maxAge}; Path=/; HttpOnly`,
        );
      }
    } catch (err) {
      if (err instanceof AuthenticationError) return refuse(reply, err);
      throw err;
    }
  });

  app.addHook("preHandler", async (request, reply) => {
    const url = routeUrl(request);
    if (url === undefined) return; // 404: nothing to protect
    const rule = ruleFor(request.method, url);
    if (rule?.permission === PUBLIC) return;
    const user = request.squallUser;
    if (!user) return refuse(reply, new AuthenticationError("One of Token or API key required."));
    request.squallAuthorize = (permission, target) => {
      if (!user.isAdmin) deps.rbac.assert(user.name, permission, target);
    };
    try {
      await authorize(deps, request, user, rule, url);
    } catch (err) {
      if (err instanceof AccessDeniedError) return refuse(reply, err);
      throw err;
    }
  });
}

/** The user a request names for its work: body `user`, body `context.user`, St2-Context `user`. */
function namedUsers(request: FastifyRequest): string[] {
  const names: string[] = [];
  const body = request.body as Record<string, unknown> | null | undefined;
  if (body && typeof body === "object") {
    if (typeof body.user === "string" && body.user !== "") names.push(body.user);
    const ctx = body.context as Record<string, unknown> | undefined;
    if (ctx && typeof ctx === "object" && typeof ctx.user === "string") names.push(ctx.user);
  }
  const header = request.headers["st2-context"];
  if (typeof header === "string") {
    try {
      const parsed = JSON.parse(header) as Record<string, unknown> | null;
      if (parsed && typeof parsed.user === "string") names.push(parsed.user);
    } catch {
      // The handler reports a malformed header.
    }
  }
  return names;
}

/**
 * Work started by a request runs as the requester (StackStorm: `user = body.user or
 * requester`); naming someone else is for administrators only. The requester is written into
 * the body's `user` when it names nobody, which the execution handlers record as `context.user`.
 */
function applyRequester(request: FastifyRequest, user: SquallUser): void {
  const named = namedUsers(request);
  if (!user.isAdmin && named.some((n) => n !== user.name))
    throw new AccessDeniedError(
      '"user" attribute can only be provided by admins when RBAC is enabled',
      user.name,
    );
  const body = request.body;
  if (named.length === 0 && body !== null && typeof body === "object" && !Array.isArray(body))
    (body as Record<string, unknown>).user = user.name;
}

async function authorize(
  deps: AuthDeps,
  request: FastifyRequest,
  user: SquallUser,
  rule: ReturnType<typeof ruleFor>,
  url: string,
): Promise<void> {
  if (rule?.actsAsRequester) applyRequester(request, user);
  if (user.isAdmin) return;
  if (!rule)
    throw new AccessDeniedError(
      `User "${user.name}" may not use ${request.method} ${url}: the route has no permission rule, so only administrators may`,
      user.name,
    );
  if (rule.permission === AUTHENTICATED) return;
  if (rule.permission === ADMIN) return deps.rbac.assertAdmin(user.name);
  let target: ResourceTarget | undefined;
  if (rule.target) {
    const found = await rule.target({
      params: Object.values((request.params ?? {}) as Record<string, string>),
      query: (request.query ?? {}) as Record<string, unknown>,
      body: request.body,
      user: user.name,
      lookups: deps.lookups,
    });
    if (found === null)
      throw new AccessDeniedError(
        `User "${user.name}" doesn't have required permission "${rule.permission}" (the resource could not be identified)`,
        user.name,
        rule.permission,
      );
    target = found;
  }
  deps.rbac.assert(user.name, rule.permission, target);
}

/** Whether the request asked for secrets in clear (`show_secrets=true`) and may see them: administrators only. */
export function mayShowSecrets(request: FastifyRequest): boolean {
  if (request.squallUser?.isAdmin !== true) return false;
  const v = (request.query as Record<string, unknown> | undefined)?.show_secrets;
  return v === "true" || v === "True" || v === "1" || v === true;
}

/** The authenticated user's name, for handlers that record who did something. */
export function requesterOf(request: FastifyRequest): string | undefined {
  return request.squallUser?.name;
}
