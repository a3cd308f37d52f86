/** StackStorm's policies (list, get, create, update, delete) and policy types (read). */

import type { FastifyInstance } from "fastify";
import type { PolicyDef } from "../../core/content/model.ts";
import { BUILTIN_POLICY_TYPES, type PolicyType } from "../../core/content/policy-types.ts";
import { POLICY_SCHEMA } from "../../core/content/schemas.ts";
import { validatePolicy } from "../../core/content/validate.ts";
import { ConflictError, NotFoundError } from "../../core/errors.ts";
import type { ApiContext } from "../context.ts";
import {
  anyObject,
  faultSchema,
  listOf,
  listQuery,
  pathParams,
  responses,
} from "../openapi/schemas.ts";
import { listOptions, pageInMemory, sendPage } from "../paging.ts";
import {
  bodySchema,
  NO_FILE,
  orRefuse,
  packOf,
  refuseSystemPack,
  requireSameIdentity,
} from "./content-write.ts";
import { collectAll, type Query } from "./reactor-query.ts";

const POLICY_BODY = bodySchema(POLICY_SCHEMA, "A policy (st2's PolicyAPI), as in a policy file.");

export function presentPolicy(policy: PolicyDef): Record<string, unknown> {
  return { id: policy.ref, ...policy };
}

/** st2's PolicyTypeAPI: addressed by `<resource_type>.<name>`, which is also its id. */
export function presentPolicyType(type: PolicyType): Record<string, unknown> {
  return {
    id: type.ref,
    uid: `policy_type:${type.resource_type}:${type.name}`,
    ...type,
    enabled: true,
  };
}

export function policyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const content = ctx.store.content;

  app.get<{ Querystring: Query }>(
    "/policies",
    {
      schema: {
        description: "Lists policies.",
        querystring: listQuery(["id", "name", "pack", "resource_ref", "policy_type"]),
        response: responses(200, listOf("Policies.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const options = listOptions(q, {
        sortable: ["ref", "name", "pack", "resource_ref", "policy_type"],
      });
      const ids = q.id ? new Set(q.id.split(",")) : undefined;
      const all = (
        await collectAll((p) =>
          content.listPolicies(
            {
              ...(q.pack ? { pack: q.pack } : {}),
              ...(q.resource_ref ? { resource_ref: q.resource_ref } : {}),
            },
            p,
          ),
        )
      )
        .filter(
          (x) =>
            (!ids || ids.has(x.ref)) &&
            (!q.name || x.name === q.name) &&
            (!q.policy_type || x.policy_type === q.policy_type),
        )
        .map(presentPolicy);
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  app.get<{ Params: { ref: string } }>(
    "/policies/:ref",
    {
      schema: {
        description: "One policy, by ref (which is also its id).",
        params: pathParams("ref"),
        response: responses(200, anyObject("The policy.")),
      },
    },
    async (request) => presentPolicy(await requirePolicy(request.params.ref)),
  );

  const requirePolicy = async (ref: string) => {
    const policy = await content.getPolicy(ref);
    if (!policy) throw new NotFoundError(`policy ${ref} is not registered`);
    return policy;
  };

  app.post<{ Body: Record<string, unknown> }>(
    "/policies",
    {
      schema: {
        description: "Creates a policy (in the database; the pack's files are not changed).",
        body: POLICY_BODY,
        response: responses(201, anyObject("The policy."), 400, 409),
      },
    },
    async (request, reply) => {
      const policy = orRefuse(
        validatePolicy(request.body, { pack: packOf(request.body), file: NO_FILE }),
      );
      if (await content.getPolicy(policy.ref))
        throw new ConflictError(`policy ${policy.ref} already exists; update it with PUT`);
      await content.upsertPolicy(policy);
      void reply.code(201);
      return presentPolicy(policy);
    },
  );

  app.put<{ Params: { ref: string }; Body: Record<string, unknown> }>(
    "/policies/:ref",
    {
      schema: {
        description: "Replaces a policy's definition.",
        params: pathParams("ref"),
        body: POLICY_BODY,
        response: responses(200, anyObject("The policy.")),
      },
    },
    async (request) => {
      const existing = await requirePolicy(request.params.ref);
      refuseSystemPack(existing.pack);
      const body = requireSameIdentity(request.body, existing, "policy");
      const policy = orRefuse(
        validatePolicy(body, { pack: existing.pack, file: existing.metadata_file }),
      );
      await content.upsertPolicy(policy);
      return presentPolicy(policy);
    },
  );

  app.delete<{ Params: { ref: string } }>(
    "/policies/:ref",
    {
      schema: {
        description: "Deletes a policy.",
        params: pathParams("ref"),
        response: {
          204: { description: "Deleted.", type: "null" },
          400: faultSchema,
          404: faultSchema,
        },
      },
    },
    async (request, reply) => {
      const existing = await requirePolicy(request.params.ref);
      refuseSystemPack(existing.pack);
      await content.deletePolicy(existing.ref);
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: Query }>(
    "/policytypes",
    {
      schema: {
        description: "Lists policy types.",
        querystring: listQuery(["id", "name", "resource_type"]),
        response: responses(200, listOf("Policy types.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const options = listOptions(q, { sortable: ["ref", "name", "resource_type"] });
      const ids = q.id ? new Set(q.id.split(",")) : undefined;
      const all = BUILTIN_POLICY_TYPES.filter(
        (t) =>
          (!ids || ids.has(t.ref)) &&
          (!q.name || t.name === q.name || t.ref === q.name) &&
          (!q.resource_type || t.resource_type === q.resource_type),
      ).map(presentPolicyType);
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  app.get<{ Params: { ref: string } }>(
    "/policytypes/:ref",
    {
      schema: {
        description: "One policy type, by ref (e.g. action.concurrency).",
        params: pathParams("ref"),
        response: responses(200, anyObject("The policy type.")),
      },
    },
    async (request) => {
      const type = BUILTIN_POLICY_TYPES.find((t) => t.ref === request.params.ref);
      if (!type) throw new NotFoundError(`policy type ${request.params.ref} does not exist`);
      return presentPolicyType(type);
    },
  );
}
