/**
 * Everything served under /api/v1 (and again under /v1, for clients configured without the
 * /api prefix): one plugin, registered once per prefix. It installs strict body validation and
 * gives a schema to any route that brings none, so every route is validated and documented.
 */

import type { FastifyInstance, preHandlerHookHandler } from "fastify";
import type { ApiContext } from "../context.ts";
import { openApiRoute } from "../openapi/document.ts";
import { defaultSchema } from "../openapi/schemas.ts";
import { configureValidation } from "../openapi/validation.ts";
import { checkPageSize } from "../paging.ts";
import { contentRoutes } from "./content.ts";
import { executionRoutes } from "./executions.ts";

export interface ApiV1Options {
  ctx: ApiContext;
  /** Route groups of other modules (reactor, auth, inquiries, …), registered inside the scope. */
  routes?: ReadonlyArray<(scope: FastifyInstance) => void>;
  version?: string;
}

const pageSize: preHandlerHookHandler = (request, _reply, done) => {
  if (request.method !== "GET") return done();
  checkPageSize((request.query as Record<string, unknown> | undefined)?.limit, request.squallUser);
  done();
};

export function apiV1Routes(scope: FastifyInstance, options: ApiV1Options): void {
  configureValidation(scope);
  scope.addHook("onRoute", (route) => {
    route.schema ??= defaultSchema(route.url);
    // Before any handler reads a page: non-administrators get at most st2's max_page_size. A
    // hook on the routes that serve GET only (after the route's authorization hook, which the
    // auth plugin put first), so other requests do not pay for it.
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes("GET")) return;
    const own = route.preHandler;
    route.preHandler = [...(own === undefined ? [] : Array.isArray(own) ? own : [own]), pageSize];
  });
  scope.get(
    "/",
    {
      schema: {
        description: "The API's name and version.",
        response: {
          200: {
            type: "object",
            properties: { version: { type: "string" }, name: { type: "string" } },
          },
        },
      },
    },
    async () => ({ version: options.version ?? "0.1.0", name: "squall" }),
  );
  openApiRoute(scope);
  executionRoutes(scope, options.ctx);
  contentRoutes(scope, options.ctx);
  for (const register of options.routes ?? []) register(scope);
}
