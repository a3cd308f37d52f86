/** StackStorm's policies (list, get, create, update, delete) and policy types (read). */

import type { FastifyInstance } from "fastify";
import type { PolicyDef } from "../../core/content/model.ts";
import { BUILTIN_POLICY_TYPES, type PolicyType } from "../../core/content/policy-types.ts";
import { POLICY_SCHEMA } from "../../core/content/schemas.ts";
import { validatePolicy } from "../../core/content/validate.ts";
import { NotFoundError } from "../../core/errors.ts";
import type { ApiContext } from "../context.ts";
import { anyObject, listOf, listQuery, pathParams, responses } from "../openapi/schemas.ts";
import { listOptions, pageInMemory, sendPage } from "../paging.ts";
import { bodySchema, contentWriteRoutes, orRefuse } from "./content-write.ts";
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

  contentWriteRoutes<PolicyDef>(app, {
    path: "/policies",
    kind: "policy",
    body: POLICY_BODY,
    describe: { create: "Creates a policy (in the database; the pack's files are not changed)." },
    lockSystemPack: true,
    find: (ref) => content.getPolicy(ref),
    require: requirePolicy,
    validate: (body, pack, file) => orRefuse(validatePolicy(body, { pack, file })),
    save: (policy) => content.upsertPolicy(policy),
    remove: (policy) => content.deletePolicy(policy.ref),
    present: presentPolicy,
  });

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
