/**
 * Secret masking (st2common/util/secrets.py, constants/secrets.py). A parameter marked `secret`
 * is masked whole; inside object and array parameters, nested properties marked `secret` are
 * masked where they occur.
 */

import type { ParameterSchema } from "../content/model.ts";
import { isPlainObject } from "../expr/pyvalue.ts";

/** StackStorm's MASKED_ATTRIBUTE_VALUE. */
export const MASKED_ATTRIBUTE_VALUE = "********";

/** Shorter secrets are not scrubbed from free text: they would mask ordinary words and digits. */
export const MIN_MASKED_TEXT_LENGTH = 4;

/** Copy of `parameters` with each named top-level parameter replaced by the mask. */
export function maskSecrets(
  parameters: Readonly<Record<string, unknown>>,
  secretNames: ReadonlySet<string>,
): Record<string, unknown> {
  // A copy either way, so the caller may keep or change it without touching `parameters`.
  const out: Record<string, unknown> = hasOwnKeys(parameters)
    ? structuredClone({ ...parameters })
    : {};
  for (const name of secretNames) if (Object.hasOwn(out, name)) out[name] = MASKED_ATTRIBUTE_VALUE;
  return out;
}

function hasOwnKeys(value: Readonly<Record<string, unknown>>): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return true;
  return false;
}

/** Where secrets sit in a value: true = mask it whole; a map/item spec = look inside. */
export type SecretShape =
  | true
  | { properties: Record<string, SecretShape> }
  | { items: SecretShape };

/** StackStorm's get_secret_parameters, for a parameter map or a single spec. */
export function secretShape(spec: Readonly<Record<string, unknown>>): SecretShape | null {
  if (spec.secret === true) return true;
  if (spec.type === "object" && isPlainObject(spec.properties))
    return propertiesShape(spec.properties);
  if (spec.type === "array" && isPlainObject(spec.items)) {
    const inner = secretShape(spec.items);
    return inner === null ? null : { items: inner };
  }
  return null;
}

function propertiesShape(properties: Record<string, unknown>): SecretShape | null {
  const out: Record<string, SecretShape> = {};
  for (const [name, sub] of Object.entries(properties)) {
    if (!isPlainObject(sub)) continue;
    const shape = secretShape(sub);
    if (shape !== null) out[name] = shape;
  }
  return Object.keys(out).length > 0 ? { properties: out } : null;
}

/** The secret layout of a whole parameter schema (top-level and nested). */
export function secretShapeOf(schema: ParameterSchema): Record<string, SecretShape> {
  const shape = propertiesShape(schema as Record<string, unknown>);
  return shape !== null && shape !== true && "properties" in shape ? shape.properties : {};
}

function applyShape(value: unknown, shape: SecretShape): unknown {
  if (shape === true) return MASKED_ATTRIBUTE_VALUE;
  if ("items" in shape)
    return Array.isArray(value) ? value.map((v) => applyShape(v, shape.items)) : value;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [k, sub] of Object.entries(shape.properties))
    if (Object.hasOwn(out, k)) out[k] = applyShape(out[k], sub);
  return out;
}

/** Copy of `parameters` with top-level and nested secrets masked per the schema. */
export function maskSecretParameters(
  parameters: Readonly<Record<string, unknown>>,
  schema: ParameterSchema,
): Record<string, unknown> {
  const shape = secretShapeOf(schema);
  const out = structuredClone({ ...parameters });
  for (const [name, sub] of Object.entries(shape))
    if (Object.hasOwn(out, name)) out[name] = applyShape(out[name], sub);
  return out;
}

/** The secret values themselves (string leaves; numbers as text), for scrubbing free text. */
export function secretValues(
  parameters: Readonly<Record<string, unknown>>,
  schema: ParameterSchema,
): string[] {
  const out = new Set<string>();
  const leaves = (v: unknown): void => {
    if (typeof v === "string") out.add(v);
    else if (typeof v === "number" || typeof v === "boolean") out.add(String(v));
    else if (Array.isArray(v)) v.forEach(leaves);
    else if (isPlainObject(v)) Object.values(v).forEach(leaves);
  };
  const walk = (value: unknown, shape: SecretShape): void => {
    if (shape === true) leaves(value);
    else if ("items" in shape) {
      if (Array.isArray(value)) for (const v of value) walk(v, shape.items);
    } else if (isPlainObject(value)) {
      for (const [k, sub] of Object.entries(shape.properties))
        if (Object.hasOwn(value, k)) walk(value[k], sub);
    }
  };
  for (const [name, shape] of Object.entries(secretShapeOf(schema))) {
    if (Object.hasOwn(parameters, name)) walk(parameters[name], shape);
  }
  return [...out];
}

/**
 * Replaces every occurrence of each secret (of at least MIN_MASKED_TEXT_LENGTH characters) in
 * `text` with the mask; longer secrets first, so one that contains another is masked whole.
 */
export function maskSecretText(text: string, secrets: Iterable<string>): string {
  const list = [...new Set(secrets)]
    .filter((s) => s.length >= MIN_MASKED_TEXT_LENGTH)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of list) out = out.split(secret).join(MASKED_ATTRIBUTE_VALUE);
  return out;
}
