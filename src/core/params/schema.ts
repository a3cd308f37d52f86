/**
 * How StackStorm turns runner + action parameter specs into the JSON schema a request is
 * validated against (st2common/util/schema/__init__.py):
 *
 * - Merge: `get_schema_for_action_parameters` deep-merges the runner's spec and then the
 *   action's spec per parameter (`deep_update`), so an action that only sets `default: 5` keeps
 *   the runner's `type`, `description`, … Nested mappings (`properties`, a dict `default`) merge
 *   key by key; lists (`enum`) and scalars are replaced. Registration separately restricts which
 *   attributes an action may change (`RUNNER_PARAM_OVERRIDABLE_ATTRS`).
 * - A parameter spec that is empty accepts any non-null JSON type.
 * - `allow_default_none`: an optional parameter, or one whose default is None, also accepts null.
 *   A spec with no `type` is then treated as `string` (StackStorm's `get("type", "string")`).
 * - `required: true` (Draft 3 style, per property) is the only form of `required` honoured;
 *   StackStorm's validator leaves Draft 4 `required: [...]` arrays unchecked.
 * - Unknown parameters are rejected (`additionalProperties: false`) unless the action and its
 *   runner declare no parameters at all, in which case the schema is empty and accepts anything.
 */

import type { ParameterSchema, ParameterSpec } from "../content/model.ts";
import { isPlainObject } from "../expr/pyvalue.ts";

type Json = Record<string, unknown>;

function deepUpdate(target: Json, source: Json): Json {
  for (const [k, v] of Object.entries(source)) {
    if (isPlainObject(v)) {
      const base = target[k];
      target[k] = deepUpdate(isPlainObject(base) ? base : {}, v);
    } else target[k] = v;
  }
  return target;
}

/** Runner parameters overlaid with the action's, attribute by attribute (StackStorm's deep_update). */
export function mergeSchemas(
  runnerParams: ParameterSchema,
  actionParams: ParameterSchema,
): ParameterSchema {
  const merged: Json = {};
  deepUpdate(merged, runnerParams as Json);
  deepUpdate(merged, actionParams as Json);
  return merged as ParameterSchema;
}

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

/**
 * StackStorm's assign_default_values: fills defaults where a value is missing or None,
 * descending into nested objects and arrays, so `required` is satisfied by defaults.
 * Returns a copy; the input is not modified.
 */
export function assignDefaults(instance: unknown, schema: ParameterSpec | Json): unknown {
  const copy = structuredClone(instance);
  if (isPlainObject(copy) && schema.type === "object") return defaultsObject(copy, schema);
  if (Array.isArray(copy) && schema.type === "array") return defaultsArray(copy, schema);
  return copy;
}

const isType = (type: unknown, t: string) =>
  type === t || (Array.isArray(type) && type.includes(t));

function defaultsObject(instance: Json, schema: Json): Json {
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  const dependencies = isPlainObject(schema.dependencies) ? schema.dependencies : {};
  for (const [name, raw] of Object.entries(properties)) {
    if (!isPlainObject(raw)) continue;
    let hasDefault = Object.hasOwn(raw, "default");
    const deps = dependencies[name];
    if (hasDefault && Array.isArray(deps)) {
      for (const dep of deps) {
        const depSchema = properties[String(dep)];
        if (isPlainObject(depSchema) && Object.hasOwn(depSchema, "default")) continue;
        if (!Object.hasOwn(instance, String(dep))) {
          hasDefault = false;
          break;
        }
      }
    }
    if (hasDefault && (instance[name] ?? null) === null)
      instance[name] = structuredClone(raw.default);
    const value = instance[name];
    if (value === null || value === undefined) continue;
    if (isType(raw.type, "array") && Array.isArray(value))
      instance[name] = defaultsArray(value, raw);
    else if (isType(raw.type, "object") && isPlainObject(value)) {
      instance[name] = defaultsObject(value, raw);
    }
  }
  return instance;
}

function defaultsArray(instance: unknown[], schema: Json): unknown[] {
  const items = schema.items;
  if (!items || (Array.isArray(items) && items.length === 0)) return instance;
  const itemSchemas = Array.isArray(items) ? items : instance.map(() => items);
  itemSchemas.forEach((raw, index) => {
    if (index >= instance.length || !isPlainObject(raw)) return;
    if (Object.hasOwn(raw, "default") && instance[index] === null) {
      instance[index] = structuredClone(raw.default);
    }
    const value = instance[index];
    if (value === null || value === undefined) return;
    if (isType(raw.type, "array") && Array.isArray(value))
      instance[index] = defaultsArray(value, raw);
    if (isType(raw.type, "object") && isPlainObject(value))
      instance[index] = defaultsObject(value, raw);
  });
  return instance;
}
