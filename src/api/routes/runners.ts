/** StackStorm's runner types: list, get, and PUT to enable or disable one. */

import type { FastifyInstance } from "fastify";
import type { RunnerType } from "../../core/content/model.ts";
import { NotFoundError } from "../../core/errors.ts";
import type { ApiContext } from "../context.ts";
import { type JsonSchema, listOf, listQuery, responses } from "../openapi/schemas.ts";
import { listOptions, pageInMemory, sendPage } from "../paging.ts";
import { collectAll, type Query } from "./reactor-query.ts";
import { switchableRoutes } from "./switchable.ts";

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

  switchableRoutes(app, {
    path: "/runnertypes",
    key: "name",
    kind: "runner type",
    noun: "runner",
    body: RUNNER_BODY,
    describePut:
      "Enables or disables a runner type; actions of a disabled runner cannot be run. Only `enabled` may change.",
    require: (name) => requireRunner(ctx, name),
    setEnabled: async (runner, enabled) => {
      const updated = { ...runner, enabled };
      await content.upsertRunnerType(updated);
      return updated;
    },
    present: presentRunner,
  });
}
