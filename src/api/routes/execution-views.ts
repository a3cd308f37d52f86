/**
 * Views of one execution (st2's ActionExecutionChildrenController, ...AttributeController and
 * ...RawResultController): its descendants, one of its attributes, and its raw result.
 */

import { gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { ValidationError } from "../../core/errors.ts";
import type { Execution } from "../../core/execution/model.ts";
import type { ExecutionDistinctField } from "../../engine/store/contract.ts";
import type { ApiContext } from "../context.ts";
import { anyObject, listOf, pathParams, responses, SHOW_SECRETS } from "../openapi/schemas.ts";
import { readPage } from "../paging.ts";
import { ExecutionPresenter, showSecrets } from "../present.ts";

type Query = Record<string, unknown>;

/**
 * st2's SUPPORTED_FILTERS less its IGNORE_FILTERS (parent, timestamp, liveaction,
 * trigger_instance), and less trigger/trigger_type, which Squall's executions do not record.
 */
const FILTER_VIEWS = ["action", "status", "rule", "runner", "user"] as const;

/** Bounds the walk when depth is unlimited; workflows nest far less deeply than this. */
const MAX_DEPTH = 100;

/** Descendants breadth-first, oldest first within a level, down to `depth` levels (-1: all). */
async function descendants(ctx: ApiContext, id: string, depth: number): Promise<Execution[]> {
  const out: Execution[] = [];
  let level = [id];
  const limit = depth < 0 ? MAX_DEPTH : depth;
  for (let d = 0; d < limit && level.length > 0; d++) {
    const next: string[] = [];
    for (const parent of level) {
      const page = await readPage((p) => ctx.store.executions.list({ parent, sort: "asc" }, p), {
        limit: null,
        offset: 0,
      });
      out.push(...page.items);
      next.push(...page.items.map((e) => e.id));
    }
    level = next;
  }
  return out;
}

function bool(raw: unknown): boolean {
  return raw === true || raw === "true" || raw === "True" || raw === "1";
}

export function executionViewRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const present = () => new ExecutionPresenter(ctx.store, ctx.secrets);

  app.get<{ Querystring: Query }>(
    "/executions/views/filters",
    {
      schema: {
        description:
          "The distinct values of each execution filter, for filter pickers (st2's FiltersController). " +
          "rule lists rule refs (the execution list filters rules by ref); trigger and trigger_type " +
          "are not listed, since executions do not record them.",
        querystring: {
          type: "object",
          properties: {
            types: {
              type: "string",
              maxLength: 256,
              description: `Comma-separated filters to return (${FILTER_VIEWS.join(", ")}).`,
            },
          },
        },
        response: responses(200, anyObject("Filter name → its distinct values."), 400),
      },
    },
    async (request) => {
      const raw = request.query.types;
      const asked =
        raw === undefined || raw === ""
          ? [...FILTER_VIEWS]
          : String(raw)
              .split(",")
              .map((t) => t.trim())
              .filter(Boolean);
      const out: Record<string, Array<string | null>> = {};
      for (const name of asked) {
        if (!(FILTER_VIEWS as readonly string[]).includes(name))
          throw new ValidationError(
            `types: "${name.slice(0, 64)}" is not one of ${FILTER_VIEWS.join(", ")}`,
            { field: "types" },
          );
        out[name] = await ctx.store.executions.distinctValues(name as ExecutionDistinctField);
      }
      return out;
    },
  );

  app.get<{ Params: { id: string }; Querystring: Query }>(
    "/executions/:id/children",
    {
      schema: {
        description: "The execution's descendants (workflow tasks and their own children).",
        params: pathParams("id"),
        querystring: {
          type: "object",
          properties: {
            depth: { type: "integer", minimum: -1, default: -1 },
            result_fmt: { type: "string", maxLength: 64 },
            show_secrets: SHOW_SECRETS,
          },
        },
        response: responses(200, listOf("Child executions.")),
      },
    },
    async (request) => {
      await ctx.executions.get(request.params.id);
      const depth = Number(request.query.depth ?? -1);
      const children = await descendants(ctx, request.params.id, depth);
      return present().many(children, showSecrets(request, ctx));
    },
  );

  app.get<{ Params: { id: string; attribute: string }; Querystring: Query }>(
    "/executions/:id/attribute/:attribute",
    {
      schema: {
        description: "One attribute of the execution, e.g. result or status.",
        params: pathParams("id", "attribute"),
        querystring: { type: "object", properties: { show_secrets: SHOW_SECRETS } },
        response: responses(200, { description: "The attribute's value." }),
      },
    },
    async (request, reply) => {
      const out = await present().one(
        await ctx.executions.get(request.params.id),
        showSecrets(request, ctx),
      );
      const { attribute } = request.params;
      if (!Object.hasOwn(out, attribute))
        throw new ValidationError(
          `"${attribute.slice(0, 64)}" is not an execution attribute; one of ${Object.keys(out).join(", ")}`,
          { field: "attribute" },
        );
      // A JSON document even for scalars, as st2 answers.
      return reply.type("application/json").send(JSON.stringify(out[attribute] ?? null));
    },
  );

  app.get<{ Params: { id: string }; Querystring: Query }>(
    "/executions/:id/result",
    {
      schema: {
        description: "The execution's result as a JSON document, optionally as a download.",
        params: pathParams("id"),
        querystring: {
          type: "object",
          properties: {
            download: { type: "boolean", default: false },
            compress: { type: "boolean", default: false },
            pretty_format: { type: "boolean", default: false },
            show_secrets: SHOW_SECRETS,
          },
        },
        response: responses(200, anyObject("The result.")),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const out = await present().one(await ctx.executions.get(id), showSecrets(request, ctx));
      const q = request.query;
      const json = JSON.stringify(out.result ?? null, null, bool(q.pretty_format) ? 4 : undefined);
      const compress = bool(q.compress);
      if (bool(q.download) || compress) {
        const name = `execution_${id}_result.json${compress ? ".gz" : ""}`;
        void reply.header("Content-Disposition", `attachment; filename="${name}"`);
      }
      if (compress) return reply.type("application/x-gzip").send(gzipSync(json));
      return reply.type("application/json").send(json);
    },
  );
}
