/**
 * StackStorm's rule enforcements: each time a rule matched a trigger instance, with the
 * execution it started (or why it failed), and the views that expand both.
 */

import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.ts";
import type { RuleEnforcement } from "../../core/reactor/model.ts";
import { anyObject, listOf, listQuery, pathParams, responses } from "../openapi/schemas.ts";
import {
  type ListOptions,
  listOptions,
  project,
  readOrdered,
  reversedOrder,
  sendPage,
} from "../paging.ts";
import { type Query, type ReactorRouteDeps, refuseFilters } from "./reactor-query.ts";

const FILTERS = ["rule_ref", "rule", "trigger_instance", "execution"];
/** Enforcements are stored newest first by id, which is also enforcement time order. */
const SORTABLE = ["id", "enforced_at"];

function enforcementFilter(q: Query) {
  refuseFilters(q, ["rule_id", "enforced_at", "enforced_at_gt", "enforced_at_lt"]);
  const rule = q.rule_ref || q.rule;
  return {
    ...(rule ? { rule } : {}),
    ...(q.trigger_instance ? { trigger_instance: q.trigger_instance } : {}),
    ...(q.execution ? { execution: q.execution } : {}),
  };
}

export function ruleEnforcementRoutes(app: FastifyInstance, deps: ReactorRouteDeps): void {
  const { store } = deps;

  const page = (q: Query, options: ListOptions) =>
    readOrdered(
      (p) => store.reactor.listEnforcements(enforcementFilter(q), p),
      options.page,
      reversedOrder(options.sort, true),
    );

  // st2's RuleEnforcementViewController: each enforcement with its execution and trigger
  // instance. The execution is summarised (no parameters or result), so nothing secret leaks.
  const view = async (e: RuleEnforcement): Promise<Record<string, unknown>> => {
    const execution = e.execution_id ? await store.executions.get(e.execution_id) : null;
    const instance = await store.reactor.getInstance(e.trigger_instance_id);
    return {
      ...e,
      ...(execution
        ? {
            execution: {
              id: execution.id,
              action: execution.action,
              status: execution.status,
              start_timestamp: execution.start_timestamp,
              end_timestamp: execution.end_timestamp,
            },
          }
        : {}),
      ...(instance ? { trigger_instance: instance } : {}),
    };
  };

  const requireEnforcement = async (id: string) => {
    const found = await store.reactor.getEnforcement(id);
    if (!found) throw new NotFoundError(`rule enforcement ${id} does not exist`);
    return found;
  };

  app.get<{ Querystring: Query }>(
    "/ruleenforcements",
    {
      schema: {
        description: "Lists rule enforcements, newest first.",
        querystring: listQuery(FILTERS),
        response: responses(200, listOf("Rule enforcements.")),
      },
    },
    async (request, reply) => {
      const options = listOptions(request.query, { sortable: SORTABLE });
      const found = await page(request.query, options);
      return sendPage(
        reply,
        { total: found.total, items: found.items.map((e) => project(e, options)) },
        options.page.limit,
      );
    },
  );

  app.get<{ Querystring: Query }>(
    "/ruleenforcements/views",
    {
      schema: {
        description: "Lists rule enforcements with their executions and trigger instances.",
        querystring: listQuery(FILTERS),
        response: responses(200, listOf("Rule enforcements.")),
      },
    },
    async (request, reply) => {
      const options = listOptions(request.query, { sortable: SORTABLE });
      const found = await page(request.query, options);
      const items = await Promise.all(found.items.map(view));
      return sendPage(
        reply,
        { total: found.total, items: items.map((e) => project(e, options)) },
        options.page.limit,
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    "/ruleenforcements/views/:id",
    {
      schema: {
        description: "One rule enforcement with its execution and trigger instance.",
        params: pathParams("id"),
        response: responses(200, anyObject("The rule enforcement.")),
      },
    },
    async (request) => view(await requireEnforcement(request.params.id)),
  );

  app.get<{ Params: { id: string } }>(
    "/ruleenforcements/:id",
    {
      schema: {
        description: "One rule enforcement.",
        params: pathParams("id"),
        response: responses(200, anyObject("The rule enforcement.")),
      },
    },
    async (request) => requireEnforcement(request.params.id),
  );
}
