/**
 * How an action's parameters combine with its runner's, and which overrides are allowed.
 *
 * What StackStorm does (checked in st2common):
 * - `util/schema.get_schema_for_action_parameters`, the schema request parameters are
 *   validated against, *deep-merges* runner parameters then action parameters (`deep_update`:
 *   nested mappings merge key by key, anything else — scalars, lists — is replaced). So an
 *   action that writes only `sudo: {immutable: true}` keeps the runner's type, default and
 *   description for `sudo`. (`util/action_db.get_action_parameters_specs` does a shallow
 *   dict.update, but only secret masking uses it; param rendering in `util/param.py` also
 *   falls back attribute-wise to the runner's default.) mergeSchemas follows the deep merge,
 *   and every merge in Squall (request validation, rendering, the API, the CLI) goes through it.
 * - `validators/api/action._validate_parameters`, run at registration, refuses an action that
 *   changes any runner-parameter attribute other than default, description, enum, immutable
 *   and required; sets `immutable` on a parameter the runner already marks immutable (even
 *   to the same value); or makes a parameter immutable with no default on either side; and it
 *   requires `position` values to be unique and contiguous.
 */
import type { ParameterSchema, ParameterSpec } from "./model.ts";
import type { SchemaIssue } from "./schema-check.ts";

/** RUNNER_PARAM_OVERRIDABLE_ATTRS in st2common/util/schema. */
export const RUNNER_OVERRIDABLE_ATTRIBUTES: readonly string[] = [
  "default",
  "description",
  "enum",
  "immutable",
  "required",
];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `deep_update` into `target`, which only ever holds objects this merge created itself. */
function deepUpdate(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isPlainObject(value)) {
      const into = isPlainObject(current) ? current : {};
      deepUpdate(into, value);
      target[key] = into;
    } else {
      target[key] = structuredClone(value);
    }
  }
}

/**
 * Runner parameters overlaid by the action's, attribute by attribute. The result is a new
 * object sharing nothing with either input, so callers may change it freely.
 */
export function mergeSchemas(
  runnerParams: ParameterSchema,
  actionParams: ParameterSchema,
): ParameterSchema {
  const merged: Record<string, unknown> = {};
  deepUpdate(merged, runnerParams);
  deepUpdate(merged, actionParams);
  return merged as ParameterSchema;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The registration-time checks above; issue paths start at `parameters`. */
export function checkParameterOverrides(
  actionParams: ParameterSchema,
  runnerParams: ParameterSchema,
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  for (const [name, spec] of Object.entries(actionParams)) {
    const runnerSpec: ParameterSpec | undefined = runnerParams[name];
    if (runnerSpec) {
      for (const [attr, value] of Object.entries(spec)) {
        if (RUNNER_OVERRIDABLE_ATTRIBUTES.includes(attr)) continue;
        if (sameValue(value, runnerSpec[attr])) continue;
        issues.push({
          path: ["parameters", name, attr],
          message: `the runner parameter "${name}" may not have its "${attr}" changed (only ${RUNNER_OVERRIDABLE_ATTRIBUTES.join(", ")} can be)`,
        });
      }
    }
    if ("immutable" in spec) {
      if (runnerSpec && "immutable" in runnerSpec) {
        issues.push({
          path: ["parameters", name, "immutable"],
          message: `"${name}" is already declared immutable by the runner and cannot be redeclared`,
        });
      } else if (!("default" in spec) && !(runnerSpec && "default" in runnerSpec)) {
        issues.push({
          path: ["parameters", name, "immutable"],
          message: `immutable parameter "${name}" needs a default value`,
        });
      }
    }
  }
  return issues;
}

/** Positions must be unique and form an unbroken run of integers. */
export function checkPositions(params: ParameterSchema): SchemaIssue[] {
  const byPosition = new Map<number, string>();
  const issues: SchemaIssue[] = [];
  for (const [name, spec] of Object.entries(params)) {
    if (typeof spec.position !== "number") continue;
    const other = byPosition.get(spec.position);
    if (other !== undefined) {
      issues.push({
        path: ["parameters", name, "position"],
        message: `position ${spec.position} is already used by "${other}"; positions must be unique`,
      });
    } else {
      byPosition.set(spec.position, name);
    }
  }
  const positions = [...byPosition.keys()].sort((a, b) => a - b);
  const first = positions[0];
  if (first !== undefined && positions.some((p, i) => p !== first + i)) {
    issues.push({
      path: ["parameters"],
      message: `positions ${JSON.stringify(positions)} are not contiguous`,
    });
  }
  return issues;
}
