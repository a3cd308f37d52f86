/** StackStorm's pack endpoints: list, get, register, and the file views st2web uses. */

import { extname } from "node:path";
import type { FastifyInstance } from "fastify";
import type { ContentKind, PackMeta } from "../../core/content/model.ts";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import type { ApiContext, PackRegistrationSummary } from "../context.ts";
import {
  anyObject,
  type JsonSchema,
  listOf,
  listQuery,
  pathParams,
  responses,
} from "../openapi/schemas.ts";
import { listOptions, pageInMemory, sendPage } from "../paging.ts";
import { packFiles, readPackFile } from "./pack-files.ts";
import { collectAll, type Query } from "./reactor-query.ts";

const REGISTER_TYPES = [
  "all",
  "runner",
  "action",
  "trigger",
  "sensor",
  "rule",
  "rule_type",
  "alias",
  "policy_type",
  "policy",
  "config",
] as const;

const REGISTER_BODY: JsonSchema = {
  type: "object",
  properties: {
    packs: {
      type: "array",
      items: { type: "string", minLength: 1, maxLength: 4096 },
      maxItems: 1000,
    },
    types: { type: "array", items: { type: "string", enum: [...REGISTER_TYPES] } },
    fail_on_failure: { type: "boolean" },
  },
  additionalProperties: false,
};

/** st2's answer names counts per kind (`actions`, `rules`, …); Squall's report adds detail. */
const COUNT_NAMES: Record<ContentKind, string> = {
  pack: "packs_registered",
  action: "actions",
  rule: "rules",
  sensor: "sensors",
  trigger_type: "triggers",
  alias: "aliases",
  policy: "policies",
  config_schema: "config_schemas",
  config: "configs",
};

function withCounts(report: PackRegistrationSummary): Record<string, unknown> {
  const counts: Record<string, number> = { runners: report.runnerTypes };
  for (const name of Object.values(COUNT_NAMES)) counts[name] = 0;
  for (const pack of report.packs)
    for (const [kind, n] of Object.entries(pack.counts))
      counts[COUNT_NAMES[kind as ContentKind]] =
        (counts[COUNT_NAMES[kind as ContentKind]] ?? 0) + n;
  return { ...counts, ...report };
}

export function presentPack(pack: PackMeta): Record<string, unknown> {
  return { id: pack.ref, uid: `pack:${pack.ref}`, ...pack };
}

async function requirePack(ctx: ApiContext, ref: string): Promise<PackMeta> {
  const pack = await ctx.store.content.getPack(ref);
  if (!pack) throw new NotFoundError(`pack ${ref} is not registered`);
  return pack;
}

const FILE_TYPES: Record<string, string> = {
  ".yaml": "application/x-yaml",
  ".yml": "application/x-yaml",
  ".json": "application/json",
  ".md": "text/markdown",
  ".png": "image/png",
  ".py": "text/x-python",
};

export function packRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const content = ctx.store.content;

  app.get<{ Querystring: Query }>(
    "/packs",
    {
      schema: {
        description: "Lists registered packs.",
        querystring: listQuery(["id", "name", "ref"]),
        response: responses(200, listOf("Packs.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const options = listOptions(q, { sortable: ["ref", "name", "version", "author"] });
      const refs = [q.id, q.ref].filter(Boolean).flatMap((v) => String(v).split(","));
      const all = (await collectAll((p) => content.listPacks(p)))
        .filter(
          (p) => (refs.length === 0 || refs.includes(p.ref)) && (!q.name || p.name === q.name),
        )
        .map(presentPack);
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  app.get<{ Params: { ref: string } }>(
    "/packs/:ref",
    {
      schema: {
        description: "One pack, by ref (which is also its id).",
        params: pathParams("ref"),
        response: responses(200, anyObject("The pack.")),
      },
    },
    async (request) => presentPack(await requirePack(ctx, request.params.ref)),
  );

  app.post<{ Body: { packs?: string[]; types?: string[]; fail_on_failure?: boolean } | null }>(
    "/packs/register",
    {
      schema: {
        description:
          "Registers packs from disk (all configured pack directories when `packs` is empty). With `fail_on_failure`, any error answers 400.",
        body: REGISTER_BODY,
        response: responses(200, anyObject("Counts per kind and a report per pack."), 400),
      },
    },
    async (request) => {
      const body = request.body ?? {};
      if (body.types && body.types.length > 0 && !body.types.includes("all"))
        throw new ValidationError(
          "registering only some content types is not supported; omit types or include all",
          { field: "types" },
        );
      const report = await ctx.registerPacks(body.packs ?? []);
      if (body.fail_on_failure === true && report.errors.length > 0)
        throw new ValidationError(
          `failed to register packs: ${report.errors
            .slice(0, 5)
            .map((e) => `${e.pack}/${e.file}: ${e.message}`)
            .join("; ")}`,
          { field: "packs" },
        );
      return withCounts(report);
    },
  );

  app.get<{ Params: { ref: string } }>(
    "/packs/views/files/:ref",
    {
      schema: {
        description: "The pack's text files with their content.",
        params: pathParams("ref"),
        response: responses(200, {
          type: "array",
          items: {
            type: "object",
            properties: { file_path: { type: "string" }, content: { type: "string" } },
          },
        }),
      },
    },
    async (request) => packFiles((await requirePack(ctx, request.params.ref)).path),
  );

  app.get<{ Params: { ref: string; "*": string } }>(
    "/packs/views/file/:ref/*",
    {
      schema: {
        description:
          "One file of the pack, raw. Paths leaving the pack are refused; ETag and If-None-Match are honoured.",
        params: pathParams("ref", "*"),
        response: {
          ...responses(200, { type: "string", description: "The file." }),
          304: { description: "Not modified.", type: "null" },
        },
      },
    },
    async (request, reply) => {
      const pack = await requirePack(ctx, request.params.ref);
      const path = request.params["*"];
      const file = await readPackFile(pack.path, path);
      void reply.header("ETag", file.etag).header("Last-Modified", file.modified.toUTCString());
      if (request.headers["if-none-match"] === file.etag) return reply.code(304).send();
      const type = FILE_TYPES[extname(path).toLowerCase()] ?? "text/plain; charset=utf-8";
      return reply.type(type).send(file.data);
    },
  );
}
