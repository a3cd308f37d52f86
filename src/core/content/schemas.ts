/**
 * JSON schemas for pack metadata, shaped after StackStorm's API models
 * (`st2common/models/api/*.py`) so that content StackStorm accepts is accepted here and content
 * it rejects is rejected with a field path. Where StackStorm uses Draft-3 boolean `required`
 * for its own fields we use Draft-4 `required` arrays; only parameter *specs* written by pack
 * authors carry the boolean form, described by PARAMETER_META_SCHEMA.
 */
import { PACK_REF_PATTERN, PACK_VERSION_PATTERN, ST2_VERSION_PATTERN } from "./refs.ts";

export const SCHEMA_IDS = {
  parameter: "squall:parameter",
  pack: "squall:pack",
  action: "squall:action",
  rule: "squall:rule",
  sensor: "squall:sensor",
  triggerType: "squall:trigger-type",
  alias: "squall:alias",
  policy: "squall:policy",
  configSchema: "squall:config-schema",
} as const;

type JsonSchema = Record<string, unknown>;

const SIMPLE_TYPES = ["array", "boolean", "integer", "null", "number", "object", "string"];

/** Keywords a parameter spec may use (StackStorm's `action_params.json`, plus `format`). */
function specKeywords(schemaRef: string): JsonSchema {
  const nonNegative = { type: "integer", minimum: 0 };
  const schemaArray = { type: "array", minItems: 1, items: { $ref: schemaRef } };
  const schemaOrBool = { anyOf: [{ type: "boolean" }, { $ref: schemaRef }] };
  const schemaMap = { type: "object", additionalProperties: { $ref: schemaRef } };
  return {
    id: { type: "string" },
    $schema: { type: "string" },
    title: { type: "string" },
    description: { type: "string" },
    default: {},
    format: { type: "string" },
    multipleOf: { type: "number", exclusiveMinimum: 0 },
    maximum: { type: "number" },
    // Draft 4 spells these as booleans beside maximum/minimum; later drafts as numbers.
    exclusiveMaximum: { type: ["boolean", "number"] },
    minimum: { type: "number" },
    exclusiveMinimum: { type: ["boolean", "number"] },
    maxLength: nonNegative,
    minLength: nonNegative,
    pattern: { type: "string" },
    additionalItems: schemaOrBool,
    items: { anyOf: [{ $ref: schemaRef }, schemaArray] },
    maxItems: nonNegative,
    minItems: nonNegative,
    uniqueItems: { type: "boolean" },
    maxProperties: nonNegative,
    minProperties: nonNegative,
    required: { type: "boolean" },
    secret: { type: "boolean" },
    immutable: { type: "boolean" },
    position: { type: "number", minimum: 0 },
    additionalProperties: schemaOrBool,
    definitions: schemaMap,
    properties: schemaMap,
    patternProperties: schemaMap,
    dependencies: {
      type: "object",
      additionalProperties: {
        anyOf: [
          { $ref: schemaRef },
          { type: "array", items: { type: "string" }, minItems: 1, uniqueItems: true },
        ],
      },
    },
    enum: { type: "array", minItems: 1 },
    type: {
      type: ["string", "array"],
      if: { type: "string" },
      // biome-ignore lint/suspicious/noThenProperty: a JSON-schema keyword, never awaited.
      then: { enum: SIMPLE_TYPES },
      else: { items: { enum: SIMPLE_TYPES }, minItems: 1, uniqueItems: true },
    },
    allOf: schemaArray,
    anyOf: schemaArray,
    oneOf: schemaArray,
    not: { $ref: schemaRef },
  };
}

/**
 * One parameter spec (`parameters.<name>` of an action, `runner_parameters.<name>`, a config
 * schema attribute). Unknown attributes are errors, as in StackStorm (additionalProperties:
 * false at every level), so a typo such as `requried: true` does not pass silently.
 */
export const PARAMETER_META_SCHEMA: JsonSchema = {
  $id: SCHEMA_IDS.parameter,
  type: "object",
  properties: specKeywords(`${SCHEMA_IDS.parameter}#`),
  additionalProperties: false,
};

/** `<name>: spec` maps; names are word characters, as StackStorm's patternProperties demand. */
const PARAMETER_MAP: JsonSchema = {
  type: "object",
  patternProperties: { "^\\w+$": { $ref: `${SCHEMA_IDS.parameter}#` } },
  additionalProperties: false,
};

const TAGS: JsonSchema = {
  type: "array",
  items: {
    type: "object",
    required: ["name"],
    properties: { name: { type: "string" }, value: {} },
    additionalProperties: false,
  },
};

/** Fields the API returns and may therefore appear in exported metadata; ignored on load. */
const SERVER_FIELDS: JsonSchema = {
  id: { type: ["string", "null"] },
  ref: { type: "string" },
  uid: { type: "string" },
  metadata_file: { type: "string" },
};

const STRING_ARRAY = { type: "array", items: { type: "string" } };

export const PACK_SCHEMA: JsonSchema = {
  $id: SCHEMA_IDS.pack,
  type: "object",
  required: ["name", "description", "version", "author"],
  properties: {
    id: { type: ["string", "null"] },
    uid: { type: "string" },
    name: { type: "string", minLength: 1 },
    ref: { type: "string", pattern: PACK_REF_PATTERN.source },
    description: { type: "string" },
    keywords: STRING_ARRAY,
    version: { type: "string", pattern: PACK_VERSION_PATTERN },
    stackstorm_version: { type: "string", pattern: ST2_VERSION_PATTERN },
    python_versions: {
      type: "array",
      items: { type: "string", enum: ["2", "3"] },
      minItems: 1,
      maxItems: 2,
      uniqueItems: true,
    },
    author: { type: "string" },
    email: { type: "string", format: "email" },
    contributors: { type: "array", items: { type: "string", maxLength: 100 } },
    files: STRING_ARRAY,
    dependencies: STRING_ARRAY,
    system: { type: "object" },
    path: { type: "string" },
  },
  // StackStorm lets pack.yaml grow new keys without breaking older installs.
  additionalProperties: true,
};

const NOTIFY_SUB: JsonSchema = {
  type: "object",
  properties: {
    message: { type: "string" },
    data: { type: "object" },
    routes: STRING_ARRAY,
    channels: STRING_ARRAY,
  },
  additionalProperties: false,
};

export const ACTION_SCHEMA: JsonSchema = {
  $id: SCHEMA_IDS.action,
  type: "object",
  required: ["name", "runner_type"],
  properties: {
    ...SERVER_FIELDS,
    name: { type: "string", minLength: 1 },
    description: { type: "string" },
    enabled: { type: "boolean" },
    runner_type: { type: "string", minLength: 1 },
    entry_point: { type: "string" },
    pack: { type: "string" },
    parameters: PARAMETER_MAP,
    output_schema: { type: "object" },
    tags: TAGS,
    notify: {
      type: "object",
      properties: { "on-complete": NOTIFY_SUB, "on-failure": NOTIFY_SUB, "on-success": NOTIFY_SUB },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

/** Criteria operator names StackStorm registers (`st2common/operators.py`). */
export const CRITERIA_OPERATORS: readonly string[] = [
  "matchwildcard",
  "matchregex",
  "regex",
  "iregex",
  "equals",
  "eq",
  "nequals",
  "neq",
  "iequals",
  "ieq",
  "contains",
  "icontains",
  "ncontains",
  "incontains",
  "startswith",
  "istartswith",
  "endswith",
  "iendswith",
  "lessthan",
  "lt",
  "greaterthan",
  "gt",
  "timediff_lt",
  "td_lt",
  "timediff_gt",
  "td_gt",
  "exists",
  "nexists",
  "inside",
  "in",
  "ninside",
  "nin",
  "search",
];

export const RULE_SCHEMA: JsonSchema = {
  $id: SCHEMA_IDS.rule,
  type: "object",
  required: ["name", "trigger", "action"],
  properties: {
    ...SERVER_FIELDS,
    name: { type: "string", minLength: 1 },
    pack: { type: "string" },
    description: { type: "string" },
    type: {
      type: "object",
      required: ["ref"],
      properties: { ref: { enum: ["standard", "backstop"] }, parameters: { type: "object" } },
      additionalProperties: false,
    },
    trigger: {
      type: "object",
      required: ["type"],
      properties: {
        type: { type: "string", minLength: 1 },
        description: { type: "string" },
        parameters: { type: "object" },
        ref: { type: "string" },
      },
      additionalProperties: true,
    },
    criteria: {
      type: "object",
      additionalProperties: {
        type: "object",
        required: ["type"],
        properties: {
          type: { type: "string" },
          condition: { enum: ["any", "all", "all2any", "any2any"] },
        },
      },
    },
    action: {
      type: "object",
      required: ["ref"],
      properties: {
        ref: { type: "string", minLength: 1 },
        description: { type: "string" },
        parameters: { type: "object" },
      },
      additionalProperties: false,
    },
    enabled: { type: "boolean" },
    context: { type: "object" },
    tags: TAGS,
  },
  additionalProperties: false,
};

const TRIGGER_TYPE_PROPERTIES: JsonSchema = {
  ...SERVER_FIELDS,
  name: { type: "string", minLength: 1 },
  pack: { type: "string" },
  description: { type: "string" },
  payload_schema: { type: "object" },
  parameters_schema: { type: "object" },
  tags: TAGS,
};

export const TRIGGER_TYPE_SCHEMA: JsonSchema = {
  $id: SCHEMA_IDS.triggerType,
  type: "object",
  required: ["name"],
  properties: TRIGGER_TYPE_PROPERTIES,
  additionalProperties: false,
};

export const SENSOR_SCHEMA: JsonSchema = {
  $id: SCHEMA_IDS.sensor,
  type: "object",
  required: ["class_name", "entry_point"],
  properties: {
    ...SERVER_FIELDS,
    class_name: { type: "string", minLength: 1 },
    pack: { type: "string" },
    description: { type: "string" },
    artifact_uri: { type: "string" },
    entry_point: { type: "string", minLength: 1 },
    enabled: { type: "boolean" },
    trigger_types: { type: "array", items: { $ref: `${SCHEMA_IDS.triggerType}#` } },
    // StackStorm's MINIMUM_POLL_INTERVAL.
    poll_interval: { type: "number", minimum: 4 },
  },
  additionalProperties: false,
};

export const ALIAS_SCHEMA: JsonSchema = {
  $id: SCHEMA_IDS.alias,
  type: "object",
  required: ["name", "action_ref"],
  properties: {
    ...SERVER_FIELDS,
    name: { type: "string", minLength: 1 },
    pack: { type: "string" },
    description: { type: ["string", "null"] },
    enabled: { type: "boolean" },
    action_ref: { type: "string", minLength: 1 },
    formats: {
      type: "array",
      items: {
        anyOf: [
          { type: "string" },
          {
            type: "object",
            required: ["representation"],
            properties: { display: { type: "string" }, representation: STRING_ARRAY },
          },
        ],
      },
    },
    ack: {
      type: "object",
      properties: {
        enabled: { type: "boolean" },
        format: { type: "string" },
        extra: { type: "object" },
        append_url: { type: "boolean" },
      },
    },
    result: {
      type: "object",
      properties: {
        enabled: { type: "boolean" },
        format: { type: "string" },
        extra: { type: "object" },
      },
    },
    extra: { type: "object" },
    immutable_parameters: { type: "object" },
  },
  additionalProperties: false,
};

export const POLICY_SCHEMA: JsonSchema = {
  $id: SCHEMA_IDS.policy,
  type: "object",
  required: ["name", "resource_ref", "policy_type"],
  properties: {
    ...SERVER_FIELDS,
    name: { type: "string", minLength: 1 },
    pack: { type: "string" },
    description: { type: "string" },
    enabled: { type: "boolean" },
    resource_ref: { type: "string", minLength: 1 },
    policy_type: { type: "string", minLength: 1 },
    parameters: {
      type: "object",
      patternProperties: { "^\\w+$": { not: { type: "null" } } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

/** config.schema.yaml: a top-level map of attribute → parameter spec. */
export const CONFIG_SCHEMA_SCHEMA: JsonSchema = {
  $id: SCHEMA_IDS.configSchema,
  ...PARAMETER_MAP,
};

export const ALL_SCHEMAS: readonly JsonSchema[] = [
  PARAMETER_META_SCHEMA,
  PACK_SCHEMA,
  ACTION_SCHEMA,
  RULE_SCHEMA,
  TRIGGER_TYPE_SCHEMA,
  SENSOR_SCHEMA,
  ALIAS_SCHEMA,
  POLICY_SCHEMA,
  CONFIG_SCHEMA_SCHEMA,
];
