/** StackStorm's trace endpoints: what one event caused, from trigger instance to executions. */

import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.ts";
import { pageFrom, sendPage } from "../paging.ts";
import { type Query, type ReactorRouteDeps, refuseFilters } from "./reactor-query.ts";

export function traceRoutes(app: FastifyInstance, deps: ReactorRouteDeps): void {
  const { store } = deps;

  app.get<{ Querystring: Query }>("/traces", async (request, reply) => {
    const q = request.query;
    refuseFilters(
      q,
      ["execution", "rule", "trigger_instance", "sort_asc"],
      "filter by trace_tag, or read the component's trace tag from it first",
    );
    const filter = q.trace_tag ? { trace_tag: q.trace_tag } : {};
    return sendPage(reply, await store.reactor.listTraces(filter, pageFrom(q)));
  });

  app.get<{ Params: { id: string } }>("/traces/:id", async (request) => {
    const trace = await store.reactor.getTrace(request.params.id);
    if (!trace) throw new NotFoundError(`trace ${request.params.id} does not exist`);
    return trace;
  });
}
