/**
 * The HTTP server. StackStorm serves its API under /api/v1 (st2api) and /stream/v1
 * (st2stream) behind nginx; Squall serves both from one process, and also answers under /v1
 * for clients configured without the /api prefix.
 */

import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { Logger } from "../engine/logger.ts";
import { type AuthDeps, installAuth } from "./auth/plugin.ts";
import type { ApiContext } from "./context.ts";
import { errorHandler } from "./errors.ts";
import { registerOpenApi } from "./openapi/document.ts";
import { lazyChildLogger } from "./request-logger.ts";
import { apiKeyRoutes } from "./routes/apikeys.ts";
import { authRoutes } from "./routes/auth.ts";
import { rbacRoutes } from "./routes/rbac.ts";
import { streamRoutes } from "./routes/stream.ts";
import { userRoutes } from "./routes/user.ts";
import { apiV1Routes } from "./routes/v1.ts";

export interface ServerOptions {
  bodyLimitBytes: number;
  logger: Logger;
  /** Further route groups served under /api/v1 (and /v1), each registered by its own module. */
  routes?: Array<(scope: FastifyInstance) => void>;
  /** Authentication and RBAC for every route (see auth/plugin.ts); absent only in unit tests. */
  auth?: AuthDeps;
}

export async function buildServer(ctx: ApiContext, options: ServerOptions) {
  const app = Fastify({
    // /v1 is /api/v1 for clients configured without the /api prefix. Rewriting the URL instead of
    // registering every route twice halves route and schema compilation at start-up.
    rewriteUrl: (request) => {
      const url = request.url ?? "/";
      return url === "/v1" || url.startsWith("/v1/") || url.startsWith("/v1?") ? `/api${url}` : url;
    },
    loggerInstance: options.logger.child({ component: "api" }),
    // Per-request lines would drown the execution log; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Which makes a per-request child logger nearly always unused: it is created on first use.
    childLoggerFactory: lazyChildLogger,
    bodyLimit: options.bodyLimitBytes,
    // StackStorm ids and refs are plain; nothing here needs case-insensitive routing.
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send({ faultstring: `no such endpoint: ${request.method} ${request.url}` });
  });

  // Installed before any route so its hooks guard all of them.
  const auth = options.auth;
  // (The cast only drops the pino logger type parameter, which the hooks do not use.)
  if (auth) installAuth(app as unknown as FastifyInstance, auth);

  // Before the routes: the document is built from the routes added after it.
  await registerOpenApi(app as unknown as FastifyInstance);

  const accountRoutes: Array<(scope: FastifyInstance) => void> = [];
  if (auth) {
    const service = auth.auth;
    accountRoutes.push((scope) => userRoutes(scope, auth));
    accountRoutes.push((scope) => rbacRoutes(scope, auth));
    if (service) accountRoutes.push((scope) => apiKeyRoutes(scope, { auth: service }));
  }
  const api = async (scope: FastifyInstance) =>
    apiV1Routes(scope, { ctx, routes: [...accountRoutes, ...(options.routes ?? [])] });
  await app.register(api, { prefix: "/api/v1" });
  const streams = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const end of [...streams]) end();
  });
  await app.register(async (scope) => streamRoutes(scope, ctx, streams), { prefix: "/stream/v1" });
  const authService = auth?.auth;
  if (authService)
    await app.register(async (scope) => authRoutes(scope, { auth: authService }), {
      prefix: "/auth/v1",
    });
  return app;
}
