/**
 * StackStorm's datastore API: `GET /keys`, `GET|PUT|DELETE /keys/:name`, with `scope`, `user`,
 * `prefix` and `decrypt` as st2 defines them, so `st2 key …` and packs' API clients work as is.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { ValidationError } from "../../core/errors.ts";
import { ALL_SCOPE } from "../../engine/datastore/scope.ts";
import type { DatastoreService, SetRequest } from "../../engine/datastore/service.ts";
import { listOf, listQuery, responses } from "../openapi/schemas.ts";
import { listOptions, project, readOrdered, reversedOrder, sendPage } from "../paging.ts";

export interface KeyRoutesDeps {
  datastore: DatastoreService;
  /** The authenticated user, once auth exists; undefined means the system user. */
  requester?: (request: FastifyRequest) => string | undefined;
}

type Query = Record<string, string | undefined>;

/**
 * The body fields of st2's KeyValuePairSetAPI. `id`, `uid`, `name`, `description` and
 * `expire_timestamp` are accepted and ignored: st2client sends `id` (the name) on every set, and
 * a pair read from `GET` can be sent back unchanged.
 */
const BODY_FIELDS = new Set([
  "id",
  "uid",
  "name",
  "description",
  "value",
  "secret",
  "encrypted",
  "scope",
  "expire_timestamp",
  "ttl",
  "user",
]);

export function keyRoutes(app: FastifyInstance, deps: KeyRoutesDeps): void {
  const { datastore } = deps;
  const requester = (request: FastifyRequest) => deps.requester?.(request);

  app.get<{ Querystring: Query }>(
    "/keys",
    {
      schema: {
        description: "Lists key-value pairs of a scope (system by default), by name.",
        querystring: listQuery(["scope", "user", "prefix", "decrypt"]),
        response: responses(200, listOf("Key-value pairs.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      // Pairs are listed by name within a scope; `all` lists system then user pairs.
      const options = listOptions(q, { sortable: ["name"] });
      if (options.sort.length > 0 && q.scope === ALL_SCOPE)
        throw new ValidationError(
          "sort=name needs one scope (system or user); scope=all lists system pairs first",
          { field: "sort" },
        );
      const common = {
        ...addressing(q),
        requester: requester(request),
        decrypt: booleanParam(q.decrypt, "decrypt"),
        ...(q.prefix ? { prefix: q.prefix } : {}),
      };
      const page = await readOrdered(
        (p) => datastore.list({ ...common, ...p }),
        options.page,
        reversedOrder(options.sort, false),
      );
      return sendPage(
        reply,
        { total: page.total, items: page.items.map((k) => project(k, options)) },
        options.page.limit,
      );
    },
  );

  app.get<{ Params: { name: string }; Querystring: Query }>("/keys/:name", async (request) => {
    const q = request.query;
    return datastore.get(request.params.name, {
      ...addressing(q),
      requester: requester(request),
      decrypt: booleanParam(q.decrypt, "decrypt"),
    });
  });

  app.put<{ Params: { name: string }; Body: unknown }>("/keys/:name", async (request) => {
    return datastore.set(request.params.name, {
      ...setRequest(request.body),
      requester: requester(request),
    });
  });

  app.delete<{ Params: { name: string }; Querystring: Query }>(
    "/keys/:name",
    async (request, reply) => {
      await datastore.delete(request.params.name, {
        ...addressing(request.query),
        requester: requester(request),
      });
      return reply.code(204).send();
    },
  );
}

function addressing(q: Query): { scope?: string; user?: string } {
  return { ...(q.scope ? { scope: q.scope } : {}), ...(q.user ? { user: q.user } : {}) };
}

/** Query booleans as st2's router reads them (Python's `True` as well as `true`). */
export function booleanParam(raw: string | undefined, field: string): boolean {
  if (raw === undefined || raw === "") return false;
  const lower = raw.toLowerCase();
  if (lower === "true" || lower === "1") return true;
  if (lower === "false" || lower === "0") return false;
  throw new ValidationError(`${field} must be true or false, got "${raw}"`, { field });
}

/** Validates a PUT body against st2's KeyValuePairSetAPI schema. */
export function setRequest(body: unknown): Omit<SetRequest, "requester"> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError("request body must be a JSON object");
  }
  const b = body as Record<string, unknown>;
  for (const field of Object.keys(b)) {
    if (!BODY_FIELDS.has(field))
      throw new ValidationError(`Additional properties are not allowed ('${field}')`, { field });
  }
  if (typeof b.value !== "string") {
    // st2 stores strings only; a number or object is refused, not cast (`st2 key load -c`
    // converts on the client side instead).
    throw new ValidationError(
      b.value === undefined ? "'value' is a required property" : "value must be a string",
      { field: "value" },
    );
  }
  const request: Omit<SetRequest, "requester"> = { value: b.value };
  for (const field of ["secret", "encrypted"] as const) {
    const v = b[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== "boolean") throw new ValidationError(`${field} must be a boolean`, { field });
    request[field] = v;
  }
  for (const field of ["scope", "user"] as const) {
    const v = b[field];
    if (v === undefined || v === null || v === "") continue;
    if (typeof v !== "string") throw new ValidationError(`${field} must be a string`, { field });
    request[field] = v;
  }
  if (b.ttl !== undefined && b.ttl !== null) {
    if (typeof b.ttl !== "number" || !Number.isInteger(b.ttl))
      throw new ValidationError("ttl must be an integer number of seconds", { field: "ttl" });
    request.ttl = b.ttl;
  }
  return request;
}
