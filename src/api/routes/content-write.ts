/**
 * What the content routes that create, update and delete share: body schemas taken from the
 * metadata schemas pack files are validated with, validator results turned into 400s, and
 * StackStorm's refusal to touch system packs.
 *
 * Resources created through the API have no metadata file (`metadata_file: ""`), as in
 * StackStorm; registering their pack again keeps them (see the registrar).
 */

import type { FastifyInstance } from "fastify";
import type { ContentError } from "../../core/content/model.ts";
import type { Validated } from "../../core/content/validate-common.ts";
import { ConflictError, SquallError, ValidationError } from "../../core/errors.ts";
import {
  anyObject,
  faultSchema,
  type JsonSchema,
  pathParams,
  responses,
} from "../openapi/schemas.ts";
import { isPlainObject } from "./reactor-query.ts";

/** st2's SYSTEM_PACK_NAME: its resources cannot be changed through the API. */
export const SYSTEM_PACK = "core";
/** st2's SYSTEM_PACK_NAMES: no files may be written into them (action clone). */
export const SYSTEM_PACKS: readonly string[] = ["chatops", "core", "packs", "linux"];

/** A pack directory Squall may not write into (StackStorm answers a PermissionError with 403). */
export class PackNotWritableError extends SquallError {
  override readonly code: string = "pack_not_writable";
  readonly statusCode = 403;
}

/** What an API-created resource records as its metadata file: none. */
export const NO_FILE = "";

/**
 * A metadata schema as a route body schema: the same rules, without the `$id` (a route
 * validator compiles each body schema on its own, and ids must be unique per compiler).
 */
export function bodySchema(schema: JsonSchema, description: string): JsonSchema {
  const { $id: _id, ...rest } = structuredClone(schema);
  return { ...rest, description };
}

/** The pack a body names, or st2's `default` pack when it names none. */
export function packOf(body: Record<string, unknown>): string {
  return typeof body.pack === "string" && body.pack !== "" ? body.pack : "default";
}

/** st2's `validate_not_part_of_system_pack`: resources of `core` are left alone. */
export function refuseSystemPack(pack: string): void {
  if (pack === SYSTEM_PACK)
    throw new ValidationError(
      `Resources belonging to system level packs can't be manipulated (pack "${pack}")`,
      { field: "pack" },
    );
}

/** st2's `validate_not_part_of_system_pack_by_name`, for writes into a pack's directory. */
export function refuseSystemPackName(pack: string, field = "pack"): void {
  if (SYSTEM_PACKS.includes(pack))
    throw new ValidationError(
      `Resources belonging to system level packs can't be manipulated (pack "${pack}")`,
      { field },
    );
}

/** A validator's answer, or a 400 listing every problem and naming the first field. */
export function orRefuse<T>(result: Validated<T>): T {
  if (result.ok) return result.value;
  const first: ContentError | undefined = result.errors[0];
  throw new ValidationError(result.errors.map((e) => e.message).join("; "), {
    ...(first?.field ? { field: first.field } : {}),
  });
}

/**
 * An update may repeat the resource's identity (what GET returned) but not change it: a body
 * whose ref or name names another resource is refused rather than silently renamed.
 */
export function requireSameIdentity(
  body: unknown,
  existing: { ref: string; name: string; pack: string },
  kind: string,
): Record<string, unknown> {
  if (!isPlainObject(body)) throw new ValidationError(`request body must be a ${kind} object`);
  for (const field of ["ref", "name", "pack"] as const) {
    const given = body[field];
    if (given !== undefined && given !== existing[field])
      throw new ValidationError(
        `${field} is "${String(given).slice(0, 128)}" but the ${kind} updated is ${existing.ref}; ${kind}s cannot be renamed or moved`,
        { field },
      );
  }
  return body;
}

/** A content resource (policy, alias, trigger type…) as the write routes need to know it. */
export interface ContentWrites<T extends { ref: string; name: string; pack: string }> {
  /** Collection path relative to /api/v1, e.g. "/policies"; one is at `${path}/:ref`. */
  path: string;
  /** How people name it, singular: "action alias". Messages and descriptions use it. */
  kind: string;
  body: JsonSchema;
  /** Route descriptions; update's and (unless given) delete's follow from `kind`. */
  describe: { create: string; delete?: string };
  /** Whether resources of the system pack are refused on update and delete. */
  lockSystemPack: boolean;
  /** The one with this ref, if any: a create that would collide is refused with 409. */
  find(ref: string): Promise<T | null | undefined>;
  /** The one a path names; not-found errors are its own. */
  require(ref: string): Promise<T>;
  /** A checked resource from a body (400 on bad input). */
  validate(body: Record<string, unknown>, pack: string, file: string): T;
  save(item: T): Promise<unknown>;
  remove(existing: T): Promise<unknown>;
  present(item: T): Record<string, unknown>;
}

/** POST, PUT and DELETE of a content resource, as StackStorm's content controllers answer them. */
export function contentWriteRoutes<
  T extends { ref: string; name: string; pack: string; metadata_file?: string },
>(app: FastifyInstance, spec: ContentWrites<T>): void {
  const { kind } = spec;
  const an = /^[aeiou]/i.test(kind) ? "an" : "a";
  const one = anyObject(`The ${kind}.`);
  const unlessSystem = (pack: string) => {
    if (spec.lockSystemPack) refuseSystemPack(pack);
  };

  app.post<{ Body: Record<string, unknown> }>(
    spec.path,
    {
      schema: {
        description: spec.describe.create,
        body: spec.body,
        response: responses(201, one, 400, 409),
      },
    },
    async (request, reply) => {
      const item = spec.validate(request.body, packOf(request.body), NO_FILE);
      if (await spec.find(item.ref))
        throw new ConflictError(`${kind} ${item.ref} already exists; update it with PUT`);
      await spec.save(item);
      void reply.code(201);
      return spec.present(item);
    },
  );

  app.put<{ Params: { ref: string }; Body: Record<string, unknown> }>(
    `${spec.path}/:ref`,
    {
      schema: {
        description: `Replaces ${an} ${kind}'s definition.`,
        params: pathParams("ref"),
        body: spec.body,
        response: responses(200, one),
      },
    },
    async (request) => {
      const existing = await spec.require(request.params.ref);
      unlessSystem(existing.pack);
      const body = requireSameIdentity(request.body, existing, kind);
      const item = spec.validate(body, existing.pack, existing.metadata_file ?? NO_FILE);
      await spec.save(item);
      return spec.present(item);
    },
  );

  app.delete<{ Params: { ref: string } }>(
    `${spec.path}/:ref`,
    {
      schema: {
        description: spec.describe.delete ?? `Deletes ${an} ${kind}.`,
        params: pathParams("ref"),
        response: DELETED,
      },
    },
    async (request, reply) => {
      const existing = await spec.require(request.params.ref);
      unlessSystem(existing.pack);
      await spec.remove(existing);
      return reply.code(204).send();
    },
  );
}

/** What a DELETE answers: nothing, or a fault. */
export const DELETED = {
  204: { description: "Deleted.", type: "null" },
  400: faultSchema,
  404: faultSchema,
};
