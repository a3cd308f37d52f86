/**
 * What a pack author writes: `export default defineAction({...})` or
 * `export default defineSensor({...})` in a .ts/.js file named by the action's or sensor's
 * `entry_point`. The definitions are plain objects; Squall's host process imports the file,
 * checks the shape and drives it.
 */

import type { Datastore } from "./datastore.ts";
import type { SdkLogger } from "./logger.ts";
import type { JsonObject, SensorTrigger, TraceContext, TriggerTarget } from "./protocol.ts";

const KIND = Symbol.for("squall.sdk.kind");

/** One parameter as written in action metadata (a JSON-schema property with StackStorm's flags). */
export interface ParameterDecl {
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object" | "null";
  required?: boolean;
  secret?: boolean;
  default?: unknown;
  description?: string;
  enum?: readonly unknown[];
  [keyword: string]: unknown;
}

type ValueOf<D> = D extends { enum: readonly (infer E)[] }
  ? E
  : D extends { type: "string" }
    ? string
    : D extends { type: "integer" | "number" }
      ? number
      : D extends { type: "boolean" }
        ? boolean
        : D extends { type: "array" }
          ? unknown[]
          : D extends { type: "object" }
            ? JsonObject
            : D extends { type: "null" }
              ? null
              : unknown;

type RequiredKeys<S> = {
  [K in keyof S]: S[K] extends { required: true } | { default: NonNullable<unknown> } ? K : never;
}[keyof S];

/** The parameter object an action receives, derived from its declared parameters. */
export type ParamsOf<S extends Record<string, ParameterDecl>> = {
  -readonly [K in RequiredKeys<S>]: ValueOf<S[K]>;
} & { -readonly [K in Exclude<keyof S, RequiredKeys<S>>]?: ValueOf<S[K]> };

export interface ActionContext {
  logger: SdkLogger;
  datastore: Datastore;
  /** The pack's config (config file values over the config schema's defaults). */
  config: JsonObject;
  pack: string;
  executionId: string;
}

/** Returned from `run` to fail the execution while still giving it a result (Python's `(False, result)`). */
export interface ActionFailure {
  readonly [KIND]: "failure";
  readonly result: unknown;
}

export function failure(result: unknown): ActionFailure {
  return { [KIND]: "failure", result };
}

export function isFailure(value: unknown): value is ActionFailure {
  return (
    typeof value === "object" && value !== null && (value as ActionFailure)[KIND] === "failure"
  );
}

export interface ActionDefinition<P> {
  readonly [KIND]: "action";
  parameters?: Record<string, ParameterDecl>;
  run(params: P, ctx: ActionContext): unknown;
}

/**
 * Defines an action. With `parameters` declared inline, `params` is typed from them; otherwise
 * pass the type: `defineAction<{ name: string }>({ run(params) {...} })`.
 */
export function defineAction<const S extends Record<string, ParameterDecl>>(definition: {
  parameters: S;
  run(params: ParamsOf<S>, ctx: ActionContext): unknown;
}): ActionDefinition<ParamsOf<S>>;
export function defineAction<P = JsonObject>(definition: {
  run(params: P, ctx: ActionContext): unknown;
}): ActionDefinition<P>;
export function defineAction(definition: {
  parameters?: Record<string, ParameterDecl>;
  run(params: never, ctx: ActionContext): unknown;
}): ActionDefinition<never> {
  if (typeof definition?.run !== "function")
    throw new TypeError("defineAction: the definition needs a run(params, ctx) function");
  return { ...definition, [KIND]: "action" } as ActionDefinition<never>;
}

export function isActionDefinition(value: unknown): value is ActionDefinition<JsonObject> {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { [KIND]?: unknown })[KIND] === "action"
  );
}

export interface SensorService {
  /** Emits a trigger instance; `trigger` is a trigger (type) ref or `{type, parameters}`. */
  dispatch(trigger: TriggerTarget, payload?: JsonObject | null, traceTag?: string): void;
  dispatchWithContext(
    trigger: TriggerTarget,
    payload?: JsonObject | null,
    traceContext?: TraceContext,
  ): void;
  logger: SdkLogger;
  getLogger(name: string): SdkLogger;
  datastore: Datastore;
}

export interface SensorContext {
  service: SensorService;
  config: JsonObject;
  logger: SdkLogger;
  /** Aborted when Squall stops the sensor; long-running `run` functions should end then. */
  signal: AbortSignal;
  /** Seconds between polls (polling sensors). */
  getPollInterval(): number;
  setPollInterval(seconds: number): void;
}

export interface SensorHooks {
  setup?(ctx: SensorContext): void | Promise<void>;
  /** A passive sensor's main loop; it should return once `ctx.signal` is aborted. */
  run?(ctx: SensorContext): void | Promise<void>;
  /** A polling sensor's work, called every `pollInterval` seconds. */
  poll?(ctx: SensorContext): void | Promise<void>;
  /** Seconds between polls when the sensor metadata gives no poll_interval (default 5). */
  pollInterval?: number;
  cleanup?(ctx: SensorContext): void | Promise<void>;
  onTriggerAdded?(trigger: SensorTrigger, ctx: SensorContext): void | Promise<void>;
  onTriggerUpdated?(trigger: SensorTrigger, ctx: SensorContext): void | Promise<void>;
  onTriggerRemoved?(trigger: SensorTrigger, ctx: SensorContext): void | Promise<void>;
}

export interface SensorDefinition extends SensorHooks {
  readonly [KIND]: "sensor";
}

export function defineSensor(hooks: SensorHooks): SensorDefinition {
  const hasRun = typeof hooks?.run === "function";
  const hasPoll = typeof hooks?.poll === "function";
  if (hasRun === hasPoll)
    throw new TypeError(
      "defineSensor: give exactly one of run(ctx) (passive) or poll(ctx) (polling)",
    );
  if (hooks.pollInterval !== undefined && !(hooks.pollInterval > 0))
    throw new TypeError("defineSensor: pollInterval must be a positive number of seconds");
  return { ...hooks, [KIND]: "sensor" };
}

export function isSensorDefinition(value: unknown): value is SensorDefinition {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { [KIND]?: unknown })[KIND] === "sensor"
  );
}
