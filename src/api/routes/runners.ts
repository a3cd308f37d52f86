/** StackStorm's runner types: list, get, and PUT to enable or disable one. */

import type { FastifyInstance } from "fastify";
import type { RunnerType } from "../../core/content/model.ts";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import type { ApiContext } from "../context.ts";
import {
  anyObject,
  type JsonSchema,
  listOf,
  listQuery,
  pathParams,
  responses,
} from "../openapi/schemas.ts";
import { listOptions, pageInMemory, sendPage } from "../paging.ts";
import { collectAll, type Query } from "./reactor-query.ts";

/** st2's RunnerTypeAPI; a runner read with GET may be sent back with `enabled` changed. */
const RUNNER_BODY: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string", maxLength: 255 },
    uid: { type: "string", maxLength: 255 },
    name: { type: "string", maxLength: 255 },
    description: { type: "string" },
    enabled: { type: "boolean" },
    runner_package: { type: "string" },
    runner_module: { type: "string" },
    runner_parameters: { type: "object" },
    output_key: { type: "string" },
    output_schema: { type: "object" },
    pausable: { type: "boolean" },
  },
  required: ["enabled"],
  additionalProperties: false,
};

export function presentRunner(runner: RunnerType): Record<string, unknown> {
  return { id: runner.name, uid: `runner_type:${runner.name}`, ...runner };
}

async function requireRunner(ctx: ApiContext, name: string): Promise<RunnerType> {
  const runner = await ctx.store.content.getRunnerType(name);
  if (!runner) throw new NotFoundError(`runner ${name} is not registered`);
  return runner;
}

export function runnerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const content = ctx.store.content;

  app.get<{ Querystring: Query }>(
    "/runnertypes",
    {
      schema: {
        description: "Lists runner types.",
        querystring: listQuery(["id", "name"]),
        response: responses(200, listOf("Runner types.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const options = listOptions(q, { sortable: ["name", "enabled"] });
      const names = [q.id, q.name].filter(Boolean).flatMap((v) => String(v).split(","));
      const all = (await collectAll((p) => content.listRunnerTypes(p)))
        .filter((r) => names.length === 0 || names.includes(r.name))
        .map(presentRunner);
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  app.get<{ Params: { name: string } }>(
    "/runnertypes/:name",
    {
      schema: {
        description: "One runner type, by name (which is also its id).",
        params: pathParams("name"),
        response: responses(200, anyObject("The runner type.")),
      },
    },
    async (request) => presentRunner(await requireRunner(ctx, request.params.name)),
  );

  app.put<{ Params: { name: string }; Body: Record<string, unknown> }>(
    "/runnertypes/:name",
    {
      schema: {
        description:
          "Enables or disables a runner type; actions of a disabled runner cannot be run. Only `enabled` may change.",
        params: pathParams("name"),
        body: RUNNER_BODY,
        response: responses(200, anyObject("The runner type.")),
      },
    },
    async (request) => {
      const runner = await requireRunner(ctx, request.params.name);
      const body = request.body;
      if (body.name !== undefined && body.name !== runner.name)
        throw new ValidationError(
          `name is "${String(body.name)}" but the runner is ${runner.name}`,
          {
            field: "name",
          },
        );
      const updated = { ...runner, enabled: body.enabled === true };
      await content.upsertRunnerType(updated);
      return presentRunner(updated);
    },
  );
}
