/**
 * pack.yaml, config.schema.yaml and the pack's config values.
 */
import type { ConfigSchemaDef, PackConfig, PackMeta, ParameterSchema } from "./model.ts";
import { validateValues } from "./param-schema.ts";
import { isValidPackRef } from "./refs.ts";
import { SCHEMA_IDS } from "./schemas.ts";
import {
  checkDocument,
  contentError,
  isRecord,
  issuesToErrors,
  type SourceContext,
  type Validated,
} from "./validate-common.ts";
import type { Locate } from "./yaml-source.ts";

export interface PackSource {
  /** Relative path of the manifest, normally `pack.yaml`. */
  file: string;
  locate?: Locate;
  /** Absolute path of the pack directory. */
  path: string;
  /** Name of the pack directory; used for the ref when pack.yaml has none (as StackStorm). */
  dirName?: string;
  /** Files inside the pack, relative to it (StackStorm stores this list on the pack). */
  files?: string[];
}

/**
 * The pack ref, by StackStorm's rule (`util/pack.get_pack_ref_from_metadata`): `ref` when
 * given; otherwise the directory name when it is a valid ref; otherwise `name` when it is one.
 */
export function derivePackRef(
  doc: Record<string, unknown>,
  dirName?: string,
): { ref: string } | { error: string } {
  if (typeof doc.ref === "string" && doc.ref !== "") return { ref: doc.ref };
  if (dirName !== undefined && isValidPackRef(dirName)) return { ref: dirName };
  if (typeof doc.name === "string" && isValidPackRef(doc.name)) return { ref: doc.name };
  return {
    error: `no ref given and the pack name ${JSON.stringify(doc.name)} is not a valid ref (only a-z, 0-9 and _); add a "ref" field`,
  };
}

export function validatePackMeta(raw: unknown, source: PackSource): Validated<PackMeta> {
  const guess = isRecord(raw) && typeof raw.ref === "string" ? raw.ref : (source.dirName ?? "");
  const ctx: SourceContext = {
    pack: guess,
    file: source.file,
    ...(source.locate ? { locate: source.locate } : {}),
  };
  // StackStorm casts the version to a string first: `version: 1.0` parses as a number.
  const doc =
    isRecord(raw) && typeof raw.version === "number"
      ? { ...raw, version: String(raw.version) }
      : raw;
  const checked = checkDocument(SCHEMA_IDS.pack, doc, ctx, "pack metadata");
  const errors = checked.errors;
  const derived = derivePackRef(checked.doc, source.dirName);
  if ("error" in derived) {
    if (!errors.some((e) => e.field === "ref" || e.field === "name")) {
      errors.push(contentError(ctx, ["ref"], derived.error));
    }
  }
  if (errors.length > 0 || "error" in derived) {
    return {
      ok: false,
      errors: errors.map((e) => ({ ...e, pack: "ref" in derived ? derived.ref : e.pack })),
    };
  }
  const d = checked.doc;
  const pack: PackMeta = {
    ref: derived.ref,
    name: d.name as string,
    description: d.description as string,
    version: d.version as string,
    author: d.author as string,
    path: source.path,
  };
  for (const key of ["email", "stackstorm_version"] as const) {
    if (typeof d[key] === "string") pack[key] = d[key];
  }
  for (const key of ["contributors", "keywords", "python_versions", "dependencies"] as const) {
    if (Array.isArray(d[key])) pack[key] = d[key] as string[];
  }
  if (isRecord(d.system)) pack.system = d.system;
  if (source.files) pack.files = source.files;
  else if (Array.isArray(d.files)) pack.files = d.files as string[];
  return { ok: true, value: pack };
}

export function validateConfigSchema(raw: unknown, ctx: SourceContext): Validated<ConfigSchemaDef> {
  if (raw === null || raw === undefined || (isRecord(raw) && Object.keys(raw).length === 0)) {
    return { ok: false, errors: [contentError(ctx, [], "the config schema is empty")] };
  }
  const { doc, errors } = checkDocument(SCHEMA_IDS.configSchema, raw, ctx, "a config schema");
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { pack: ctx.pack, attributes: doc as ParameterSchema } };
}

/**
 * Config values (`<configs dir>/<pack>.yaml`), checked against the pack's config schema when it
 * has one: defaults filled, extra keys allowed (as StackStorm). Secret values stay as written;
 * masking them is the API's job.
 */
export function validateConfig(
  raw: unknown,
  schema: ConfigSchemaDef | null,
  ctx: SourceContext,
): Validated<PackConfig> {
  if (raw !== null && raw !== undefined && !isRecord(raw)) {
    return {
      ok: false,
      errors: [contentError(ctx, [], "a pack config must be a mapping of values")],
    };
  }
  const values = isRecord(raw) ? raw : {};
  if (!schema) return { ok: true, value: { pack: ctx.pack, values } };
  const result = validateValues(values, schema.attributes, { allowAdditional: true });
  if (result.issues.length > 0) return { ok: false, errors: issuesToErrors(ctx, result.issues) };
  return { ok: true, value: { pack: ctx.pack, values: result.values } };
}
