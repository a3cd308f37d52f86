/**
 * st2auth's token endpoint, served under /auth/v1: `POST /tokens` with HTTP Basic credentials
 * (optional body `{ttl}`) answers 201 with `{id, user, token, expiry, metadata}`;
 * `POST /tokens/validate` with `{token}` answers `{valid}`.
 */

import type { FastifyInstance } from "fastify";
import { ValidationError } from "../../core/errors.ts";
import { AuthenticationError } from "../../engine/auth/errors.ts";
import { type AuthService, INVALID_CREDENTIALS } from "../../engine/auth/service.ts";

export interface AuthRoutesDeps {
  auth: AuthService;
}

/** `Basic base64(user:password)` → the pair; anything else → 401 with StackStorm's message. */
export function basicCredentials(header: string | undefined): { user: string; password: string } {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? "");
  if (!m?.[1]) throw new AuthenticationError(INVALID_CREDENTIALS);
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) throw new AuthenticationError(INVALID_CREDENTIALS);
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function ttlFrom(body: unknown): number | undefined {
  if (body === undefined || body === null || body === "") return undefined;
  if (typeof body !== "object" || Array.isArray(body))
    throw new ValidationError('the request body must be a JSON object such as {"ttl": 3600}', {
      field: "body",
    });
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b))
    if (key !== "ttl" && key !== "user" && key !== "metadata")
      throw new ValidationError(`unknown field "${key}"`, { field: key });
  if (b.ttl === undefined || b.ttl === null) return undefined;
  if (typeof b.ttl !== "number" || !Number.isInteger(b.ttl) || b.ttl < 1)
    throw new ValidationError(`ttl must be a positive integer number of seconds`, {
      field: "ttl",
    });
  return b.ttl;
}

export function authRoutes(app: FastifyInstance, deps: AuthRoutesDeps): void {
  app.post("/tokens", async (request, reply) => {
    const { user, password } = basicCredentials(request.headers.authorization);
    const ttl = ttlFrom(request.body);
    const token = await deps.auth.login(user, password, ttl);
    request.log.info({ user, expiry: token.expiry }, "access granted");
    return reply.code(201).send(token);
  });

  app.post("/tokens/validate", async (request) => {
    const body = request.body as Record<string, unknown> | null | undefined;
    const token = body && typeof body.token === "string" ? body.token : undefined;
    if (token === undefined)
      throw new ValidationError('the body must be {"token": "<token>"}', { field: "token" });
    return { valid: deps.auth.isValidToken(token) };
  });
}
