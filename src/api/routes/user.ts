/**
 * `GET /user`: who the caller is, how they authenticated and what RBAC says about them.
 * StackStorm answers `rbac.{enabled, roles, is_admin}`; Squall adds the user's `groups` and
 * `role_sources` (each role with the assignment file or group mapping that gave it).
 */

import type { FastifyInstance } from "fastify";
import type { Rbac } from "../../engine/rbac/resolver.ts";

export interface UserRoutesDeps {
  rbac: Rbac;
}

export function userRoutes(app: FastifyInstance, deps: UserRoutesDeps): void {
  app.get("/user", async (request) => {
    const user = request.squallUser;
    const name = user?.name ?? "";
    const authentication: Record<string, unknown> = {
      method: user?.authentication.method ?? "none",
      location: user?.authentication.location ?? "none",
    };
    const expire = user?.authentication.tokenExpire;
    if (expire !== undefined)
      authentication.token_expire = new Date(expire).toISOString().replace(/\.\d{3}Z$/, "Z");
    const { rbac } = deps;
    return {
      username: name,
      authentication,
      rbac: {
        enabled: rbac.enabled,
        roles: rbac.enabled ? rbac.rolesFor(name).map((r) => r.name) : [],
        is_admin: rbac.isAdmin(name),
        groups: [...rbac.groupsOf(name)],
        role_sources: rbac.enabled
          ? rbac.assignmentsFor(name).map((a) => ({
              role: a.role,
              is_remote: a.is_remote,
              source: a.source,
              ...(a.group !== undefined ? { group: a.group } : {}),
            }))
          : [],
      },
    };
  });
}
