/**
 * Authentication and authorization for every route, installed once on the root server:
 * - onRequest: finds the credentials where StackStorm looks (X-Auth-Token and St2-Api-Key
 *   headers, x-auth-token and st2-api-key query parameters, the auth-token cookie), validates
 *   them and puts the user on `request.squallUser`; 401 with the reason otherwise;
 * - preHandler (after the body is parsed): checks the permission the route table names, on the
 *   resource it points at; 403 with the reason otherwise.
 */

import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  preHandlerHookHandler,
} from "fastify";
import { AccessDeniedError, AuthenticationError } from "../../engine/auth/errors.ts";
import type { AuthService } from "../../engine/auth/service.ts";
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

/** The first credential present, in StackStorm's order (looked for lazily: most carry a header). */
export function findCredential(request: FastifyRequest): Found | undefined {
  let value = header(request, "x-auth-token");
  if (value !== undefined) return { value, kind: "token", location: "header" };
  value = header(request, "st2-api-key");
  if (value !== undefined) return { value, kind: "apikey", location: "header" };
  value = queryParam(request, "x-auth-token");
  if (value !== undefined) return { value, kind: "token", location: "query" };
  value = queryParam(request, "st2-api-key");
  if (value !== undefined) return { value, kind: "apikey", location: "query" };
  value = cookieValue(header(request, "cookie"), "auth-token");
  if (value !== undefined) return { value, kind: "token", location: "cookie" };
  return undefined;
}

function userFor(
  deps: AuthDeps,
  name: string,
  authentication: SquallUser["authentication"],
): SquallUser {
  return {
    name,
    roles: deps.rbac.rolesFor(name).map((r) => r.name),
    isAdmin: deps.rbac.isAdmin(name),
    authentication,
  };
}

/** Answers 401/403 with the reason; the hook then does not call `done`, so fastify stops there. */
function refuse(reply: FastifyReply, err: AuthenticationError | AccessDeniedError): FastifyReply {
  const status = err instanceof AuthenticationError ? 401 : 403;
  const faultstring =
    err instanceof AuthenticationError ? `Unauthorized - ${err.message}` : err.message;
  return reply.code(status).send({ faultstring });
}

type Done = (err?: Error) => void;
type Rule = ReturnType<typeof ruleFor>;

/**
 * onRequest: who is asking. Refuses with 401 (not calling `done`, so fastify stops) when
 * credentials are required and missing or invalid.
 */
function authenticate(
  deps: AuthDeps,
  rule: Rule,
  request: FastifyRequest,
  reply: FastifyReply,
  done: Done,
): void {
  if (rule?.permission === PUBLIC) {
    done();
    return;
  }
  if (!deps.auth) {
    request.squallUser = userFor(deps, deps.systemUser, { method: "none", location: "none" });
    done();
    return;
  }
  const found = findCredential(request);
  if (!found) {
    refuse(reply, new AuthenticationError("One of Token or API key required."));
    return;
  }
  try {
    const principal =
      found.kind === "token"
        ? deps.auth.validateToken(found.value)
        : deps.auth.validateApiKey(found.value);
    request.squallUser = userFor(deps, principal.user, {
      method: principal.method,
      location: found.location,
      ...(principal.expiry !== undefined ? { tokenExpire: principal.expiry } : {}),
    });
    // A token given in the URL (a browser following a link) is kept in a cookie, as st2 does.
    if (found.kind === "token" && found.location === "query" && principal.expiry !== undefined) {
      const maxAge = Math.max(0, Math.floor((principal.expiry - Date.now()) / 1000));
      void reply.header(
        "set-cookie",
        `auth-token=${encodeURIComponent(found.value)}; Max-Age=${maxAge}; Path=/; HttpOnly`,
      );
    }
  } catch (err) {
    if (err instanceof AuthenticationError) {
      refuse(reply, err);
      return;
    }
    throw err;
  }
  done();
}

/** preHandler (the body is parsed): may this user do this? Refuses with 403 otherwise. */
function authorizeRequest(
  deps: AuthDeps,
  rule: Rule,
  url: string,
  request: FastifyRequest,
  reply: FastifyReply,
  done: Done,
): void {
  if (rule?.permission === PUBLIC) {
    done();
    return;
  }
  const user = request.squallUser;
  if (!user) {
    refuse(reply, new AuthenticationError("One of Token or API key required."));
    return;
  }
  request.squallAuthorize = assertFor.bind(null, deps.rbac, user);
  let pending: Promise<void> | undefined;
  try {
    pending = authorize(deps, request, user, rule, url);
  } catch (err) {
    refuseOrFail(reply, done, err);
    return;
  }
  // Callback hooks, not async ones: most requests need no lookup, and then cost no promise.
  if (pending)
    pending.then(
      () => done(),
      (err: unknown) => refuseOrFail(reply, done, err),
    );
  else done();
}

/**
 * `request.squallAuthorize`, bound per request rather than written as a closure there: the
 * TypeScript loader names every closure it creates, which costs more than the check itself.
 */
function assertFor(rbac: Rbac, user: SquallUser, permission: string, target?: ResourceTarget) {
  if (!user.isAdmin) rbac.assert(user.name, permission, target);
}

function refuseOrFail(reply: FastifyReply, done: Done, err: unknown): void {
  if (err instanceof AccessDeniedError) refuse(reply, err);
  else done(err as Error);
}

/** A route's hooks, by method (a route may serve several, each with its own rule). */
function rulesByMethod(methods: string[], url: string): (method: string) => Rule {
  const [only, ...others] = methods;
  if (only !== undefined && others.length === 0) {
    const rule = ruleFor(only, url);
    return () => rule;
  }
  const rules = new Map(methods.map((m) => [m, ruleFor(m, url)]));
  return (method) => (rules.has(method) ? rules.get(method) : ruleFor(method, url));
}

function prepend<T>(hook: T, existing: T | T[] | undefined): T[] {
  if (existing === undefined) return [hook];
  return [hook, ...(Array.isArray(existing) ? existing : [existing])];
}

export function installAuth(app: FastifyInstance, deps: AuthDeps): void {
  // Each route gets its own hooks, holding its rule: nothing is looked up per request.
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) deps.registered?.push({ method, url: route.url });
    const url = route.url;
    const ruleOf = rulesByMethod(methods, url);
    if (methods.every((m) => ruleOf(m)?.permission === PUBLIC)) return;
    route.onRequest = prepend<onRequestHookHandler>(
      (request, reply, done) => authenticate(deps, ruleOf(request.method), request, reply, done),
      route.onRequest,
    );
    route.preHandler = prepend<preHandlerHookHandler>(
      (request, reply, done) =>
        authorizeRequest(deps, ruleOf(request.method), url, request, reply, done),
      route.preHandler,
    );
  });
  // Requests no route matches (answered 404) still need valid credentials, checked first.
  app.addHook("onRequest", (request, reply, done) => {
    if (request.is404) authenticate(deps, undefined, request, reply, done);
    else done();
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

/** Checks the request's permission; a promise only when finding its resource takes a lookup. */
function authorize(
  deps: AuthDeps,
  request: FastifyRequest,
  user: SquallUser,
  rule: Rule,
  url: string,
): Promise<void> | undefined {
  if (rule?.actsAsRequester) applyRequester(request, user);
  if (user.isAdmin) return;
  if (!rule)
    throw new AccessDeniedError(
      `User "${user.name}" may not use ${request.method} ${url}: the route has no permission rule, so only administrators may`,
      user.name,
    );
  if (rule.permission === AUTHENTICATED) return;
  if (rule.permission === ADMIN) {
    deps.rbac.assertAdmin(user.name);
    return;
  }
  if (!rule.target) {
    deps.rbac.assert(user.name, rule.permission, undefined);
    return;
  }
  const found = rule.target({
    params: Object.values((request.params ?? {}) as Record<string, string>),
    query: (request.query ?? {}) as Record<string, unknown>,
    body: request.body,
    user: user.name,
    lookups: deps.lookups,
  });
  const check = (target: ResourceTarget | null) => {
    if (target === null)
      throw new AccessDeniedError(
        `User "${user.name}" doesn't have required permission "${rule.permission}" (the resource could not be identified)`,
        user.name,
        rule.permission,
      );
    deps.rbac.assert(user.name, rule.permission, target);
  };
  if (found !== null && "then" in found) return found.then(check);
  check(found);
  return undefined;
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
