/**
 * The wire protocol between Squall and the child processes that run pack code (TypeScript and
 * Python sensors, TypeScript actions). Both directions are JSON, one message per line:
 *
 * - parent → child on stdin: first an `init` message (everything the child needs, including
 *   config and credentials, so nothing sensitive ever appears on the command line), then, for
 *   sensors, trigger changes and `stop`. End of stdin means stop too: a child whose parent died
 *   winds down instead of running orphaned.
 * - child → parent on file descriptor 3: dispatches, log records and (for actions) the result.
 *   A dedicated pipe keeps these apart from whatever the pack code prints on stdout/stderr.
 *
 * The Python side (python/st2shim/squall_shim/sensor_wrapper.py) speaks the same messages.
 */

export const CHANNEL_FD = 3;

export type LogLevel = "debug" | "info" | "warning" | "error" | "critical";
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warning", "error", "critical"];

export type JsonObject = Record<string, unknown>;

/** A trigger as sensors see it in add/update/remove calls (StackStorm's sanitized TriggerDB). */
export interface SensorTrigger {
  id: string;
  ref: string;
  uid: string;
  name: string;
  pack: string;
  type: string;
  parameters: JsonObject;
  description?: string;
}

/** What a dispatch names: a trigger (or trigger type) ref, or a type plus parameters. */
export type TriggerTarget = string | { type: string; parameters?: JsonObject };

export interface TraceContext {
  trace_tag?: string;
  id_?: string;
}

export interface SensorInit {
  type: "init";
  kind: "sensor";
  pack: string;
  class_name: string;
  /** Absolute path of the sensor's file. */
  file_path: string;
  trigger_types: string[];
  /** Seconds, from the sensor metadata; absent means the class decides. */
  poll_interval?: number;
  config: JsonObject;
  api_url: string;
  auth_token: string;
}

export interface ActionInit {
  type: "init";
  kind: "action";
  pack: string;
  /** The action's name, used for its private datastore namespace (`<pack>.<name>:`). */
  name: string;
  execution_id: string;
  /** Absolute path of the action's file. */
  file_path: string;
  parameters: JsonObject;
  config: JsonObject;
  api_url: string;
  auth_token: string;
}

export type TriggerChange = "add_trigger" | "update_trigger" | "remove_trigger";

export type ParentMessage =
  | SensorInit
  | ActionInit
  | { type: TriggerChange; trigger: SensorTrigger }
  | { type: "stop" };

export type ChildMessage =
  | {
      type: "dispatch";
      trigger: TriggerTarget;
      payload: JsonObject | null;
      trace_tag?: string | null;
      trace_context?: TraceContext | null;
    }
  | { type: "log"; level: LogLevel; logger?: string; message: string }
  | { type: "result"; status: "succeeded" | "failed"; result: unknown; error?: string };

export function encodeMessage(message: ParentMessage | ChildMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Splits a byte stream into lines. Over-long lines are cut off rather than buffered without
 * bound, so a misbehaving child cannot exhaust the parent's memory.
 */
export class LineSplitter {
  private pending = "";

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineChars = 16 * 1024 * 1024,
  ) {}

  push(chunk: string): void {
    this.pending += chunk;
    let cut = this.pending.indexOf("\n");
    while (cut >= 0) {
      const line = this.pending.slice(0, cut);
      this.pending = this.pending.slice(cut + 1);
      if (line.trim() !== "") this.onLine(line);
      cut = this.pending.indexOf("\n");
    }
    if (this.pending.length > this.maxLineChars) {
      this.onLine(this.pending);
      this.pending = "";
    }
  }

  end(): void {
    if (this.pending.trim() !== "") this.onLine(this.pending);
    this.pending = "";
  }
}
