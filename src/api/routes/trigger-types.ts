/**
 * StackStorm's trigger types and triggers: list, get, create, update, delete.
 *
 * A parameterless trigger type has one "shadow" trigger of the same ref, made by the trigger
 * registry when rules reload; deleting the type deletes it too (as st2's controller does).
 * Triggers of parameterised types are what rules listen on: one per type and parameters.
 */

import { randomUUID } from "node:crypto";
import { Ajv } from "ajv";
import type { FastifyInstance } from "fastify";
import type { TriggerTypeDef } from "../../core/content/model.ts";
import { TRIGGER_TYPE_SCHEMA } from "../../core/content/schemas.ts";
import { validateTriggerType } from "../../core/content/validate.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../core/errors.ts";
import type { TriggerDef } from "../../core/reactor/model.ts";
import { isParameterised } from "../../core/reactor/system-triggers.ts";
import {
  anyObject,
  type JsonSchema,
  listOf,
  listQuery,
  pathParams,
  responses,
} from "../openapi/schemas.ts";
import { listOptions, pageInMemory, sendPage } from "../paging.ts";
import {
  bodySchema,
  contentWriteRoutes,
  DELETED,
  orRefuse,
  requireSameIdentity,
} from "./content-write.ts";
import {
  collectAll,
  getTriggerByRefOrId,
  isPlainObject,
  type Query,
  type ReactorRouteDeps,
} from "./reactor-query.ts";

const TYPE_BODY = bodySchema(TRIGGER_TYPE_SCHEMA, "A trigger type (st2's TriggerTypeAPI).");

/** st2's TriggerAPI: `type` is the trigger type's ref. */
const TRIGGER_BODY: JsonSchema = {
  type: "object",
  description: "A trigger (st2's TriggerAPI).",
  properties: {
    id: { type: ["string", "null"], maxLength: 1024 },
    ref: { type: "string", maxLength: 1024 },
    uid: { type: "string", maxLength: 1024 },
    name: { type: "string", minLength: 1, maxLength: 255, pattern: "^[^.\\s/]+$" },
    pack: { type: "string", minLength: 1, maxLength: 255 },
    type: { type: "string", minLength: 1, maxLength: 1024 },
    parameters: { type: "object" },
    description: { type: "string" },
  },
  required: ["type"],
  additionalProperties: false,
};

export function presentTriggerType(type: TriggerTypeDef): Record<string, unknown> {
  return { id: type.ref, ...type };
}

/** Parameters checked against the type's `parameters_schema`, as the trigger registry does. */
function checkParameters(type: TriggerTypeDef, parameters: Record<string, unknown>): void {
  let valid: boolean;
  let message = "";
  try {
    const validate = new Ajv({ strict: false, allErrors: false }).compile(
      type.parameters_schema ?? {},
    );
    valid = validate(parameters) === true;
    const first = validate.errors?.[0];
    if (first) message = `${first.instancePath || "parameters"} ${first.message ?? "is invalid"}`;
  } catch (err) {
    throw new ValidationError(
      `trigger type ${type.ref} has an unusable parameters_schema: ${(err as Error).message}`,
      { field: "type" },
    );
  }
  if (!valid)
    throw new ValidationError(`parameters of trigger type ${type.ref}: ${message}`, {
      field: "parameters",
    });
}

export function triggerTypeRoutes(app: FastifyInstance, deps: ReactorRouteDeps): void {
  const { store } = deps;
  const content = store.content;

  const requireType = async (ref: string) => {
    const found = await content.getTriggerType(ref);
    if (!found) throw new NotFoundError(`trigger type ${ref} is not registered`);
    return found;
  };

  app.get<{ Querystring: Query }>(
    "/triggertypes",
    {
      schema: {
        description: "Lists trigger types.",
        querystring: listQuery(["pack", "name"]),
        response: responses(200, listOf("Trigger types.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const options = listOptions(q, { sortable: ["ref", "name", "pack"] });
      const all = (
        await collectAll((p) => content.listTriggerTypes(q.pack ? { pack: q.pack } : {}, p))
      )
        .filter((t) => !q.name || t.name === q.name)
        .map(presentTriggerType);
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  app.get<{ Params: { ref: string } }>(
    "/triggertypes/:ref",
    {
      schema: {
        description: "One trigger type, by ref (which is also its id).",
        params: pathParams("ref"),
        response: responses(200, anyObject("The trigger type.")),
      },
    },
    async (request) => presentTriggerType(await requireType(request.params.ref)),
  );

  contentWriteRoutes<TriggerTypeDef>(app, {
    path: "/triggertypes",
    kind: "trigger type",
    body: TYPE_BODY,
    describe: {
      create: "Creates a trigger type (and its trigger, when it takes no parameters).",
      delete: "Deletes a trigger type (and its trigger, when it takes no parameters).",
    },
    lockSystemPack: true,
    find: (ref) => content.getTriggerType(ref),
    require: requireType,
    validate: (body, pack, file) => orRefuse(validateTriggerType(body, { pack, file })),
    save: async (type) => {
      await content.upsertTriggerType(type);
      // Reloading makes the registry know the type and commit its shadow trigger.
      await deps.rules.reload();
    },
    remove: async (type) => {
      await content.deleteTriggerType(type.ref);
      if (!isParameterised(type))
        await store.reactor.commit([{ op: "trigger.delete", ref: type.ref }]);
      await deps.rules.reload();
    },
    present: presentTriggerType,
  });

  triggerRoutes(app, deps);
}

function triggerRoutes(app: FastifyInstance, deps: ReactorRouteDeps): void {
  const { store } = deps;

  /** A trigger from a body: its type must exist and its parameters must fit the type. */
  const checked = async (body: Record<string, unknown>) => {
    const typeRef = String(body.type);
    const type = await store.content.getTriggerType(typeRef);
    if (!type)
      throw new ValidationError(`trigger type ${typeRef} is not registered`, { field: "type" });
    const parameters = isPlainObject(body.parameters) ? body.parameters : {};
    checkParameters(type, parameters);
    return { type, parameters };
  };
  /** One trigger per type and parameters: rules find their trigger by exactly that. */
  const refuseTwin = async (
    typeRef: string,
    parameters: Record<string, unknown>,
    self?: string,
  ) => {
    const twin = await store.reactor.findTrigger(typeRef, parameters);
    if (twin && twin.ref !== self)
      throw new ConflictError(
        `trigger ${twin.ref} already has type ${typeRef} and these parameters; use it`,
      );
  };

  app.get<{ Querystring: Query }>(
    "/triggers",
    {
      schema: {
        description: "Lists triggers.",
        querystring: listQuery(["type", "pack", "name"]),
        response: responses(200, listOf("Triggers.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const options = listOptions(q, { sortable: ["ref", "name", "pack", "type"] });
      const all = (
        await collectAll((p) => store.reactor.listTriggers(q.type ? { type: q.type } : {}, p))
      ).filter((t) => (!q.pack || t.pack === q.pack) && (!q.name || t.name === q.name));
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  app.get<{ Params: { id: string } }>(
    "/triggers/:id",
    {
      schema: {
        description: "One trigger, by id or ref.",
        params: pathParams("id"),
        response: responses(200, anyObject("The trigger.")),
      },
    },
    async (request) => getTriggerByRefOrId(store, request.params.id),
  );

  app.post<{ Body: Record<string, unknown> }>(
    "/triggers",
    {
      schema: {
        description: "Creates a trigger of a trigger type, with parameters for that type.",
        body: TRIGGER_BODY,
        response: responses(201, anyObject("The trigger."), 400, 409),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const { type, parameters } = await checked(body);
      const id = randomUUID();
      const name = typeof body.name === "string" ? body.name : id;
      const pack = typeof body.pack === "string" ? body.pack : type.pack;
      const trigger: TriggerDef = {
        id,
        ref: `${pack}.${name}`,
        uid: `trigger:${pack}:${name}:${id}`,
        name,
        pack,
        type: type.ref,
        parameters,
        ...(typeof body.description === "string" ? { description: body.description } : {}),
      };
      if (await store.reactor.getTrigger(trigger.ref))
        throw new ConflictError(`trigger ${trigger.ref} already exists; update it with PUT`);
      await refuseTwin(type.ref, parameters);
      await store.reactor.commit([{ op: "trigger.upsert", trigger }]);
      void reply.code(201);
      return trigger;
    },
  );

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
    "/triggers/:id",
    {
      schema: {
        description: "Updates a trigger's parameters or description.",
        params: pathParams("id"),
        body: TRIGGER_BODY,
        response: responses(200, anyObject("The trigger."), 400, 404, 409),
      },
    },
    async (request) => {
      const existing = await getTriggerByRefOrId(store, request.params.id);
      const body = requireSameIdentity(request.body, existing, "trigger");
      if (body.type !== existing.type)
        throw new ValidationError(
          `type is "${String(body.type)}" but trigger ${existing.ref} has type ${existing.type}; create a new trigger instead`,
          { field: "type" },
        );
      const { parameters } = await checked(body);
      await refuseTwin(existing.type, parameters, existing.ref);
      const trigger: TriggerDef = { ...existing, parameters };
      if (typeof body.description === "string") trigger.description = body.description;
      else delete trigger.description;
      await store.reactor.commit([{ op: "trigger.upsert", trigger }]);
      // Rules on the old parameters must find their (re-created) trigger again.
      await deps.rules.reload();
      return trigger;
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/triggers/:id",
    {
      schema: {
        description: "Deletes a trigger.",
        params: pathParams("id"),
        response: DELETED,
      },
    },
    async (request, reply) => {
      const existing = await getTriggerByRefOrId(store, request.params.id);
      await store.reactor.commit([{ op: "trigger.delete", ref: existing.ref }]);
      await deps.rules.reload();
      return reply.code(204).send();
    },
  );
}
