/**
 * StackStorm's inquiry endpoints: `GET /inquiries` (the pending ones), `GET /inquiries/{id}`,
 * and `PUT /inquiries/{id}` with `{id, response}` to answer. Status codes follow st2: 404 for an
 * unknown id, 400 for an execution that is not a waiting inquiry or a response that fails the
 * schema, 403 for a person the inquiry does not admit.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { ValidationError } from "../../core/errors.ts";
import type { InquiryService } from "../../engine/inquiries/service.ts";
import { pageFrom, sendPage } from "../paging.ts";

export interface InquiryRouteDeps {
  inquiries: Pick<InquiryService, "list" | "get" | "respond">;
  /** Who is asking (the authenticated user, or the system user when auth is off). */
  currentUser(request: FastifyRequest): string;
}

interface RespondBody {
  id?: unknown;
  response?: unknown;
}

export function inquiryRoutes(app: FastifyInstance, deps: InquiryRouteDeps): void {
  app.get<{ Querystring: Record<string, string> }>("/inquiries", async (request, reply) => {
    const page = pageFrom(request.query, 100);
    const found = await deps.inquiries.list(page);
    if (request.query.limit !== undefined && page.limit !== undefined && page.limit > 0)
      void reply.header("X-Limit", String(page.limit));
    return sendPage(reply, found);
  });

  app.get<{ Params: { id: string } }>("/inquiries/:id", async (request) =>
    deps.inquiries.get(request.params.id),
  );

  app.put<{ Params: { id: string }; Body: RespondBody }>("/inquiries/:id", async (request) => {
    const body = request.body as unknown;
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new ValidationError("request body must be a JSON object like {id, response}");
    const { id, response } = body as RespondBody;
    if (id !== undefined && id !== request.params.id)
      throw new ValidationError(
        `the body's id "${String(id)}" is not the inquiry in the URL ("${request.params.id}")`,
        { field: "id" },
      );
    if (response === undefined || response === null)
      throw new ValidationError("`response` is required: the answer, as a JSON object", {
        field: "response",
      });
    return deps.inquiries.respond(request.params.id, response, deps.currentUser(request));
  });
}
