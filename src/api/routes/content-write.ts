/**
 * What the content routes that create, update and delete share: body schemas taken from the
 * metadata schemas pack files are validated with, validator results turned into 400s, and
 * StackStorm's refusal to touch system packs.
 *
 * Resources created through the API have no metadata file (`metadata_file: ""`), as in
 * StackStorm; registering their pack again keeps them (see the registrar).
 */

import type { ContentError } from "../../core/content/model.ts";
import type { Validated } from "../../core/content/validate-common.ts";
import { SquallError, ValidationError } from "../../core/errors.ts";
import type { JsonSchema } from "../openapi/schemas.ts";
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
