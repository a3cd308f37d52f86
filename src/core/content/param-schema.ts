/**
 * Validating *values* (pack config, policy parameters) against StackStorm-style parameter
 * specs, the way `st2common/util/schema.validate(use_default=True, allow_default_none=True)`
 * does: defaults are filled first (also where the value is null), Draft-3 boolean `required`
 * applies at every nesting level, and an optional field or one whose default is null also
 * accepts null.
 */
import type { ValidateFunction } from "ajv";
import type { ParameterSchema, ParameterSpec } from "./model.ts";
import { contentAjv, type SchemaIssue, toIssues } from "./schema-check.ts";

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeList(spec: Json): string[] | null {
  const t = spec.type;
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string");
  return null;
}

/** Converts one spec to a schema Ajv understands (boolean `required` hoisted by the caller). */
function convertSpec(spec: unknown): unknown {
  if (!isObject(spec)) return spec;
  const out: Json = {};
  for (const [key, value] of Object.entries(spec)) {
    if (key === "required" && typeof value === "boolean") continue;
    // Identifiers would register the schema globally in Ajv and collide between packs.
    if (key === "id" || key === "$id" || key === "$schema") continue;
    out[key] = value;
  }
  // Draft 4 booleans → the numeric form of later drafts.
  for (const [flag, bound] of [
    ["exclusiveMaximum", "maximum"],
    ["exclusiveMinimum", "minimum"],
  ] as const) {
    if (typeof out[flag] === "boolean") {
      if (out[flag] === true && typeof out[bound] === "number") {
        out[flag] = out[bound];
        delete out[bound];
      } else {
        delete out[flag];
      }
    }
  }
  if (isObject(out.properties)) {
    Object.assign(out, objectSchema(out.properties, out.additionalProperties ?? true));
  }
  for (const key of ["additionalProperties", "additionalItems", "not"] as const) {
    if (isObject(out[key])) out[key] = convertSpec(out[key]);
  }
  if (Array.isArray(out.items)) out.items = out.items.map(convertSpec);
  else if (isObject(out.items)) out.items = convertSpec(out.items);
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map(convertSpec);
  }
  for (const key of ["patternProperties", "definitions"] as const) {
    if (isObject(out[key])) {
      out[key] = Object.fromEntries(
        Object.entries(out[key] as Json).map(([k, v]) => [k, convertSpec(v)]),
      );
    }
  }
  return out;
}

/** StackStorm's `modify_schema_allow_default_none`: optional or null-default accepts null. */
function allowNull(spec: Json): Json {
  const optional = spec.required !== true;
  const defaultIsNull = !("default" in spec) || spec.default === null;
  if (!(optional && defaultIsNull)) return spec;
  for (const combinator of ["anyOf", "oneOf"] as const) {
    const branches = spec[combinator];
    if (Array.isArray(branches)) {
      const nullable = branches.some((b) => isObject(b) && typeList(b)?.includes("null"));
      return nullable ? spec : { ...spec, [combinator]: [...branches, { type: "null" }] };
    }
  }
  const types = typeList(spec);
  if (types === null) return spec;
  return types.includes("null") ? spec : { ...spec, type: [...types, "null"] };
}

function objectSchema(properties: Json, additionalProperties: unknown): Json {
  const required: string[] = [];
  const converted: Json = {};
  for (const [name, raw] of Object.entries(properties)) {
    if (!isObject(raw)) {
      converted[name] = raw;
      continue;
    }
    if (raw.required === true) required.push(name);
    converted[name] = convertSpec(allowNull(raw));
  }
  return {
    type: "object",
    properties: converted,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: isObject(additionalProperties)
      ? convertSpec(additionalProperties)
      : additionalProperties,
  };
}

/** A JSON schema (for Ajv) describing an object whose fields are the given parameters. */
export function toValuesSchema(
  params: ParameterSchema,
  options: { allowAdditional: boolean },
): Record<string, unknown> {
  return objectSchema(params, options.allowAdditional);
}

/**
 * StackStorm's assign_default_values: fills defaults where a value is missing or None,
 * descending into nested objects and arrays, so `required` is satisfied by defaults. A default
 * listed in `dependencies` is applied only when what it depends on is present or defaulted.
 * Pack configs, policy parameters and action parameters all go through it. Returns a copy.
 */
export function assignDefaults<T>(instance: T, schema: ParameterSpec | Json): T {
  // Defaults only ever add keys or fill nulls, so the copy keeps the shape of T.
  const copy: unknown = structuredClone(instance);
  if (isObject(copy) && schema.type === "object") return defaultsObject(copy, schema) as T;
  if (Array.isArray(copy) && schema.type === "array") return defaultsArray(copy, schema) as T;
  return copy as T;
}

const isType = (type: unknown, t: string) =>
  type === t || (Array.isArray(type) && type.includes(t));

function defaultsObject(instance: Json, schema: Json): Json {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const dependencies = isObject(schema.dependencies) ? schema.dependencies : {};
  for (const [name, raw] of Object.entries(properties)) {
    if (!isObject(raw)) continue;
    let hasDefault = Object.hasOwn(raw, "default");
    const deps = dependencies[name];
    if (hasDefault && Array.isArray(deps)) {
      for (const dep of deps) {
        const depSchema = properties[String(dep)];
        if (isObject(depSchema) && Object.hasOwn(depSchema, "default")) continue;
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
    else if (isType(raw.type, "object") && isObject(value)) {
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
    if (index >= instance.length || !isObject(raw)) return;
    if (Object.hasOwn(raw, "default") && instance[index] === null) {
      instance[index] = structuredClone(raw.default);
    }
    const value = instance[index];
    if (value === null || value === undefined) return;
    if (isType(raw.type, "array") && Array.isArray(value))
      instance[index] = defaultsArray(value, raw);
    if (isType(raw.type, "object") && isObject(value)) instance[index] = defaultsObject(value, raw);
  });
  return instance;
}

const compiledValues = new WeakMap<ParameterSchema, Map<boolean, ValidateFunction>>();

/** Defaults filled, then checked; issue paths are relative to the values object. */
export function validateValues(
  values: Json,
  params: ParameterSchema,
  options: { allowAdditional: boolean },
): { values: Json; issues: SchemaIssue[] } {
  let perSchema = compiledValues.get(params);
  if (!perSchema) {
    perSchema = new Map();
    compiledValues.set(params, perSchema);
  }
  let validate = perSchema.get(options.allowAdditional);
  if (!validate) {
    try {
      validate = contentAjv().compile(toValuesSchema(params, options));
    } catch (err) {
      // A pattern that is not a valid regular expression, for instance.
      const message = `the schema itself is invalid: ${(err as Error).message}`;
      return { values, issues: [{ path: [], message }] };
    }
    perSchema.set(options.allowAdditional, validate);
  }
  const filled = assignDefaults(values, { type: "object", properties: params });
  if (validate(filled)) return { values: filled, issues: [] };
  return { values: filled, issues: toIssues(validate.errors ?? []) };
}
