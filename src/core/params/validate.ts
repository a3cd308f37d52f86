/**
 * Request-time validation, as StackStorm's `create_request` does it (st2common/services/action.py):
 * defaults are assigned for validation only, the merged schema is checked (required, enum, type,
 * unknown parameters …), then any supplied value for a parameter marked `immutable` in the
 * action's or the runner's spec is refused, whatever the value.
 */

import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { ActionDef, ParameterSchema, RunnerType } from "../content/model.ts";
import { assignDefaults } from "../content/param-schema.ts";
import { ValidationError } from "../errors.ts";
import { pyRepr } from "../expr/pyvalue.ts";
import { anyTemplate, type ParameterPlan, parameterPlan } from "./plan.ts";
import { requestSchema } from "./schema.ts";
import { containsTemplate } from "./templates.ts";

const ANY_JSON_TYPE = ["array", "boolean", "integer", "number", "object", "string", "null"];

const ajv = new Ajv({
  strict: false,
  allErrors: true,
  validateFormats: false,
  validateSchema: false,
});
const compiled = new Map<string, ValidateFunction>();
const CACHE_LIMIT = 256;

function compile(schema: Record<string, unknown>, owner: string): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) return hit;
  let fn: ValidateFunction;
  try {
    fn = ajv.compile(schema);
  } catch (e) {
    throw new ValidationError(`parameter schema of ${owner} is invalid: ${(e as Error).message}`, {
      field: "parameters",
    });
  }
  if (compiled.size >= CACHE_LIMIT) {
    const oldest = compiled.keys().next();
    if (!oldest.done) compiled.delete(oldest.value);
  }
  compiled.set(key, fn);
  return fn;
}

function pathOf(error: ErrorObject): string[] {
  const parts = error.instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (error.keyword === "required") parts.push(String(error.params.missingProperty));
  if (error.keyword === "additionalProperties") parts.push(String(error.params.additionalProperty));
  return parts;
}

function lookupPath(value: unknown, parts: string[]): unknown {
  let v = value;
  for (const p of parts) v = (v as Record<string, unknown> | undefined)?.[p];
  return v;
}

/** Messages worded like Python jsonschema's, which StackStorm users and tools already know. */
function describeError(error: ErrorObject, instance: unknown): string {
  const data = lookupPath(instance, error.instancePath.split("/").slice(1));
  const shown = data === undefined ? "value" : pyRepr(data);
  switch (error.keyword) {
    case "required":
      return `'${error.params.missingProperty}' is a required property`;
    case "additionalProperties":
      return `Additional properties are not allowed ('${error.params.additionalProperty}' was unexpected)`;
    case "enum":
      return `${shown} is not one of ${pyRepr(error.params.allowedValues)}`;
    case "type": {
      const types = String(error.params.type).split(",");
      return `${shown} is not of type ${types.map((t) => `'${t}'`).join(", ")}`;
    }
    case "anyOf":
    case "oneOf":
      return `${shown} is not valid under any of the given schemas`;
    default:
      return `${shown} ${error.message ?? "is invalid"}`;
  }
}

/**
 * Validates `values` against the merged schema after assigning defaults, like StackStorm's
 * `util_schema.validate(..., use_default=True, allow_default_none=True)`. Throws a
 * ValidationError whose field is `parameters.<name>`; returns the defaulted copy.
 */
export function validateAgainstSchema(
  merged: ParameterSchema,
  values: Record<string, unknown>,
  owner: string,
): Record<string, unknown> {
  const schema = requestSchema(merged);
  return checkValues(compile(schema, owner), schema, values, owner);
}

/**
 * validateAgainstSchema against a plan's merged specs, with the plan's compiled schema. Returns
 * nothing: the callers only need the check, so a plan without parameters (whose schema accepts
 * anything) costs nothing.
 */
export function validateAgainstPlan(
  plan: ParameterPlan,
  values: Record<string, unknown>,
  owner: string,
): void {
  if (plan.empty) return;
  const schema = plan.schema as Record<string, unknown>;
  checkValues(
    // Through the shared cache, so a plan rebuilt for an unchanged schema compiles nothing.
    plan.validator((s) => compile(s, owner)),
    schema,
    values,
    owner,
  );
}

function checkValues(
  validate: ValidateFunction,
  schema: Record<string, unknown>,
  values: Record<string, unknown>,
  owner: string,
): Record<string, unknown> {
  const instance = assignDefaults(values, schema);
  if (validate(instance)) return instance;
  const errors = [...(validate.errors ?? [])];
  // Like jsonschema's best_match: prefer errors closest to the top of the document.
  errors.sort((a, b) => pathOf(a).length - pathOf(b).length);
  const [first] = errors;
  if (!first)
    throw new ValidationError(`parameters of ${owner} are invalid`, { field: "parameters" });
  const path = pathOf(first);
  const nested = path.length > 1 ? ` (at ${path.join(".")})` : "";
  throw new ValidationError(`${describeError(first, instance)}${nested}`, {
    field: path.length > 0 ? `parameters.${path[0]}` : "parameters",
  });
}

/** Names whose spec, in the action or in the runner, says `immutable`. */
export function immutableNames(runner: RunnerType, action: ActionDef): Set<string> {
  const out = new Set<string>();
  for (const params of [action.parameters, runner.runner_parameters]) {
    for (const [name, spec] of Object.entries(params ?? {})) if (spec?.immutable) out.add(name);
  }
  return out;
}

export function rejectImmutableOverrides(
  runner: RunnerType,
  action: ActionDef,
  supplied: Readonly<Record<string, unknown>>,
): void {
  rejectOverridesOf(immutableNames(runner, action), supplied);
}

/** rejectImmutableOverrides with the immutable names already known (a plan's). */
export function rejectOverridesOf(
  immutables: ReadonlySet<string>,
  supplied: Readonly<Record<string, unknown>>,
): void {
  if (immutables.size === 0) return;
  const overridden = Object.keys(supplied).filter((k) => immutables.has(k));
  const [first] = overridden;
  if (first !== undefined) {
    throw new ValidationError(
      `Override of immutable parameter(s) ${pyRepr(overridden)} is unsupported.`,
      { field: `parameters.${first}` },
    );
  }
}

/** Top-level names whose merged spec is marked `secret`. */
export function secretNamesOf(merged: ParameterSchema): Set<string> {
  return new Set(Object.keys(merged).filter((n) => merged[n]?.secret === true));
}

export interface ValidatedRequest {
  /** What StackStorm stores as the execution's parameters: the supplied values, unchanged. */
  parameters: Record<string, unknown>;
  /** Supplied values plus top-level defaults (templates left unrendered). */
  values: Record<string, unknown>;
  secretNames: Set<string>;
}

/**
 * Request-time check, before an execution exists. Templates cannot be rendered yet (that needs
 * the datastore), so a supplied value or default containing `{{`/`{%` is exempt from the type,
 * enum and other value checks here; `resolveParameters` validates the rendered values again.
 * Unknown names, missing required parameters and immutable overrides are still refused.
 */
export function validateRequest(input: {
  runner: RunnerType;
  action: ActionDef;
  requested: Readonly<Record<string, unknown>>;
}): ValidatedRequest {
  const { runner, action, requested } = input;
  const plan = parameterPlan(runner, action);
  const merged = plan.merged;
  const values = { ...requested };
  if (!plan.templatedDefaults && !anyTemplate(requested)) {
    // No value to exempt: the relaxed schema below would be the merged one, which the plan holds.
    validateAgainstPlan(plan, values, action.ref);
  } else {
    const relaxed: ParameterSchema = {};
    for (const [name, spec] of Object.entries(merged)) {
      const value = Object.hasOwn(requested, name) ? requested[name] : spec?.default;
      if (!containsTemplate(value)) {
        relaxed[name] = spec;
        continue;
      }
      relaxed[name] = { type: [...ANY_JSON_TYPE], required: spec?.required === true };
      if (spec && Object.hasOwn(spec, "default")) relaxed[name].default = spec.default;
    }
    validateAgainstSchema(relaxed, values, action.ref);
  }
  rejectOverridesOf(plan.immutableNames, requested);
  for (const [name, spec] of plan.withDefaults) {
    if ((values[name] ?? null) === null) values[name] = structuredClone(spec.default);
  }
  return {
    // A copy, so the stored request shares nothing with the caller's object.
    parameters: isEmpty(requested) ? {} : structuredClone({ ...requested }),
    values,
    secretNames: new Set(plan.secretNames),
  };
}

function isEmpty(values: Readonly<Record<string, unknown>>): boolean {
  for (const key in values) if (Object.hasOwn(values, key)) return false;
  return true;
}
