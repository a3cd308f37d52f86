/**
 * The content model: what a pack holds once loaded and validated.
 *
 * Field names follow StackStorm's YAML and REST shapes verbatim (snake_case), because these
 * records are what the API returns and what pack authors write; translating names at every
 * boundary would be a standing source of bugs.
 */

/** A JSON-schema property with StackStorm's extensions (boolean `required`, `secret`, …). */
export interface ParameterSpec {
  type?: string | string[];
  description?: string;
  default?: unknown;
  required?: boolean;
  secret?: boolean;
  immutable?: boolean;
  position?: number;
  enum?: unknown[];
  items?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  [keyword: string]: unknown;
}

export type ParameterSchema = Record<string, ParameterSpec>;

export interface PackMeta {
  ref: string;
  name: string;
  description: string;
  version: string;
  author: string;
  email?: string;
  contributors?: string[];
  keywords?: string[];
  stackstorm_version?: string;
  python_versions?: string[];
  dependencies?: string[];
  system?: Record<string, unknown>;
  files?: string[];
  /** Absolute path of the pack directory on this node. */
  path: string;
}

export interface RunnerType {
  name: string;
  description: string;
  enabled: boolean;
  runner_parameters: ParameterSchema;
  output_key?: string;
  output_schema?: Record<string, unknown>;
  /** Whether this runner may be paused and resumed (workflow runners only). */
  pausable?: boolean;
}

export interface NotifySubSchema {
  message?: string;
  data?: Record<string, unknown>;
  routes?: string[];
  channels?: string[];
}

export interface ActionDef {
  /** `<pack>.<name>` */
  ref: string;
  uid: string;
  name: string;
  pack: string;
  description: string;
  enabled: boolean;
  runner_type: string;
  entry_point: string;
  parameters: ParameterSchema;
  output_schema?: Record<string, unknown>;
  tags?: Array<{ name: string; value: string }>;
  notify?: {
    on_complete?: NotifySubSchema;
    on_success?: NotifySubSchema;
    on_failure?: NotifySubSchema;
  };
  /** Path of the metadata file relative to the pack, for error messages and `pack register`. */
  metadata_file: string;
}

export interface RuleDef {
  ref: string;
  uid: string;
  name: string;
  pack: string;
  description?: string;
  enabled: boolean;
  type: { ref: "standard" | "backstop"; parameters?: Record<string, unknown> };
  trigger: { type: string; parameters?: Record<string, unknown>; ref?: string };
  criteria: Record<string, { type: string; pattern?: unknown; condition?: string }>;
  action: { ref: string; parameters?: Record<string, unknown> };
  context?: Record<string, unknown>;
  tags?: Array<{ name: string; value: string }>;
  metadata_file: string;
}

export interface TriggerTypeDef {
  ref: string;
  uid: string;
  name: string;
  pack: string;
  description?: string;
  parameters_schema?: Record<string, unknown>;
  payload_schema?: Record<string, unknown>;
  tags?: Array<{ name: string; value: string }>;
  metadata_file?: string;
}

export interface SensorDef {
  ref: string;
  uid: string;
  name: string;
  pack: string;
  class_name: string;
  entry_point: string;
  description?: string;
  enabled: boolean;
  poll_interval?: number;
  trigger_types: string[];
  metadata_file: string;
}

export interface AliasDef {
  ref: string;
  uid: string;
  name: string;
  pack: string;
  action_ref: string;
  description?: string;
  enabled: boolean;
  formats: Array<string | { display?: string; representation: string[] }>;
  ack?: Record<string, unknown>;
  result?: Record<string, unknown>;
  extra?: Record<string, unknown>;
  immutable_parameters?: Record<string, unknown>;
  metadata_file: string;
}

export interface PolicyDef {
  ref: string;
  uid: string;
  name: string;
  pack: string;
  description?: string;
  enabled: boolean;
  resource_ref: string;
  policy_type: string;
  parameters: Record<string, unknown>;
  metadata_file: string;
}

/** The config schema is a map of top-level property → parameter-like spec. */
export interface ConfigSchemaDef {
  pack: string;
  attributes: ParameterSchema;
}

export interface PackConfig {
  pack: string;
  values: Record<string, unknown>;
}

/** Everything one pack contributes, as the loader produces it. */
export interface PackContent {
  pack: PackMeta;
  actions: ActionDef[];
  rules: RuleDef[];
  sensors: SensorDef[];
  triggerTypes: TriggerTypeDef[];
  aliases: AliasDef[];
  policies: PolicyDef[];
  configSchema: ConfigSchemaDef | null;
  config: PackConfig | null;
}

/** One file that failed to load, with enough detail to find and fix it. */
export interface ContentError {
  pack: string;
  file: string;
  field?: string;
  line?: number;
  column?: number;
  message: string;
}

export type ContentKind =
  | "pack"
  | "action"
  | "rule"
  | "sensor"
  | "trigger_type"
  | "alias"
  | "policy"
  | "config_schema"
  | "config";
