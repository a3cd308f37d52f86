/**
 * Rules, sensors, trigger types, aliases and policies.
 */
import type {
  AliasDef,
  ContentError,
  PolicyDef,
  RuleDef,
  SensorDef,
  TriggerTypeDef,
} from "./model.ts";
import { validateValues } from "./param-schema.ts";
import { BUILTIN_POLICY_TYPES, findPolicyType } from "./policy-types.ts";
import { makeRef, makeUid } from "./refs.ts";
import { CRITERIA_OPERATORS, SCHEMA_IDS } from "./schemas.ts";
import {
  checkDocument,
  checkPackField,
  contentError,
  isRecord,
  issuesToErrors,
  normalizeTags,
  optionalString,
  type SourceContext,
  type Validated,
} from "./validate-common.ts";

/** Operators that test presence only; StackStorm demands a pattern anyway (st2#6197), we do not. */
const PATTERNLESS_OPERATORS = new Set(["exists", "nexists"]);

function checkCriteria(criteria: Record<string, unknown>, ctx: SourceContext): ContentError[] {
  const errors: ContentError[] = [];
  for (const [key, raw] of Object.entries(criteria)) {
    if (!isRecord(raw) || typeof raw.type !== "string") continue; // the schema reported it
    const operator = raw.type.toLowerCase();
    if (!CRITERIA_OPERATORS.includes(operator)) {
      errors.push(
        contentError(
          ctx,
          ["criteria", key, "type"],
          `criteria.${key}.type "${raw.type}" is not a known operator`,
        ),
      );
    } else if (
      (raw.pattern === undefined || raw.pattern === null) &&
      !PATTERNLESS_OPERATORS.has(operator)
    ) {
      errors.push(
        contentError(
          ctx,
          ["criteria", key, "pattern"],
          `criteria.${key}.pattern is required for operator "${raw.type}"`,
        ),
      );
    }
  }
  return errors;
}

export function validateRule(raw: unknown, ctx: SourceContext): Validated<RuleDef> {
  const { doc, errors } = checkDocument(SCHEMA_IDS.rule, raw, ctx, "a rule");
  errors.push(...checkPackField(doc, ctx));
  const criteria = isRecord(doc.criteria) ? doc.criteria : {};
  if (errors.length === 0) errors.push(...checkCriteria(criteria, ctx));
  if (errors.length > 0) return { ok: false, errors };

  const name = doc.name as string;
  const trigger = doc.trigger as Record<string, unknown>;
  const action = doc.action as Record<string, unknown>;
  const type = isRecord(doc.type) ? doc.type : { ref: "standard" };
  const rule: RuleDef = {
    ref: makeRef(ctx.pack, name),
    uid: makeUid("rule", ctx.pack, name),
    name,
    pack: ctx.pack,
    // StackStorm's rule schema defaults `enabled` to false: a rule must opt in.
    enabled: typeof doc.enabled === "boolean" ? doc.enabled : false,
    type: {
      ref: type.ref as RuleDef["type"]["ref"],
      parameters: isRecord(type.parameters) ? type.parameters : {},
    },
    trigger: {
      type: trigger.type as string,
      parameters: isRecord(trigger.parameters) ? trigger.parameters : {},
    },
    criteria: criteria as RuleDef["criteria"],
    action: {
      ref: action.ref as string,
      parameters: isRecord(action.parameters) ? action.parameters : {},
    },
    metadata_file: ctx.file,
  };
  const description = optionalString(doc.description);
  if (description !== undefined) rule.description = description;
  if (isRecord(doc.context)) rule.context = doc.context;
  const tags = normalizeTags(doc.tags);
  if (tags) rule.tags = tags;
  return { ok: true, value: rule };
}

function triggerTypeFrom(doc: Record<string, unknown>, ctx: SourceContext): TriggerTypeDef {
  const name = doc.name as string;
  const tt: TriggerTypeDef = {
    ref: makeRef(ctx.pack, name),
    uid: makeUid("trigger_type", ctx.pack, name),
    name,
    pack: ctx.pack,
    parameters_schema: isRecord(doc.parameters_schema) ? doc.parameters_schema : {},
    payload_schema: isRecord(doc.payload_schema) ? doc.payload_schema : {},
    metadata_file: ctx.file,
  };
  const description = optionalString(doc.description);
  if (description !== undefined) tt.description = description;
  const tags = normalizeTags(doc.tags);
  if (tags) tt.tags = tags;
  return tt;
}

/** A `triggers/*.yaml` file: one trigger type. */
export function validateTriggerType(raw: unknown, ctx: SourceContext): Validated<TriggerTypeDef> {
  const { doc, errors } = checkDocument(SCHEMA_IDS.triggerType, raw, ctx, "a trigger type");
  errors.push(...checkPackField(doc, ctx));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: triggerTypeFrom(doc, ctx) };
}

/**
 * A sensor and the trigger types it declares. The trigger types always belong to the sensor's
 * pack: StackStorm overwrites their `pack` with the sensor's, so we do not check it.
 */
export function validateSensor(
  raw: unknown,
  ctx: SourceContext,
): Validated<{ sensor: SensorDef; triggerTypes: TriggerTypeDef[] }> {
  const { doc, errors } = checkDocument(SCHEMA_IDS.sensor, raw, ctx, "a sensor");
  errors.push(...checkPackField(doc, ctx));
  if (errors.length > 0) return { ok: false, errors };

  const triggerTypes = (Array.isArray(doc.trigger_types) ? doc.trigger_types : [])
    .filter(isRecord)
    .map((t) => triggerTypeFrom(t, ctx));
  const className = doc.class_name as string;
  const sensor: SensorDef = {
    ref: makeRef(ctx.pack, className),
    uid: makeUid("sensor_type", ctx.pack, className),
    name: className,
    pack: ctx.pack,
    class_name: className,
    entry_point: doc.entry_point as string,
    enabled: typeof doc.enabled === "boolean" ? doc.enabled : true,
    trigger_types: triggerTypes.map((t) => t.ref),
    metadata_file: ctx.file,
  };
  const description = optionalString(doc.description);
  if (description !== undefined) sensor.description = description;
  if (typeof doc.poll_interval === "number") sensor.poll_interval = doc.poll_interval;
  return { ok: true, value: { sensor, triggerTypes } };
}

export function validateAlias(raw: unknown, ctx: SourceContext): Validated<AliasDef> {
  const { doc, errors } = checkDocument(SCHEMA_IDS.alias, raw, ctx, "an action alias");
  errors.push(...checkPackField(doc, ctx));
  if (errors.length > 0) return { ok: false, errors };

  const name = doc.name as string;
  const alias: AliasDef = {
    ref: makeRef(ctx.pack, name),
    uid: makeUid("action_alias", ctx.pack, name),
    name,
    pack: ctx.pack,
    action_ref: doc.action_ref as string,
    enabled: typeof doc.enabled === "boolean" ? doc.enabled : true,
    formats: (Array.isArray(doc.formats) ? doc.formats : []) as AliasDef["formats"],
    metadata_file: ctx.file,
  };
  const description = optionalString(doc.description);
  if (description !== undefined) alias.description = description;
  for (const key of ["ack", "result", "extra", "immutable_parameters"] as const) {
    const value = doc[key];
    if (isRecord(value)) alias[key] = value;
  }
  return { ok: true, value: alias };
}

/** Policy parameters are checked and defaulted against the named policy type. */
export function validatePolicy(raw: unknown, ctx: SourceContext): Validated<PolicyDef> {
  const { doc, errors } = checkDocument(SCHEMA_IDS.policy, raw, ctx, "a policy");
  errors.push(...checkPackField(doc, ctx));
  if (errors.length > 0) return { ok: false, errors };

  const policyType = findPolicyType(doc.policy_type as string);
  if (!policyType) {
    const known = BUILTIN_POLICY_TYPES.map((p) => p.ref).join(", ");
    return {
      ok: false,
      errors: [
        contentError(
          ctx,
          ["policy_type"],
          `policy_type "${String(doc.policy_type)}" is not known (known: ${known})`,
        ),
      ],
    };
  }
  const given = isRecord(doc.parameters) ? doc.parameters : {};
  const checked = validateValues(given, policyType.parameters, { allowAdditional: false });
  if (checked.issues.length > 0) {
    const issues = checked.issues.map((i) => ({ ...i, path: ["parameters", ...i.path] }));
    return { ok: false, errors: issuesToErrors(ctx, issues) };
  }
  const name = doc.name as string;
  const policy: PolicyDef = {
    ref: makeRef(ctx.pack, name),
    uid: makeUid("policy", ctx.pack, name),
    name,
    pack: ctx.pack,
    enabled: typeof doc.enabled === "boolean" ? doc.enabled : true,
    resource_ref: doc.resource_ref as string,
    policy_type: policyType.ref,
    parameters: checked.values,
    metadata_file: ctx.file,
  };
  const description = optionalString(doc.description);
  if (description !== undefined) policy.description = description;
  return { ok: true, value: policy };
}
