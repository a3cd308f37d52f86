/**
 * StackStorm's action aliases (`/actionalias`): list, get, create, update, delete, plus `match`
 * (which alias and format a chat command means) and `help` (the display strings chat bots
 * show). Running an alias is in alias-execution.ts.
 */

import type { FastifyInstance } from "fastify";
import {
  aliasHelp,
  compileFormat,
  findMatchingAlias,
  normaliseFormat,
} from "../../core/aliases/index.ts";
import type { AliasDef } from "../../core/content/model.ts";
import { ALIAS_SCHEMA } from "../../core/content/schemas.ts";
import { validateAlias } from "../../core/content/validate.ts";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import type { Store } from "../../engine/store/contract.ts";
import type { ApiContext } from "../context.ts";
import {
  anyObject,
  listOf,
  listQuery,
  MAX_TEXT,
  pathParams,
  responses,
} from "../openapi/schemas.ts";
import { listOptions, pageInMemory, sendPage } from "../paging.ts";
import { bodySchema, contentWriteRoutes, orRefuse } from "./content-write.ts";
import { collectAll, type Query } from "./reactor-query.ts";

const ALIAS_BODY = bodySchema(
  ALIAS_SCHEMA,
  "An action alias (st2's ActionAliasAPI), as in an alias file.",
);

/** st2's ActionAliasAPI: the ref doubles as the id. */
export function presentAlias(alias: AliasDef): Record<string, unknown> {
  return { id: alias.ref, ...alias };
}

export async function allAliases(store: Store): Promise<AliasDef[]> {
  return collectAll((p) => store.content.listAliases({}, p));
}

/** An alias by ref (which is also its id), or by bare name when that names exactly one. */
export async function requireAlias(store: Store, refOrName: string): Promise<AliasDef> {
  const byRef = await store.content.getAlias(refOrName);
  if (byRef) return byRef;
  const named = (await allAliases(store)).filter((a) => a.name === refOrName);
  if (named.length === 1 && named[0]) return named[0];
  if (named.length > 1)
    throw new ValidationError(
      `alias name "${refOrName}" is ambiguous (${named.map((a) => a.ref).join(", ")}); use the ref`,
      { field: "name" },
    );
  throw new NotFoundError(`action alias ${refOrName} is not registered`);
}

/** Every representation must be a usable pattern, so a bad one is refused when written. */
function checkFormats(alias: AliasDef): AliasDef {
  alias.formats.forEach((format, i) => {
    try {
      for (const representation of normaliseFormat(format).representations)
        compileFormat(representation);
    } catch (err) {
      if (err instanceof ValidationError)
        throw new ValidationError(err.message, { field: `formats.${i}` });
      throw err;
    }
  });
  return alias;
}

const COMMAND_BODY = {
  type: "object",
  properties: { command: { type: "string", maxLength: 4096 } },
  required: ["command"],
  additionalProperties: false,
};

export function aliasRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const content = ctx.store.content;

  app.get<{ Querystring: Query }>(
    "/actionalias",
    {
      schema: {
        description: "Lists action aliases (sorted by pack, then name).",
        querystring: listQuery(["name", "pack", "action_ref", "enabled"]),
        response: responses(200, listOf("Action aliases.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const options = listOptions(q, { sortable: ["ref", "name", "pack", "action_ref"] });
      if (options.sort.length === 0)
        options.sort = [
          { field: "pack", descending: false },
          { field: "name", descending: false },
        ];
      const enabled = q.enabled === undefined ? undefined : /^(true|1)$/i.test(q.enabled);
      const all = (await collectAll((p) => content.listAliases(q.pack ? { pack: q.pack } : {}, p)))
        .filter(
          (a) =>
            (!q.name || a.name === q.name) &&
            (!q.action_ref || a.action_ref === q.action_ref) &&
            (enabled === undefined || a.enabled === enabled),
        )
        .map(presentAlias);
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  app.get<{ Querystring: Query }>(
    "/actionalias/help",
    {
      schema: {
        description: "The help strings (display formats) of enabled aliases.",
        querystring: {
          type: "object",
          properties: {
            filter: { type: "string", maxLength: 256 },
            pack: { type: "string", maxLength: MAX_TEXT },
            limit: { type: "integer", minimum: 0 },
            offset: { type: "integer", minimum: 0 },
          },
          additionalProperties: false,
        },
        response: responses(200, anyObject("{available, helpstrings}")),
      },
    },
    async (request) => {
      const q = request.query as Record<string, unknown>;
      return aliasHelp(await allAliases(ctx.store), {
        ...(typeof q.filter === "string" ? { filter: q.filter } : {}),
        ...(typeof q.pack === "string" ? { pack: q.pack } : {}),
        limit: Number(q.limit ?? 0),
        offset: Number(q.offset ?? 0),
      });
    },
  );

  app.post<{ Body: { command: string } }>(
    "/actionalias/match",
    {
      schema: {
        description: "The alias and format a chat command matches (400 if none or several).",
        body: COMMAND_BODY,
        response: responses(200, anyObject("{actionalias, display, representation}")),
      },
    },
    async (request) => {
      const match = findMatchingAlias(request.body.command, await allAliases(ctx.store));
      return {
        actionalias: presentAlias(match.alias),
        display: match.display,
        representation: match.representation,
      };
    },
  );

  app.get<{ Params: { ref: string } }>(
    "/actionalias/:ref",
    {
      schema: {
        description: "One action alias, by ref (which is also its id) or name.",
        params: pathParams("ref"),
        response: responses(200, anyObject("The action alias.")),
      },
    },
    async (request) => presentAlias(await requireAlias(ctx.store, request.params.ref)),
  );

  contentWriteRoutes<AliasDef>(app, {
    path: "/actionalias",
    kind: "action alias",
    body: ALIAS_BODY,
    describe: {
      create: "Creates an action alias (in the database; the pack's files are not changed).",
    },
    lockSystemPack: false,
    find: (ref) => content.getAlias(ref),
    require: (ref) => requireAlias(ctx.store, ref),
    validate: (body, pack, file) => checkFormats(orRefuse(validateAlias(body, { pack, file }))),
    save: (alias) => content.upsertAlias(alias),
    remove: (alias) => content.deleteAlias(alias.ref),
    present: presentAlias,
  });
}
