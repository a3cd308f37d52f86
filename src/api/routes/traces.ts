/** StackStorm's trace endpoints: what one event caused, from trigger instance to executions. */

import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.ts";
import { anyObject, listOf, listQuery, pathParams, responses } from "../openapi/schemas.ts";
import { listOptions, project, readOrdered, reversedOrder, sendPage } from "../paging.ts";
import { type Query, type ReactorRouteDeps, refuseFilters } from "./reactor-query.ts";

export function traceRoutes(app: FastifyInstance, deps: ReactorRouteDeps): void {
  const { store } = deps;

  app.get<{ Querystring: Query }>(
    "/traces",
    {
      schema: {
        description: "Lists traces, newest first.",
        querystring: listQuery(["trace_tag"]),
        response: responses(200, listOf("Traces.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      refuseFilters(
        q,
        ["execution", "rule", "trigger_instance", "sort_asc"],
        "filter by trace_tag, or read the component's trace tag from it first",
      );
      // Traces are stored newest first by id, which is also start order.
      const options = listOptions(q, { sortable: ["id", "start_timestamp"] });
      const filter = q.trace_tag ? { trace_tag: q.trace_tag } : {};
      const page = await readOrdered(
        (p) => store.reactor.listTraces(filter, p),
        options.page,
        reversedOrder(options.sort, true),
      );
      return sendPage(
        reply,
        { total: page.total, items: page.items.map((t) => project(t, options)) },
        options.page.limit,
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    "/traces/:id",
    {
      schema: {
        description: "One trace.",
        params: pathParams("id"),
        response: responses(200, anyObject("The trace.")),
      },
    },
    async (request) => {
      const trace = await store.reactor.getTrace(request.params.id);
      if (!trace) throw new NotFoundError(`trace ${request.params.id} does not exist`);
      return trace;
    },
  );
}
