/**
 * The event stream's vocabulary, kept pure so it is unit-tested without a server: StackStorm's
 * event names, the query that filters them (st2stream's `events`, `action_refs`,
 * `execution_ids`, `end_event`, `end_execution_id`), and the shapes of the bodies it sends.
 *
 * Squall keeps one record per execution where StackStorm keeps a LiveAction and an
 * ActionExecution; the stream derives both events from that one record so st2 clients that
 * listen for either keep working.
 */

import { ValidationError } from "../../core/errors.ts";
import type { Execution, OutputChunk } from "../../core/execution/model.ts";
import { isCompleted, isExecutionStatus } from "../../core/execution/status.ts";

export const EXECUTION_CREATE = "st2.execution__create";
export const EXECUTION_UPDATE = "st2.execution__update";
export const EXECUTION_DELETE = "st2.execution__delete";
export const LIVEACTION_CREATE = "st2.liveaction__create";
export const LIVEACTION_UPDATE = "st2.liveaction__update";
export const LIVEACTION_DELETE = "st2.liveaction__delete";
export const OUTPUT_CREATE = "st2.execution.output__create";
export const ANNOUNCEMENT_PREFIX = "st2.announcement__";
/** The output stream's last event, as st2stream sends it (the data is a quoted empty string). */
export const EOF_EVENT = "EOF";

/** st2stream's default when `events` is not given: output chunks are opt-in. */
export const DEFAULT_EVENTS = [
  `${ANNOUNCEMENT_PREFIX}*`,
  EXECUTION_CREATE,
  EXECUTION_UPDATE,
  EXECUTION_DELETE,
  LIVEACTION_CREATE,
  LIVEACTION_UPDATE,
  LIVEACTION_DELETE,
];

/** Runners whose executions have children (st2's `action_is_workflow`). */
const WORKFLOW_RUNNERS = new Set(["orquesta", "action-chain"]);

export interface StreamFilter {
  /** Globs in fnmatch syntax (`*`, `?`, `[seq]`, `[!seq]`), matched against event names. */
  events: string[];
  actionRefs?: Set<string>;
  executionIds?: Set<string>;
  endEvent?: string;
  endExecutionId?: string;
}

/** One message on its way out: the name, the body, and what the filters look at. */
export interface StreamMessage {
  event: string;
  data: unknown;
  /** The action the body is about; null when it has none (announcements). */
  actionRef: string | null;
  /** null for liveaction bodies, as in StackStorm, so `execution_ids` filters them out. */
  executionId: string | null;
  /** The execution status, for the end condition. */
  status?: string;
}

const MAX_LIST_ITEMS = 1000;
const MAX_ITEM_LENGTH = 1024;

/**
 * Reads the stream's query. Lists are comma-separated (st2client joins `events` with commas);
 * a repeated parameter adds to the list.
 */
export function parseStreamQuery(query: Record<string, unknown>): StreamFilter {
  const events = listParam(query, "events");
  const actionRefs = listParam(query, "action_refs");
  const executionIds = listParam(query, "execution_ids");
  const endEvent = scalarParam(query, "end_event");
  const endExecutionId = scalarParam(query, "end_execution_id");
  return {
    events: events.length > 0 ? events : [...DEFAULT_EVENTS],
    ...(actionRefs.length > 0 ? { actionRefs: new Set(actionRefs) } : {}),
    ...(executionIds.length > 0 ? { executionIds: new Set(executionIds) } : {}),
    // StackStorm ends only when both are given; st2client always sends both. A lone
    // end_execution_id means "until it completes", so assume the update event it ends on.
    ...(endExecutionId !== undefined
      ? { endExecutionId, endEvent: endEvent ?? EXECUTION_UPDATE }
      : endEvent !== undefined
        ? { endEvent }
        : {}),
  };
}

function listParam(query: Record<string, unknown>, name: string): string[] {
  const raw = query[name];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const value of values) {
    if (typeof value !== "string")
      throw new ValidationError(`${name} must be a comma-separated list of strings`, {
        field: name,
      });
    for (const item of value.split(",")) {
      const trimmed = item.trim();
      if (trimmed === "") continue;
      if (trimmed.length > MAX_ITEM_LENGTH)
        throw new ValidationError(`${name} has an item longer than ${MAX_ITEM_LENGTH} characters`, {
          field: name,
        });
      out.push(trimmed);
    }
  }
  if (out.length > MAX_LIST_ITEMS)
    throw new ValidationError(`${name} lists more than ${MAX_LIST_ITEMS} items`, { field: name });
  return out;
}

function scalarParam(query: Record<string, unknown>, name: string): string | undefined {
  const raw = query[name];
  if (raw === undefined || raw === "") return undefined;
  if (typeof raw !== "string" || raw.length > MAX_ITEM_LENGTH)
    throw new ValidationError(
      `${name} must be one string of at most ${MAX_ITEM_LENGTH} characters`,
      {
        field: name,
      },
    );
  return raw;
}

/** fnmatch-style matching, as st2stream filters event names (a `*` also crosses dots). */
export function globMatches(pattern: string, name: string): boolean {
  return globToRegExp(pattern).test(name);
}

const globCache = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  const cached = globCache.get(pattern);
  if (cached) return cached;
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? "";
    if (ch === "*") source += "[\\s\\S]*";
    else if (ch === "?") source += "[\\s\\S]";
    else if (ch === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) {
        source += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      source += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else source += ch.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  const re = new RegExp(`^${source}$`);
  if (globCache.size < 256) globCache.set(pattern, re);
  return re;
}

/** Whether any of the filter's globs could match one of `names` (to skip work nobody wants). */
export function wantsAny(filter: StreamFilter, names: readonly string[]): boolean {
  return names.some((name) => filter.events.some((glob) => globMatches(glob, name)));
}

/** st2's listener: the event name first, then the action ref, then the execution id. */
export function includes(filter: StreamFilter, message: StreamMessage): boolean {
  if (!filter.events.some((glob) => globMatches(glob, message.event))) return false;
  if (filter.actionRefs && !filter.actionRefs.has(message.actionRef ?? "")) return false;
  if (filter.executionIds && !filter.executionIds.has(message.executionId ?? "")) return false;
  return true;
}

/**
 * The stream's last message: the end event about the end execution in a completed state. It is
 * still sent when the filters let it through, then the stream closes.
 */
export function isEnd(filter: StreamFilter, message: StreamMessage): boolean {
  if (filter.endExecutionId === undefined || message.event !== filter.endEvent) return false;
  if (message.status === undefined || !isExecutionStatus(message.status)) return false;
  const id = message.executionId ?? (message.data as { id?: unknown } | null)?.id;
  return id === filter.endExecutionId && isCompleted(message.status);
}

/**
 * The messages one committed execution change makes: its liveaction event, then its execution
 * event (StackStorm publishes in that order). A record at revision 1 was just created.
 * `presented` is the execution as the API returns it (secrets masked).
 */
export function executionMessages(
  execution: Execution,
  presented: Record<string, unknown>,
  kind: "create" | "update" | "delete",
): StreamMessage[] {
  const ref = execution.action.ref;
  const liveaction: StreamMessage = {
    event: `st2.liveaction__${kind}`,
    data: liveActionBody(execution, presented),
    actionRef: ref,
    executionId: null,
    status: execution.status,
  };
  const record: StreamMessage = {
    event: `st2.execution__${kind}`,
    data: presented,
    actionRef: ref,
    executionId: execution.id,
    status: execution.status,
  };
  return [liveaction, record];
}

export function changeKind(execution: Execution): "create" | "update" {
  return execution.revision <= 1 ? "create" : "update";
}

/** st2's LiveActionAPI: the action by ref and the runner-facing fields, no history. */
export function liveActionBody(
  execution: Execution,
  presented: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: execution.id,
    action: execution.action.ref,
    action_is_workflow: WORKFLOW_RUNNERS.has(execution.action.runner_type),
    status: execution.status,
    start_timestamp: execution.start_timestamp,
    ...(execution.end_timestamp !== null ? { end_timestamp: execution.end_timestamp } : {}),
    parameters: presented.parameters,
    result: presented.result,
    context: execution.context,
    callback: {},
    runner_info: execution.runner_node !== null ? { hostname: execution.runner_node } : {},
    ...(execution.delay !== null ? { delay: execution.delay } : {}),
  };
}

/**
 * st2's ActionExecutionOutputAPI. Its id is the chunk's place in the execution's output, since
 * Squall stores chunks by sequence number; `seq` itself is kept so followers can resume.
 */
export function outputBody(
  chunk: OutputChunk,
  action: { ref: string; runner_type: string },
  mask: (text: string) => string,
): Record<string, unknown> {
  return {
    id: `${chunk.execution_id}-${chunk.seq}`,
    execution_id: chunk.execution_id,
    action_ref: action.ref,
    runner_ref: action.runner_type,
    timestamp: chunk.timestamp,
    output_type: chunk.output_type,
    data: mask(chunk.data),
    seq: chunk.seq,
  };
}

export function outputMessage(body: Record<string, unknown>): StreamMessage {
  return {
    event: OUTPUT_CREATE,
    data: body,
    actionRef: String(body.action_ref),
    executionId: String(body.execution_id),
  };
}

export function announcementMessage(route: string, payload: unknown): StreamMessage {
  return {
    event: `${ANNOUNCEMENT_PREFIX}${route}`,
    data: payload,
    actionRef: null,
    executionId: null,
  };
}

/** One SSE frame as st2stream writes it: name, compact JSON, blank line. */
export function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
