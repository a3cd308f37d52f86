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
 * Fills defaults where a value is absent or null, recursing into nested objects and into
 * arrays of objects (StackStorm's `assign_default_values`). Returns a new value.
 */
export function applyDefaults(values: Json, params: ParameterSchema): Json {
  const out: Json = { ...values };
  for (const [name, spec] of Object.entries(params)) {
    if (!isObject(spec)) continue;
    if ("default" in spec && (out[name] === undefined || out[name] === null)) {
      out[name] = structuredClone(spec.default);
    }
    out[name] = defaultsInside(out[name], spec);
    if (out[name] === undefined) delete out[name];
  }
  return out;
}

function defaultsInside(value: unknown, spec: ParameterSpec): unknown {
  const types = typeList(spec) ?? [];
  if (types.includes("object") && isObject(value) && isObject(spec.properties)) {
    return applyDefaults(value, spec.properties as ParameterSchema);
  }
  if (types.includes("array") && Array.isArray(value) && isObject(spec.items)) {
    const items = spec.items as ParameterSpec;
    return value.map((item) => {
      const filled = item === null && "default" in items ? structuredClone(items.default) : item;
      return defaultsInside(filled, items);
    });
  }
  return value;
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
  const filled = applyDefaults(values, params);
  if (validate(filled)) return { values: filled, issues: [] };
  return { values: filled, issues: toIssues(validate.errors ?? []) };
}
