/**
 * The notifier: when an execution completes it emits `core.st2.generic.actiontrigger` (for the
 * statuses StackStorm's `[action_sensor] emit_when` lists by default) and one
 * `core.st2.generic.notifytrigger` per route of the action's `notify` sections, with StackStorm's
 * payloads. The completing transition enqueued this job in its own transaction; the instances
 * are created and the job completed in one commit, so a crash neither loses nor repeats them.
 */

import type { ActionDef, NotifySubSchema } from "../../core/content/model.ts";
import type { Execution } from "../../core/execution/model.ts";
import { FAILED_STATUSES } from "../../core/execution/status.ts";
import type { TemplateEngine } from "../../core/expr/template.ts";
import {
  maskSecrets,
  mergeSchemas,
  parameterPlan,
  secretNamesOf,
} from "../../core/params/index.ts";
import { ACTION_TRIGGER, NOTIFY_TRIGGER } from "../../core/reactor/system-triggers.ts";
import type { Logger } from "../logger.ts";
import { type ClaimLoop, startClaimLoop } from "../services/claim-loop.ts";
import { jobExecutionId, WORK } from "../services/work-kinds.ts";
import type { Job, JobRef, Store } from "../store/contract.ts";
import type { WriteOp } from "../store/reactor-contract.ts";
import type { DispatchOptions, InstanceOpsBuilder } from "./instances.ts";

export const ACTION_TRIGGER_STATUSES: ReadonlySet<string> = new Set([
  "succeeded",
  "failed",
  "timeout",
  "canceled",
  "abandoned",
]);

/** Python's `str(datetime)` of a UTC timestamp, the format st2 puts in actiontrigger payloads. */
export function pythonDatetimeString(iso: string): string {
  // Executions finishing together mostly started in the same millisecond.
  if (iso !== lastIso) {
    lastPython = formatPythonDatetime(iso);
    lastIso = iso;
  }
  return lastPython;
}

let lastIso: string | undefined;
let lastPython = "";

function formatPythonDatetime(iso: string): string {
  const d = new Date(iso);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.` +
    `${pad(d.getUTCMilliseconds(), 3)}000+00:00`
  );
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

export interface NotifierOptions {
  store: Store;
  instanceOps: InstanceOpsBuilder;
  engine: TemplateEngine;
  log: Logger;
  nodeId: string;
  leaseMs: number;
  signal: AbortSignal;
}

export function startNotifier(options: NotifierOptions): ClaimLoop {
  const { store, log } = options;
  const owner = `${options.nodeId}:notifier`;

  async function handle(job: Job): Promise<void> {
    const ref: JobRef = { id: job.id, owner };
    const id = jobExecutionId(job.payload);
    const execution = id ? await store.executions.get(id) : null;
    if (!execution) return store.queue.fail(ref, `execution ${id ?? "?"} not found`);
    const ops = await notificationOps(store, execution, options.instanceOps, options.engine, log);
    ops.push({ op: "job.complete", job: ref });
    await store.reactor.commit(ops);
  }

  return startClaimLoop({
    queue: store.queue,
    kind: WORK.notify,
    owner,
    leaseMs: options.leaseMs,
    concurrency: 64,
    handle,
    log,
    signal: options.signal,
  });
}

/**
 * The trigger instances a completed execution emits: one notify trigger per route of its
 * action's notify sections, and the action trigger. Used by the notifier and, to save a
 * hand-off, by the action worker, which commits them with the completing transition.
 */
export async function notificationOps(
  store: Store,
  execution: Execution,
  instanceOps: InstanceOpsBuilder,
  engine: TemplateEngine,
  log: Logger,
): Promise<WriteOp[]> {
  const action = await store.content.getAction(execution.action.ref);
  const ops: WriteOp[] = [];
  const traceTag = execution.context.trace_context?.trace_tag;
  for (const [section, suffix] of notifySections(execution, action))
    for (const payload of notifyPayloads(execution, section, suffix, engine, log)) {
      const built = await instanceOps(NOTIFY_TRIGGER, payload, causedBy(execution, traceTag));
      pushAll(ops, built.ops);
    }
  if (ACTION_TRIGGER_STATUSES.has(execution.status)) {
    const payload = await actionTriggerPayload(store, execution, action);
    const built = await instanceOps(ACTION_TRIGGER, payload, causedBy(execution, traceTag));
    pushAll(ops, built.ops);
  }
  return ops;
}

function causedBy(execution: Execution, traceTag: string | undefined): DispatchOptions {
  const causedBy = { type: "action_execution", id: execution.id };
  return traceTag ? { traceTag, causedBy } : { causedBy };
}

function pushAll(into: WriteOp[], ops: readonly WriteOp[]): void {
  for (const op of ops) into.push(op);
}

function notifySections(
  execution: Execution,
  action: ActionDef | null,
): Array<[NotifySubSchema, string]> {
  const notify = action?.notify;
  if (!notify) return [];
  const out: Array<[NotifySubSchema, string]> = [];
  if (notify.on_complete) out.push([notify.on_complete, "completed."]);
  if (execution.status === "succeeded" && notify.on_success)
    out.push([notify.on_success, "succeeded."]);
  if (FAILED_STATUSES.has(execution.status) && notify.on_failure)
    out.push([notify.on_failure, "failed."]);
  return out;
}

function notifyPayloads(
  execution: Execution,
  section: NotifySubSchema,
  suffix: string,
  engine: TemplateEngine,
  log: Logger,
): Array<Record<string, unknown>> {
  const routes = (section.routes?.length ? section.routes : section.channels) ?? [];
  if (routes.length === 0) return [];
  const context = {
    action_parameters: execution.parameters,
    action_context: execution.context,
    action_results: execution.result,
  };
  // Like st2, a message or data template that fails to render is logged and sent as written.
  let message: unknown = section.message ?? `Action ${execution.action.ref} ${suffix}`;
  try {
    if (typeof message === "string" && engine.isTemplate(message))
      message = engine.render(message, context);
  } catch (err) {
    log.warn({ err, executionId: execution.id }, "notify message did not render");
  }
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section.data ?? {})) {
    try {
      data[key] =
        typeof value === "string" && engine.isTemplate(value)
          ? engine.renderValue(value, context)
          : value;
    } catch (err) {
      data[key] = value;
      log.warn({ err, executionId: execution.id, key }, "notify data did not render");
    }
  }
  // st2 sends the result as a JSON string so it survives any later str() rendering.
  data.result = JSON.stringify(execution.result);
  return routes.map((route) => ({
    message,
    data,
    execution_id: execution.id,
    status: execution.status,
    start_timestamp: execution.start_timestamp,
    end_timestamp: execution.end_timestamp ?? new Date().toISOString(),
    action_ref: execution.action.ref,
    runner_ref: execution.action.runner_type,
    route,
    channel: route,
  }));
}

async function actionTriggerPayload(
  store: Store,
  execution: Execution,
  action: ActionDef | null,
): Promise<Record<string, unknown>> {
  const runner = action ? await store.content.getRunnerType(action.runner_type) : null;
  const secretNames =
    action && runner
      ? parameterPlan(runner, action).secretNames
      : secretNamesOf(mergeSchemas(runner?.runner_parameters ?? {}, action?.parameters ?? {}));
  return {
    execution_id: execution.id,
    status: execution.status,
    start_timestamp: pythonDatetimeString(execution.start_timestamp),
    action_name: execution.action.ref,
    action_ref: execution.action.ref,
    runner_ref: execution.action.runner_type,
    parameters: maskSecrets(execution.parameters, secretNames),
    result: execution.result,
  };
}
