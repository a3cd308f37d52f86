/**
 * StackStorm's built-in trigger types (pack `core`), which content refers to by ref: rules on
 * webhooks, timers, completed executions, notifications, datastore changes and sensor processes.
 * Schemas follow st2's constants/triggers.py; cron fields accept APScheduler expressions
 * (strings such as "mon-fri" or "*\/5") as well as integers, as current st2 does.
 */

import type { TriggerTypeDef } from "../content/model.ts";

const anything = {};
const objectOnly = { type: "object", properties: { object: anything } };
const cronField = (min: number, max: number) => ({
  anyOf: [{ type: "string" }, { type: "integer", minimum: min, maximum: max }],
});

const TIMER_PAYLOAD = {
  type: "object",
  // st2 sends `schedule: null` (it reads a `time` parameter that timers never have).
  properties: { executed_at: { type: "string" }, schedule: { type: ["object", "null"] } },
};

function type(name: string, description: string, extra: Partial<TriggerTypeDef>): TriggerTypeDef {
  return {
    ref: `core.${name}`,
    uid: `trigger_type:core:${name}`,
    name,
    pack: "core",
    description,
    // Built in, not read from a file: registering the core pack must keep them (see heldBack).
    metadata_file: "",
    parameters_schema: {},
    payload_schema: { type: "object" },
    ...extra,
  };
}

export const WEBHOOK_TRIGGER = "core.st2.webhook";
export const INTERVAL_TIMER = "core.st2.IntervalTimer";
export const DATE_TIMER = "core.st2.DateTimer";
export const CRON_TIMER = "core.st2.CronTimer";
export const ACTION_TRIGGER = "core.st2.generic.actiontrigger";
export const NOTIFY_TRIGGER = "core.st2.generic.notifytrigger";
export const TIMER_TRIGGER_TYPES: readonly string[] = [INTERVAL_TIMER, DATE_TIMER, CRON_TIMER];

export const SYSTEM_TRIGGER_TYPES: readonly TriggerTypeDef[] = [
  type("st2.webhook", "Fires when a webhook at the trigger's url receives a POST.", {
    parameters_schema: {
      type: "object",
      properties: {
        url: { type: "string" },
        // Squall extension: a dotted path into the payload (e.g. "body.event_id") whose value
        // de-duplicates deliveries within the idempotency window.
        idempotency_key: { type: "string" },
      },
      required: ["url"],
      additionalProperties: false,
    },
    payload_schema: {
      type: "object",
      properties: {
        headers: { type: "object" },
        headers_lower: { type: "object" },
        body: anything,
      },
    },
  }),
  type("st2.IntervalTimer", "Fires at a fixed interval, e.g. every 30 seconds.", {
    parameters_schema: {
      type: "object",
      properties: {
        timezone: { type: "string" },
        unit: { enum: ["weeks", "days", "hours", "minutes", "seconds"] },
        delta: { type: "integer" },
      },
      required: ["unit", "delta"],
      additionalProperties: false,
    },
    payload_schema: TIMER_PAYLOAD,
  }),
  type("st2.DateTimer", "Fires once, at the given date and time.", {
    parameters_schema: {
      type: "object",
      properties: { timezone: { type: "string" }, date: { type: "string" } },
      required: ["date"],
      additionalProperties: false,
    },
    payload_schema: TIMER_PAYLOAD,
  }),
  type(
    "st2.CronTimer",
    "Fires whenever the time matches the given cron fields (APScheduler semantics).",
    {
      parameters_schema: {
        type: "object",
        properties: {
          timezone: { type: "string" },
          year: cronField(1970, 9999),
          month: cronField(1, 12),
          day: cronField(1, 31),
          week: cronField(1, 53),
          day_of_week: cronField(0, 6),
          hour: cronField(0, 23),
          minute: cronField(0, 59),
          second: cronField(0, 59),
        },
        additionalProperties: false,
      },
      payload_schema: TIMER_PAYLOAD,
    },
  ),
  type("st2.generic.actiontrigger", "Fires when an execution completes.", {
    payload_schema: {
      type: "object",
      properties: {
        execution_id: anything,
        status: anything,
        start_timestamp: anything,
        action_name: anything,
        action_ref: anything,
        runner_ref: anything,
        parameters: anything,
        result: anything,
      },
    },
  }),
  type("st2.generic.notifytrigger", "Fires for each notification route of a completed execution.", {
    payload_schema: {
      type: "object",
      properties: {
        execution_id: anything,
        status: anything,
        start_timestamp: anything,
        end_timestamp: anything,
        action_ref: anything,
        runner_ref: anything,
        channel: anything,
        route: anything,
        message: anything,
        data: anything,
      },
    },
  }),
  type("st2.action.file_written", "Fires when an action writes a file on disk.", {
    payload_schema: {
      type: "object",
      properties: { ref: anything, file_path: anything, host_info: anything },
    },
  }),
  type("st2.generic.inquiry", "Fires when an inquiry waits for a response.", {
    payload_schema: { type: "object", properties: { id: anything, route: anything } },
  }),
  type("st2.sensor.process_spawn", "Fires when a sensor process starts.", {
    payload_schema: objectOnly,
  }),
  type("st2.sensor.process_exit", "Fires when a sensor process exits.", {
    payload_schema: objectOnly,
  }),
  type("st2.key_value_pair.create", "Fires when a datastore item is created.", {
    payload_schema: objectOnly,
  }),
  type("st2.key_value_pair.update", "Fires when a datastore item is set.", {
    payload_schema: objectOnly,
  }),
  type("st2.key_value_pair.value_change", "Fires when a datastore item's value changes.", {
    payload_schema: { type: "object", properties: { old_object: anything, new_object: anything } },
  }),
  type("st2.key_value_pair.delete", "Fires when a datastore item is deleted.", {
    payload_schema: objectOnly,
  }),
];

/** Whether triggers of this type need parameters (and so get their own trigger per parameter set). */
export function isParameterised(triggerType: Pick<TriggerTypeDef, "parameters_schema">): boolean {
  const props = (
    triggerType.parameters_schema as { properties?: Record<string, unknown> } | undefined
  )?.properties;
  return props !== undefined && Object.keys(props).length > 0;
}
