/**
 * Checks protocol lines from the other side before anything acts on them: a child runs pack
 * code, so what it writes is untrusted input. Answers carry a reason instead of throwing, so a
 * bad line is logged against the sensor or action that wrote it and the rest keeps flowing.
 */

import {
  type ChildMessage,
  type JsonObject,
  LOG_LEVELS,
  type LogLevel,
  type ParentMessage,
  type SensorTrigger,
  type TraceContext,
  type TriggerTarget,
} from "./protocol.ts";

export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: string };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail<T>(reason: string): Parsed<T> {
  return { ok: false, reason };
}

function decode(line: string): Parsed<JsonObject> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return fail(`not JSON: ${line.slice(0, 200)}`);
  }
  if (!isObject(value)) return fail("a message must be a JSON object");
  if (typeof value.type !== "string") return fail('a message needs a string "type"');
  return { ok: true, message: value };
}

function target(value: unknown): TriggerTarget | null {
  if (typeof value === "string" && value !== "") return value;
  if (isObject(value) && typeof value.type === "string" && value.type !== "") {
    if (value.parameters !== undefined && !isObject(value.parameters)) return null;
    return value.parameters === undefined
      ? { type: value.type }
      : { type: value.type, parameters: value.parameters };
  }
  return null;
}

function traceContext(value: unknown): TraceContext | null | "bad" {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) return "bad";
  const out: TraceContext = {};
  if (typeof value.trace_tag === "string" && value.trace_tag !== "")
    out.trace_tag = value.trace_tag;
  if (typeof value.id_ === "string" && value.id_ !== "") out.id_ = value.id_;
  return out;
}

/** A line a child wrote on its channel (fd 3). */
export function parseChildMessage(line: string): Parsed<ChildMessage> {
  const decoded = decode(line);
  if (!decoded.ok) return decoded;
  const m = decoded.message;
  switch (m.type) {
    case "dispatch": {
      const trigger = target(m.trigger);
      if (!trigger)
        return fail('dispatch: "trigger" must be a trigger ref or {type, parameters} object');
      const payload = m.payload ?? null;
      if (payload !== null && !isObject(payload))
        return fail(`dispatch to ${JSON.stringify(trigger)}: "payload" must be an object or null`);
      if (m.trace_tag !== undefined && m.trace_tag !== null && typeof m.trace_tag !== "string")
        return fail('dispatch: "trace_tag" must be a string');
      const context = traceContext(m.trace_context);
      if (context === "bad") return fail('dispatch: "trace_context" must be an object');
      const message: ChildMessage = { type: "dispatch", trigger, payload };
      if (typeof m.trace_tag === "string" && m.trace_tag !== "") message.trace_tag = m.trace_tag;
      if (context) message.trace_context = context;
      return { ok: true, message };
    }
    case "log": {
      const level = LOG_LEVELS.includes(m.level as LogLevel) ? (m.level as LogLevel) : "info";
      const message: ChildMessage = {
        type: "log",
        level,
        message: typeof m.message === "string" ? m.message : JSON.stringify(m.message),
      };
      if (typeof m.logger === "string") message.logger = m.logger;
      return { ok: true, message };
    }
    case "result": {
      if (m.status !== "succeeded" && m.status !== "failed")
        return fail('result: "status" must be "succeeded" or "failed"');
      const message: ChildMessage = { type: "result", status: m.status, result: m.result ?? null };
      if (typeof m.error === "string") message.error = m.error;
      return { ok: true, message };
    }
    default:
      return fail(`unknown message type "${String(m.type)}"`);
  }
}

function trigger(value: unknown): SensorTrigger | null {
  if (!isObject(value)) return null;
  const { id, ref, uid, name, pack, type, parameters } = value;
  if (
    typeof id !== "string" ||
    typeof ref !== "string" ||
    typeof type !== "string" ||
    !isObject(parameters)
  )
    return null;
  const out: SensorTrigger = {
    id,
    ref,
    uid: typeof uid === "string" ? uid : "",
    name: typeof name === "string" ? name : "",
    pack: typeof pack === "string" ? pack : "",
    type,
    parameters,
  };
  if (typeof value.description === "string") out.description = value.description;
  return out;
}

/** A line the parent wrote on the child's stdin. */
export function parseParentMessage(line: string): Parsed<ParentMessage> {
  const decoded = decode(line);
  if (!decoded.ok) return decoded;
  const m = decoded.message;
  switch (m.type) {
    case "init":
      if (m.kind !== "sensor" && m.kind !== "action")
        return fail('init: "kind" must be "sensor" or "action"');
      if (typeof m.file_path !== "string" || typeof m.pack !== "string")
        return fail('init: "file_path" and "pack" must be strings');
      if (!isObject(m.config)) return fail('init: "config" must be an object');
      if (m.kind === "action" && !isObject(m.parameters))
        return fail('init: "parameters" must be an object');
      return { ok: true, message: m as unknown as ParentMessage };
    case "add_trigger":
    case "update_trigger":
    case "remove_trigger": {
      const t = trigger(m.trigger);
      if (!t) return fail(`${m.type}: "trigger" must be a trigger object`);
      return { ok: true, message: { type: m.type, trigger: t } };
    }
    case "stop":
      return { ok: true, message: { type: "stop" } };
    default:
      return fail(`unknown message type "${String(m.type)}"`);
  }
}
