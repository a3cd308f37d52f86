/**
 * StackStorm's API key endpoints (`/apikeys`): list, get, create, update, delete. Only the key's
 * hash is stored; the key itself is in the create answer and nowhere else. `key_hash` and `uid`
 * are masked unless an administrator asks for `show_secrets`.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { ValidationError } from "../../core/errors.ts";
import { AccessDeniedError } from "../../engine/auth/errors.ts";
import type { AuthService } from "../../engine/auth/service.ts";
import type { ApiKeyRow } from "../../engine/auth/store.ts";
import { MASK } from "../../engine/logger.ts";
import { mayShowSecrets } from "../auth/plugin.ts";
import { listPage, sendPage } from "../paging.ts";

export interface ApiKeyRoutesDeps {
  auth: AuthService;
}

const FIELDS = new Set(["id", "uid", "user", "key_hash", "metadata", "created_at", "enabled"]);

export function presentApiKey(row: ApiKeyRow, showSecrets: boolean): Record<string, unknown> {
  return {
    id: row.id,
    uid: showSecrets ? `api_key:${row.key_hash}` : MASK,
    user: row.user,
    key_hash: showSecrets ? row.key_hash : MASK,
    metadata: row.metadata,
    created_at: row.created_at,
    enabled: row.enabled,
  };
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body))
    throw new ValidationError("the request body must be a JSON object", { field: "body" });
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b))
    if (!FIELDS.has(key)) throw new ValidationError(`unknown field "${key}"`, { field: key });
  if (b.user !== undefined && (typeof b.user !== "string" || b.user === ""))
    throw new ValidationError("user must be a non-empty string", { field: "user" });
  if (b.enabled !== undefined && typeof b.enabled !== "boolean")
    throw new ValidationError("enabled must be true or false", { field: "enabled" });
  if (
    b.metadata !== undefined &&
    b.metadata !== null &&
    (typeof b.metadata !== "object" || Array.isArray(b.metadata))
  )
    throw new ValidationError("metadata must be an object", { field: "metadata" });
  return b;
}

/** Only administrators may make or move keys for someone else (StackStorm's "user" rule). */
function assertMayActFor(request: FastifyRequest, owner: string | undefined): void {
  const me = request.squallUser;
  if (!me || me.isAdmin || owner === undefined || owner === me.name) return;
  throw new AccessDeniedError(
    '"user" attribute can only be provided by admins when RBAC is enabled',
    me.name,
  );
}

export function apiKeyRoutes(app: FastifyInstance, deps: ApiKeyRoutesDeps): void {
  app.get<{ Querystring: Record<string, string> }>("/apikeys", async (request, reply) => {
    const page = listPage(request.query);
    const filter = request.query.user ? { user: request.query.user } : {};
    const result = deps.auth.listApiKeys(filter, {
      limit: page.limit ?? 1_000_000,
      offset: page.offset,
    });
    const show = mayShowSecrets(request);
    return sendPage(
      reply,
      { items: result.items.map((r) => presentApiKey(r, show)), total: result.total },
      page.limit,
    );
  });

  app.get<{ Params: { id: string } }>("/apikeys/:id", async (request) =>
    presentApiKey(deps.auth.getApiKey(request.params.id), mayShowSecrets(request)),
  );

  app.post("/apikeys", async (request, reply) => {
    const body = bodyObject(request.body);
    const user = (body.user as string | undefined) ?? request.squallUser?.name ?? "";
    if (user === "") throw new ValidationError("user is required", { field: "user" });
    assertMayActFor(request, user);
    const { row, key } = deps.auth.createApiKey(
      user,
      (body.metadata as Record<string, unknown> | undefined) ?? {},
    );
    request.log.info({ apiKeyId: row.id, user }, "API key created");
    const { key_hash: _hash, ...shown } = presentApiKey(row, false);
    return reply.code(201).send({ ...shown, key });
  });

  app.put<{ Params: { id: string } }>("/apikeys/:id", async (request) => {
    const body = bodyObject(request.body);
    const current = deps.auth.getApiKey(request.params.id);
    if (
      typeof body.key_hash === "string" &&
      body.key_hash !== MASK &&
      body.key_hash !== current.key_hash
    )
      throw new ValidationError("Update of key_hash is not allowed.", { field: "key_hash" });
    assertMayActFor(request, body.user as string | undefined);
    const row = deps.auth.updateApiKey(current.id, {
      ...(body.user !== undefined ? { user: body.user as string } : {}),
      ...(body.metadata !== undefined && body.metadata !== null
        ? { metadata: body.metadata as Record<string, unknown> }
        : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled as boolean } : {}),
    });
    return presentApiKey(row, mayShowSecrets(request));
  });

  app.delete<{ Params: { id: string } }>("/apikeys/:id", async (request, reply) => {
    deps.auth.deleteApiKey(request.params.id);
    return reply.code(204).send();
  });
}
