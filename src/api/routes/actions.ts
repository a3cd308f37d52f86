/**
 * StackStorm's action endpoints: list, get, create, update, delete, and the views st2web and the
 * CLI use (parameters merged with the runner's, overview, entry point source).
 */

import { readFile, realpath } from "node:fs/promises";
import { extname, join, sep } from "node:path";
import type { FastifyInstance } from "fastify";
import { mergeSchemas } from "../../core/content/merge-parameters.ts";
import type { ActionDef } from "../../core/content/model.ts";
import { validateAction } from "../../core/content/validate-action.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../core/errors.ts";
import type { ApiContext } from "../context.ts";
import {
  anyObject,
  faultSchema,
  type JsonSchema,
  listOf,
  listQuery,
  pathParams,
  responses,
} from "../openapi/schemas.ts";
import { listOptions, pageInMemory, sendPage } from "../paging.ts";
import { NO_FILE, refuseSystemPack } from "./content-write.ts";
import { collectAll, isPlainObject, type Query } from "./reactor-query.ts";

const SORTABLE = ["ref", "name", "pack", "runner_type", "enabled"];

/** st2's ActionAPI: what GET returns may be sent back by PUT unchanged. */
export const ACTION_BODY: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string", maxLength: 1024 },
    ref: { type: "string", maxLength: 1024 },
    uid: { type: "string", maxLength: 1024 },
    name: { type: "string", minLength: 1, maxLength: 255 },
    pack: { type: "string", minLength: 1, maxLength: 255 },
    description: { type: "string" },
    enabled: { type: "boolean" },
    runner_type: { type: "string", minLength: 1, maxLength: 255 },
    entry_point: { type: "string", maxLength: 4096 },
    parameters: { type: "object" },
    output_schema: { type: "object" },
    tags: { type: "array", items: { type: "object" } },
    notify: { type: "object" },
    metadata_file: { type: "string" },
  },
  required: ["name", "runner_type"],
  additionalProperties: false,
};

export function presentAction(action: ActionDef): Record<string, unknown> {
  return { id: action.ref, ...action };
}

/** The model spells notify keys with underscores, action files with hyphens. */
function notifyToFile(notify: unknown): unknown {
  if (!isPlainObject(notify)) return notify;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(notify)) out[k.replace(/_/g, "-")] = v;
  return out;
}

export async function requireAction(ctx: ApiContext, ref: string): Promise<ActionDef> {
  const action = await ctx.store.content.getAction(ref);
  if (!action) throw new NotFoundError(`action ${ref} is not registered`);
  return action;
}

/** Validates an API body exactly as an action file would be validated. */
async function actionFromBody(
  ctx: ApiContext,
  body: Record<string, unknown>,
  file: string,
): Promise<ActionDef> {
  const { id: _id, ref, uid: _uid, metadata_file: _file, ...doc } = body;
  const pack = typeof doc.pack === "string" ? doc.pack : "default";
  if (typeof ref === "string" && ref !== `${pack}.${String(doc.name)}`)
    throw new ValidationError(
      `ref "${ref}" does not match pack "${pack}" and name "${String(doc.name)}"`,
      {
        field: "ref",
      },
    );
  if (!(await ctx.store.content.getPack(pack)))
    throw new ValidationError(`pack ${pack} is not registered`, { field: "pack" });
  const runnerTypes = await collectAll((p) => ctx.store.content.listRunnerTypes(p));
  const result = validateAction(
    { ...doc, pack, ...(doc.notify !== undefined ? { notify: notifyToFile(doc.notify) } : {}) },
    { pack, file },
    { runnerTypes },
  );
  if (!result.ok) {
    const first = result.errors[0];
    throw new ValidationError(result.errors.map((e) => e.message).join("; "), {
      ...(first?.field ? { field: first.field } : {}),
    });
  }
  return result.value;
}

async function parametersView(ctx: ApiContext, action: ActionDef) {
  const runner = await ctx.store.content.getRunnerType(action.runner_type);
  return mergeSchemas(runner?.runner_parameters ?? {}, action.parameters);
}

/** The entry point's path, refused when it leaves the pack (a symlink or `..` in the metadata). */
export async function entryPointPath(ctx: ApiContext, action: ActionDef): Promise<string> {
  if (action.entry_point === "") throw new NotFoundError(`action ${action.ref} has no entry point`);
  const pack = await ctx.store.content.getPack(action.pack);
  if (!pack) throw new NotFoundError(`pack ${action.pack} is not registered`);
  let root: string;
  let path: string;
  try {
    root = await realpath(pack.path);
    path = await realpath(join(pack.path, "actions", action.entry_point));
  } catch {
    throw new NotFoundError(`entry point ${action.entry_point} of ${action.ref} does not exist`);
  }
  if (!path.startsWith(root + sep))
    throw new ValidationError(`entry point of ${action.ref} is outside its pack`, {
      field: "entry_point",
    });
  return path;
}

const TEXT_TYPES: Record<string, string> = {
  ".yaml": "application/x-yaml",
  ".yml": "application/x-yaml",
  ".json": "application/json",
};

export function actionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const content = ctx.store.content;
  const listActions = async (q: Query) => {
    const all = await collectAll((p) => content.listActions(q.pack ? { pack: q.pack } : {}, p));
    const ids = q.id ? new Set(q.id.split(",")) : undefined;
    return all.filter(
      (a) =>
        (!ids || ids.has(a.ref)) &&
        (!q.name || a.name === q.name) &&
        (!q.tags || (a.tags ?? []).some((t) => t.name === q.tags)),
    );
  };

  app.get<{ Querystring: Query }>(
    "/actions",
    {
      schema: {
        description: "Lists actions.",
        querystring: listQuery(["id", "name", "pack", "tags"]),
        response: responses(200, listOf("Actions.")),
      },
    },
    async (request, reply) => {
      const options = listOptions(request.query, { sortable: SORTABLE });
      const all = (await listActions(request.query)).map(presentAction);
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  app.get<{ Params: { ref: string } }>(
    "/actions/:ref",
    {
      schema: {
        description: "One action, by ref (which is also its id).",
        params: pathParams("ref"),
        response: responses(200, anyObject("The action.")),
      },
    },
    async (request) => presentAction(await requireAction(ctx, request.params.ref)),
  );

  app.post<{ Body: Record<string, unknown> }>(
    "/actions",
    {
      schema: {
        description:
          "Creates an action (in the database, as StackStorm does; the pack's files are not changed, and registering the pack again keeps it).",
        body: ACTION_BODY,
        response: responses(201, anyObject("The action."), 400, 409),
      },
    },
    async (request, reply) => {
      const action = await actionFromBody(ctx, request.body, NO_FILE);
      refuseSystemPack(action.pack);
      if (await content.getAction(action.ref))
        throw new ConflictError(`action ${action.ref} already exists; update it with PUT`);
      await content.upsertAction(action);
      void reply.code(201);
      return presentAction(action);
    },
  );

  app.put<{ Params: { ref: string }; Body: Record<string, unknown> }>(
    "/actions/:ref",
    {
      schema: {
        description: "Replaces an action's definition.",
        params: pathParams("ref"),
        body: ACTION_BODY,
        response: responses(200, anyObject("The action.")),
      },
    },
    async (request) => {
      const existing = await requireAction(ctx, request.params.ref);
      refuseSystemPack(existing.pack);
      const action = await actionFromBody(
        ctx,
        { pack: existing.pack, ...request.body },
        existing.metadata_file,
      );
      if (action.ref !== existing.ref)
        throw new ValidationError(
          `the body describes ${action.ref}, not ${existing.ref}; actions cannot be renamed`,
          { field: "name" },
        );
      action.metadata_file = existing.metadata_file;
      await content.upsertAction(action);
      return presentAction(action);
    },
  );

  app.delete<{ Params: { ref: string } }>(
    "/actions/:ref",
    {
      schema: {
        description: "Deletes an action.",
        params: pathParams("ref"),
        response: { 204: { description: "Deleted.", type: "null" }, 404: faultSchema },
      },
    },
    async (request, reply) => {
      refuseSystemPack((await requireAction(ctx, request.params.ref)).pack);
      await content.deleteAction(request.params.ref);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { ref: string } }>(
    "/actions/views/parameters/:ref",
    {
      schema: {
        description: "The action's parameters merged with its runner's.",
        params: pathParams("ref"),
        response: responses(200, anyObject("`{parameters}`.")),
      },
    },
    async (request) => ({
      parameters: await parametersView(ctx, await requireAction(ctx, request.params.ref)),
    }),
  );

  app.get<{ Querystring: Query }>(
    "/actions/views/overview",
    {
      schema: {
        description: "Actions with their parameters merged with their runners'.",
        querystring: listQuery(["id", "name", "pack", "tags"]),
        response: responses(200, listOf("Actions.")),
      },
    },
    async (request, reply) => {
      const options = listOptions(request.query, { sortable: SORTABLE });
      const actions = await listActions(request.query);
      const all = await Promise.all(
        actions.map(async (a) => ({
          ...presentAction(a),
          parameters: await parametersView(ctx, a),
        })),
      );
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  app.get<{ Params: { ref: string } }>(
    "/actions/views/overview/:ref",
    {
      schema: {
        description: "One action with its parameters merged with its runner's.",
        params: pathParams("ref"),
        response: responses(200, anyObject("The action.")),
      },
    },
    async (request) => {
      const action = await requireAction(ctx, request.params.ref);
      return { ...presentAction(action), parameters: await parametersView(ctx, action) };
    },
  );

  app.get<{ Params: { ref: string } }>(
    "/actions/views/entry_point/:ref",
    {
      schema: {
        description: "The source of the action's entry point (script or workflow).",
        params: pathParams("ref"),
        response: responses(200, { type: "string", description: "The file's text." }),
      },
    },
    async (request, reply) => {
      const action = await requireAction(ctx, request.params.ref);
      const path = await entryPointPath(ctx, action);
      const type = TEXT_TYPES[extname(path).toLowerCase()] ?? "text/plain";
      return reply.type(`${type}; charset=utf-8`).send(await readFile(path, "utf8"));
    },
  );
}
