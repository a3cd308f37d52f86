/**
 * Builds the writes that dispatch a trigger instance: the instance itself (pending), its
 * processing job, and its link into the trace. Everything that emits triggers (webhooks,
 * timers, the notifier, the datastore, sensors) goes through here, so every instance is
 * validated against its type's payload schema and carries a trace tag.
 */

import { NotFoundError } from "../../core/errors.ts";
import type { TraceComponent, TriggerDef } from "../../core/reactor/model.ts";
import { isoTime, newId } from "../ids.ts";
import { triggerProcessWork } from "../services/work-kinds.ts";
import type { NewTriggerInstance, WriteOp } from "../store/reactor-contract.ts";
import type { TriggerRegistry } from "./trigger-registry.ts";

export interface DispatchOptions {
  /** Trace tag from the caller (webhook header, CLI flag); generated when absent. */
  traceTag?: string;
  /** What caused this instance, for the trace (e.g. `{type: "action_execution", id}`). */
  causedBy?: TraceComponent["caused_by"];
  /** De-duplicates dispatches with the same key inside the retention window. */
  idempotency?: { key: string; expiresAt: number };
  /** Occurrence time, ms since the epoch; defaults to now. */
  at?: number;
}

export type InstanceOpsBuilder = (
  triggerRef: string,
  payload: Record<string, unknown>,
  options?: DispatchOptions,
) => Promise<{ id: string; ops: WriteOp[] }>;

/** The writes for one instance of a known trigger (synchronous: for callers inside a commit). */
export function buildInstanceOps(
  registry: TriggerRegistry,
  trigger: TriggerDef,
  payload: Record<string, unknown>,
  options: DispatchOptions,
  now: () => number,
): { id: string; ops: WriteOp[] } {
  registry.validatePayload(trigger.type, payload);
  const id = newId();
  const occurred = isoTime(options.at ?? now());
  const traceTag = options.traceTag ?? `trigger_instance-${id}`;
  // No enabled rule listens on this trigger: the instance is recorded already processed (with
  // no enforcements), sparing the rules worker a claim and a write for every such event.
  const listened = registry.isListened(trigger.ref);
  const instance: NewTriggerInstance = {
    id,
    trigger: trigger.ref,
    payload,
    occurrence_time: occurred,
    trace_tag: traceTag,
    idempotency_key: options.idempotency?.key ?? null,
  };
  if (!listened) instance.status = "processed";
  const create: WriteOp & { op: "instance.create" } = {
    op: "instance.create",
    instance,
    enqueue: listened ? [triggerProcessWork(id)] : [],
  };
  if (options.idempotency) create.idempotency = options.idempotency;
  const ops: WriteOp[] = [
    create,
    {
      op: "trace.link",
      trace_tag: traceTag,
      trace_id: newId(),
      kind: "trigger_instance",
      component: {
        object_id: id,
        ref: trigger.ref,
        updated_at: occurred,
        caused_by: options.causedBy ?? {},
      },
    },
  ];
  return { id, ops };
}

export function createInstanceOpsBuilder(
  registry: TriggerRegistry,
  now: () => number = Date.now,
): InstanceOpsBuilder {
  return async (triggerRef, payload, options = {}) => {
    // Known triggers are in memory: no await for them.
    const trigger = registry.cachedTrigger(triggerRef) ?? (await registry.trigger(triggerRef));
    if (!trigger) throw new NotFoundError(`trigger ${triggerRef} is not registered`);
    return buildInstanceOps(registry, trigger, payload, options, now);
  };
}

/** For system triggers (datastore, sensors): their shadow triggers are always loaded. */
export function createSystemInstanceOps(
  registry: TriggerRegistry,
  now: () => number = Date.now,
): (
  triggerRef: string,
  payload: Record<string, unknown>,
  traceTag: string | undefined,
) => WriteOp[] {
  return (triggerRef, payload, traceTag) => {
    const trigger = registry.cachedTrigger(triggerRef);
    if (!trigger) throw new NotFoundError(`trigger ${triggerRef} is not registered`);
    return buildInstanceOps(registry, trigger, payload, traceTag ? { traceTag } : {}, now).ops;
  };
}
