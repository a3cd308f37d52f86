/**
 * Squall's SDK for pack code written in TypeScript: actions run by the `nodejs` runner and
 * sensors run by the sensor container. Pack files import it as `squall/sdk` (Squall's host
 * process resolves that name) and export a definition as their default export.
 */

export type { Datastore, DatastoreScope, KeyValuePair } from "./datastore.ts";
export { DatastoreError } from "./datastore.ts";
export type {
  ActionContext,
  ActionDefinition,
  ActionFailure,
  ParameterDecl,
  ParamsOf,
  SensorContext,
  SensorDefinition,
  SensorHooks,
  SensorService,
} from "./define.ts";
export { defineAction, defineSensor, failure } from "./define.ts";
export type { SdkLogger } from "./logger.ts";
export type { JsonObject, SensorTrigger, TraceContext, TriggerTarget } from "./protocol.ts";
