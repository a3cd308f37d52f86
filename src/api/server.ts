/**
 * The HTTP server. StackStorm serves its API under /api/v1 (st2api) and /stream/v1
 * (st2stream) behind nginx; Squall serves both from one process, and also answers under /v1
 * for clients configured without the /api prefix.
 */

import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { Logger } from "../engine/logger.ts";
import type { ApiContext } from "./context.ts";
import { errorHandler } from "./errors.ts";
import { contentRoutes } from "./routes/content.ts";
import { executionRoutes } from "./routes/executions.ts";
import { streamRoutes } from "./routes/stream.ts";

export interface ServerOptions {
  bodyLimitBytes: number;
  logger: Logger;
  /** Further route groups served under /api/v1 (and /v1), each registered by its own module. */
  routes?: Array<(scope: FastifyInstance) => void>;
}

export async function buildServer(ctx: ApiContext, options: ServerOptions) {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: "api" }),
    // Per-request lines would drown the execution log; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
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

  const api = async (scope: FastifyInstance) => {
    scope.get("/", async () => ({ version: "0.1.0", name: "squall" }));
    executionRoutes(scope, ctx);
    contentRoutes(scope, ctx);
    for (const register of options.routes ?? []) register(scope);
  };
  await app.register(api, { prefix: "/api/v1" });
  await app.register(api, { prefix: "/v1" });
  const streams = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const end of [...streams]) end();
  });
  await app.register(async (scope) => streamRoutes(scope, ctx, streams), { prefix: "/stream/v1" });
  return app;
}
