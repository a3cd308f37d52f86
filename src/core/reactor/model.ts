/**
 * Records of the reactor: triggers, trigger instances, rule enforcements and traces. Field
 * names follow StackStorm's API shapes (snake_case) because the API returns them as they are.
 */

/** A concrete trigger: a trigger type plus parameters. Parameterless types get a "shadow" trigger with the type's own ref. */
export interface TriggerDef {
  id: string;
  /** `<pack>.<name>`; for shadow triggers the same as the type's ref, otherwise the name is a UUID. */
  ref: string;
  uid: string;
  name: string;
  pack: string;
  /** Trigger type ref. */
  type: string;
  parameters: Record<string, unknown>;
  description?: string;
}

export const TRIGGER_INSTANCE_STATUSES = [
  "pending",
  "processing",
  "processed",
  "processing_failed",
] as const;
export type TriggerInstanceStatus = (typeof TRIGGER_INSTANCE_STATUSES)[number];

export interface TriggerInstance {
  id: string;
  /** Trigger ref. */
  trigger: string;
  payload: Record<string, unknown>;
  /** ISO-8601 UTC. */
  occurrence_time: string;
  status: TriggerInstanceStatus;
  trace_tag: string;
  /** Set when the instance was created with an idempotency key. */
  idempotency_key?: string | null;
  /** Why processing failed, when status is processing_failed. */
  error?: string | null;
}

export interface RuleEnforcement {
  id: string;
  trigger_instance_id: string;
  execution_id: string | null;
  rule: { ref: string; uid: string; id?: string };
  enforced_at: string;
  status: "succeeded" | "failed";
  failure_reason: string | null;
}

export type TraceComponentKind = "trigger_instance" | "rule" | "action_execution";

export interface TraceComponent {
  object_id: string;
  ref: string;
  updated_at: string;
  /** `<kind>:<id>`, e.g. `trigger_instance:5f…` or `rule:<rule id>:<trigger instance id>`. */
  caused_by: { type?: string; id?: string } | Record<string, never>;
}

export interface Trace {
  id: string;
  trace_tag: string;
  trigger_instances: TraceComponent[];
  rules: TraceComponent[];
  action_executions: TraceComponent[];
  start_timestamp: string;
}
