/**
 * How StackStorm turns runner + action parameter specs into the JSON schema a request is
 * validated against (st2common/util/schema/__init__.py):
 *
 * - Merge: runner and action specs are deep-merged first (`mergeSchemas` in
 *   core/content/merge-parameters.ts); this module starts from the merged specs.
 * - A parameter spec that is empty accepts any non-null JSON type.
 * - `allow_default_none`: an optional parameter, or one whose default is None, also accepts null.
 *   A spec with no `type` is then treated as `string` (StackStorm's `get("type", "string")`).
 * - `required: true` (Draft 3 style, per property) is the only form of `required` honoured;
 *   StackStorm's validator leaves Draft 4 `required: [...]` arrays unchecked.
 * - Unknown parameters are rejected (`additionalProperties: false`) unless the action and its
 *   runner declare no parameters at all, in which case the schema is empty and accepts anything.
 */

import type { ParameterSchema } from "../content/model.ts";
import { isPlainObject } from "../expr/pyvalue.ts";

type Json = Record<string, unknown>;

const ANY_TYPE: Json = {
  anyOf: [
    { type: "array" },
    { type: "boolean" },
    { type: "integer" },
    { type: "number" },
    { type: "object" },
    { type: "string" },
  ],
};

function isNullable(types: unknown): boolean {
  if (Array.isArray(types)) {
    return types.some((t) => t === "null" || (isPlainObject(t) && (t.type ?? "string") === "null"));
  }
  return isPlainObject(types) && (types.type ?? "string") === "null";
}

/** StackStorm's modify_schema_allow_default_none, applied to an object schema with `properties`. */
function allowDefaultNone(schema: Json): Json {
  const properties = schema.properties;
  if (!isPlainObject(properties)) return schema;
  for (const [name, raw] of Object.entries(properties)) {
    if (!isPlainObject(raw)) continue;
    const prop = raw;
    const optional = !prop.required;
    if ((Object.hasOwn(prop, "default") || optional) && (prop.default ?? null) === null) {
      if (Array.isArray(prop.anyOf)) {
        if (!isNullable(prop.anyOf)) prop.anyOf = [...prop.anyOf, { type: "null" }];
      } else if (Array.isArray(prop.oneOf)) {
        if (!isNullable(prop.oneOf)) prop.oneOf = [...prop.oneOf, { type: "null" }];
      } else if (Array.isArray(prop.type)) {
        if (!prop.type.includes("null")) prop.type = [...prop.type, "null"];
      } else {
        prop.type = [prop.type ?? "string", "null"];
      }
    }
    const type = raw.type;
    const hasType = (t: string) => type === t || (Array.isArray(type) && type.includes(t));
    if (hasType("array") && isPlainObject(prop.items) && isPlainObject(prop.items.properties)) {
      prop.items = allowDefaultNone(prop.items);
    }
    if (hasType("object") && isPlainObject(prop.properties))
      properties[name] = allowDefaultNone(prop);
  }
  return schema;
}

/**
 * Rewrites StackStorm's schema dialect for ajv (draft-07): boolean `required` moves to the
 * parent's `required` array, Draft 4 boolean `exclusiveMinimum/Maximum` become numbers, and
 * `$schema`/`id` are dropped. Array-form `required` is dropped because StackStorm ignores it.
 */
function toAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toAjv);
  if (!isPlainObject(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "required" || k === "$schema" || k === "id") continue;
    if (k === "default" || k === "enum" || k === "const" || k === "examples") out[k] = v;
    else if (k === "properties" && isPlainObject(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, toAjv(s)]));
    } else out[k] = toAjv(v);
  }
  for (const [bound, limit] of [
    ["exclusiveMinimum", "minimum"],
    ["exclusiveMaximum", "maximum"],
  ] as const) {
    if (typeof node[bound] === "boolean") {
      delete out[bound];
      if (node[bound] === true && typeof node[limit] === "number") {
        out[bound] = node[limit];
        delete out[limit];
      }
    }
  }
  if (isPlainObject(node.properties)) {
    const required = Object.entries(node.properties)
      .filter(([, s]) => isPlainObject(s) && s.required === true)
      .map(([p]) => p);
    if (required.length > 0) out.required = required;
  }
  return out;
}

/** The JSON schema (ajv dialect) a request's parameters are validated against. */
export function requestSchema(merged: ParameterSchema): Json {
  const names = Object.keys(merged);
  if (names.length === 0) return {};
  const properties: Json = {};
  for (const name of names) {
    const spec = merged[name];
    const empty = !spec || (isPlainObject(spec) && Object.keys(spec).length === 0);
    properties[name] = empty ? structuredClone(ANY_TYPE) : structuredClone(spec);
  }
  const schema = allowDefaultNone({ type: "object", properties, additionalProperties: false });
  return toAjv(schema) as Json;
}
