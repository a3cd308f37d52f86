/**
 * StackStorm's pack configs and config schemas. Secret values (per the pack's config schema) are
 * masked unless an administrator asks for `show_secrets`. `PUT /configs/<pack>` validates the
 * values against the schema, stores them and writes `<configs dir>/<pack>.yaml`, as st2 does, so
 * the next registration reads the same values.
 */

import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { stringify } from "yaml";
import type { ConfigSchemaDef, PackConfig } from "../../core/content/model.ts";
import { validateConfig } from "../../core/content/validate-pack.ts";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import { maskSecretParameters, secretValues } from "../../core/params/index.ts";
import type { ApiContext } from "../context.ts";
import {
  anyObject,
  listOf,
  listQuery,
  pathParams,
  responses,
  SHOW_SECRETS,
} from "../openapi/schemas.ts";
import { listOptions, pageInMemory, sendPage } from "../paging.ts";
import { showSecrets } from "../present.ts";
import { collectAll, type Query } from "./reactor-query.ts";
import { restoreMaskedSecrets } from "./rule-view.ts";

function presentConfig(
  config: PackConfig,
  schema: ConfigSchemaDef | null,
  unmasked: boolean,
): Record<string, unknown> {
  const values =
    unmasked || !schema ? config.values : maskSecretParameters(config.values, schema.attributes);
  return { id: config.pack, pack: config.pack, values };
}

function presentSchema(schema: ConfigSchemaDef): Record<string, unknown> {
  return { id: schema.pack, pack: schema.pack, attributes: schema.attributes };
}

function refsFilter(q: Query): string[] {
  return [q.id, q.name, q.pack].filter(Boolean).flatMap((v) => String(v).split(","));
}

export function configRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const content = ctx.store.content;
  const unmasked = (request: FastifyRequest) => showSecrets(request, ctx);

  app.get<{ Querystring: Query }>(
    "/configs",
    {
      schema: {
        description: "Lists pack configs (secret values masked).",
        querystring: listQuery(["id", "name", "pack"], { show_secrets: SHOW_SECRETS }),
        response: responses(200, listOf("Pack configs.")),
      },
    },
    async (request, reply) => {
      const options = listOptions(request.query, { sortable: ["pack", "id"] });
      const refs = refsFilter(request.query);
      const configs = (await collectAll((p) => content.listConfigs(p))).filter(
        (c) => refs.length === 0 || refs.includes(c.pack),
      );
      const show = unmasked(request);
      const all = await Promise.all(
        configs.map(async (c) => presentConfig(c, await content.getConfigSchema(c.pack), show)),
      );
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  app.get<{ Params: { pack: string }; Querystring: Query }>(
    "/configs/:pack",
    {
      schema: {
        description: "One pack's config (secret values masked).",
        params: pathParams("pack"),
        querystring: { type: "object", properties: { show_secrets: SHOW_SECRETS } },
        response: responses(200, anyObject("The config: `{id, pack, values}`.")),
      },
    },
    async (request) => {
      const { pack } = request.params;
      const config = await content.getConfig(pack);
      if (!config) throw new NotFoundError(`pack ${pack} has no config`);
      return presentConfig(config, await content.getConfigSchema(pack), unmasked(request));
    },
  );

  app.put<{ Params: { pack: string }; Body: Record<string, unknown>; Querystring: Query }>(
    "/configs/:pack",
    {
      schema: {
        description: "Replaces a pack's config values, validated against the pack's config schema.",
        params: pathParams("pack"),
        querystring: { type: "object", properties: { show_secrets: SHOW_SECRETS } },
        body: { type: "object", description: "The config values." },
        response: responses(200, anyObject("The config: `{id, pack, values}`.")),
      },
    },
    async (request) => {
      const { pack } = request.params;
      if (!(await content.getPack(pack))) throw new NotFoundError(`pack ${pack} is not registered`);
      const schema = await content.getConfigSchema(pack);
      const stored = (await content.getConfig(pack))?.values ?? {};
      // Values read from GET come back with secrets masked; the mask must not replace them.
      const incoming = schema
        ? restoreMaskedSecrets(request.body, stored, { parameters: schema.attributes })
        : request.body;
      const file = `${pack}.yaml`;
      const validated = validateConfig(incoming, schema, { pack, file });
      if (!validated.ok) {
        const first = validated.errors[0];
        throw new ValidationError(validated.errors.map((e) => e.message).join("; "), {
          ...(first?.field ? { field: first.field } : {}),
        });
      }
      if (ctx.configsDir !== undefined) {
        await mkdir(ctx.configsDir, { recursive: true });
        const path = join(ctx.configsDir, file);
        // Written aside and renamed, so a crash never leaves half a config.
        await writeFile(`${path}.tmp`, stringify(incoming), { mode: 0o600 });
        await rename(`${path}.tmp`, path);
      }
      await content.upsertConfig(validated.value);
      // From now on actions may print them (config_context): logs and responses mask them.
      if (schema)
        for (const value of secretValues(validated.value.values, schema.attributes))
          ctx.secrets.add(value);
      return presentConfig(validated.value, schema, unmasked(request));
    },
  );

  app.get<{ Querystring: Query }>(
    "/config_schemas",
    {
      schema: {
        description: "Lists pack config schemas.",
        querystring: listQuery(["id", "name", "pack"]),
        response: responses(200, listOf("Config schemas.")),
      },
    },
    async (request, reply) => {
      const options = listOptions(request.query, { sortable: ["pack", "id"] });
      const refs = refsFilter(request.query);
      const all = (await collectAll((p) => content.listConfigSchemas(p)))
        .filter((s) => refs.length === 0 || refs.includes(s.pack))
        .map(presentSchema);
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  app.get<{ Params: { pack: string } }>(
    "/config_schemas/:pack",
    {
      schema: {
        description: "One pack's config schema.",
        params: pathParams("pack"),
        response: responses(200, anyObject("`{id, pack, attributes}`.")),
      },
    },
    async (request) => {
      const schema = await content.getConfigSchema(request.params.pack);
      if (!schema) throw new NotFoundError(`pack ${request.params.pack} has no config schema`);
      return presentSchema(schema);
    },
  );
}
