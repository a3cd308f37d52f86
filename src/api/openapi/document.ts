/**
 * The OpenAPI 3.1 document of the v1 API, built by @fastify/swagger from the route schemas the
 * handlers validate with, and the browsable docs (@fastify/swagger-ui) next to it.
 *
 * The same routes are served under /api/v1 and /v1; the document lists the /api/v1 copies only.
 */

import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";

export const API_PREFIX = "/api/v1";
export const DOCS_PREFIX = `${API_PREFIX}/docs`;

/** Registers the document generator on the root instance; call before any route is added. */
export async function registerOpenApi(app: FastifyInstance, version = "0.1.0"): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Squall API",
        description: "StackStorm-compatible REST API (st2api v1).",
        version,
      },
      components: {
        securitySchemes: {
          "X-Auth-Token": { type: "apiKey", in: "header", name: "X-Auth-Token" },
          "St2-Api-Key": { type: "apiKey", in: "header", name: "St2-Api-Key" },
        },
      },
    },
    transform: ({ schema, url }) => {
      const outside = !url.startsWith(`${API_PREFIX}/`) && url !== API_PREFIX;
      const hidden = outside || url.startsWith(DOCS_PREFIX);
      return { schema: hidden ? { ...(schema ?? {}), hide: true } : schema, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
}

/** `GET /openapi.json` inside the v1 scope. */
export function openApiRoute(scope: FastifyInstance): void {
  scope.get(
    "/openapi.json",
    {
      schema: {
        description: "This API's OpenAPI 3.1 document.",
        response: { 200: { type: "object", additionalProperties: true } },
      },
    },
    async () => (scope as FastifyInstance & { swagger(): unknown }).swagger(),
  );
}
