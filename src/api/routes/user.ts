/** `GET /user`: who the caller is, how they authenticated and what RBAC says about them. */

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
    return {
      username: name,
      authentication,
      rbac: {
        enabled: deps.rbac.enabled,
        roles: deps.rbac.enabled ? deps.rbac.rolesFor(name).map((r) => r.name) : [],
        is_admin: deps.rbac.isAdmin(name),
      },
    };
  });
}
