/**
 * StackStorm's read-only RBAC views: `/rbac/roles[/{name_or_id}]`,
 * `/rbac/role_assignments[/{id}]` and `/rbac/permission_types[/{resource_type}]`.
 * Roles and permission types are for administrators; a user may read their own assignments.
 */

import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.ts";
import type { Role } from "../../engine/rbac/definitions.ts";
import type { Rbac } from "../../engine/rbac/resolver.ts";
import { describePermission, RESOURCE_PERMISSIONS } from "../../engine/rbac/types.ts";
import { listPage, sendPage } from "../paging.ts";

export interface RbacRoutesDeps {
  rbac: Rbac;
}

type Query = Record<string, string | undefined>;

function presentRole(role: Role): Record<string, unknown> {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    enabled: role.enabled,
    system: role.system,
    permission_grant_ids: role.permission_grants.map((g) => g.id),
    permission_grant_objects: role.permission_grants.map((g) => ({
      id: g.id,
      resource_uid: g.resource_uid,
      resource_type: g.resource_type,
      permission_types: g.permission_types,
    })),
  };
}

function boolParam(v: string | undefined): boolean | undefined {
  if (v === undefined || v === "") return undefined;
  return v === "true" || v === "True" || v === "1";
}

function page<T>(items: T[], query: Query) {
  const p = listPage(query);
  return {
    limit: p.limit,
    result: {
      items: items.slice(p.offset, p.limit === null ? undefined : p.offset + p.limit),
      total: items.length,
    },
  };
}

export function rbacRoutes(app: FastifyInstance, deps: RbacRoutesDeps): void {
  const { rbac } = deps;

  app.get<{ Querystring: Query }>("/rbac/roles", async (request, reply) => {
    const q = request.query;
    const system = boolParam(q.system);
    const roles = rbac
      .roles()
      .filter((r) => (q.name ? r.name === q.name : true))
      .filter((r) => (system === undefined ? true : r.system === system))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { limit, result } = page(roles.map(presentRole), q);
    return sendPage(reply, result, limit);
  });

  app.get<{ Params: { id: string } }>("/rbac/roles/:id", async (request) => {
    const role = rbac.role(request.params.id);
    if (!role) throw new NotFoundError(`Role with name or id "${request.params.id}" not found`);
    return presentRole(role);
  });

  app.get<{ Querystring: Query }>("/rbac/role_assignments", async (request, reply) => {
    const q = request.query;
    const me = request.squallUser?.name ?? "";
    rbac.assertAdminOrSelf(me, q.user);
    const remote = boolParam(q.remote);
    const list = rbac
      .assignments()
      .filter((a) => (q.user ? a.user === q.user : true))
      .filter((a) => (q.role ? a.role === q.role : true))
      .filter((a) => (q.source ? a.source === q.source : true))
      .filter((a) => (remote === undefined ? true : a.is_remote === remote));
    const { limit, result } = page(list, q);
    return sendPage(reply, result, limit);
  });

  app.get<{ Params: { id: string } }>("/rbac/role_assignments/:id", async (request) => {
    const found = rbac.assignments().find((a) => a.id === request.params.id);
    if (!found) throw new NotFoundError(`Role assignment with id "${request.params.id}" not found`);
    rbac.assertAdminOrSelf(request.squallUser?.name ?? "", found.user);
    return found;
  });

  const describe = (types: readonly string[]) =>
    Object.fromEntries(types.map((p) => [p, describePermission(p)]));

  app.get("/rbac/permission_types", async () =>
    Object.fromEntries(
      Object.entries(RESOURCE_PERMISSIONS).map(([type, perms]) => [type, describe(perms)]),
    ),
  );

  app.get<{ Params: { type: string } }>("/rbac/permission_types/:type", async (request) => {
    const perms = RESOURCE_PERMISSIONS[request.params.type];
    if (!perms) throw new NotFoundError(`Invalid resource type: ${request.params.type}`);
    return describe(perms);
  });
}
