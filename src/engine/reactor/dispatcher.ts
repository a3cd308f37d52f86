/**
 * Turns external events into durable trigger instances: webhooks by url, and direct dispatch by
 * trigger ref (`/webhooks/st2`, `squall trigger-instance re-emit`, timers, sensors). One commit
 * per call, so either every matching trigger got its instance or none did.
 */

import { randomUUID } from "node:crypto";
import { NotFoundError } from "../../core/errors.ts";
import type { Execution } from "../../core/execution/model.ts";
import type { TriggerDef, TriggerInstance } from "../../core/reactor/model.ts";
import { withField } from "../services/with-field.ts";
import { WORK } from "../services/work-kinds.ts";
import type { Store } from "../store/contract.ts";
import type { CommitResult, WriteOp } from "../store/reactor-contract.ts";
import type { DispatchOptions, InstanceOpsBuilder } from "./instances.ts";
import type { TriggerRegistry } from "./trigger-registry.ts";

export interface DispatchResult {
  /** Instances created by this call. */
  created: string[];
  /** Instances not created because their idempotency key was seen within the window (their ids). */
  duplicates: string[];
  traceTag?: string;
}

export interface RequestOptions {
  traceTag?: string;
  idempotencyKey?: string;
}

/** Reads a dotted path (`body.event.id`) from a payload; undefined when absent. */
function readPath(payload: unknown, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Rule enforcement done by the dispatcher itself: a new instance is committed already
 * `processed`, in one transaction with the enforcements and executions its rules cause, instead
 * of `pending` with a job the rules worker claims, reads back and commits again. That saves a
 * hand-off per event (a job row written, claimed and deleted, and the instance's status
 * rewritten) with the same all-or-nothing outcome: either the instance and everything it caused
 * are durable, or none of it is.
 */
export interface InlineEnforcement {
  enforce(instance: TriggerInstance): Promise<WriteOp[]>;
  /** Tells local listeners about the executions the commit created. */
  published(executions: Execution[]): void;
}

export class Dispatcher {
  private inline: InlineEnforcement | undefined;

  /** url → webhook triggers with that url; refreshed whenever rules change. */
  private webhooks = new Map<string, TriggerDef[]>();

  constructor(
    private readonly store: Store,
    private readonly registry: TriggerRegistry,
    private readonly instanceOps: InstanceOpsBuilder,
    private readonly idempotencyWindowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Enforces rules at dispatch (see InlineEnforcement); without it the rules worker does. */
  useInlineEnforcement(inline: InlineEnforcement): void {
    this.inline = inline;
  }

  setWebhookTriggers(triggers: TriggerDef[]): void {
    const map = new Map<string, TriggerDef[]>();
    for (const t of triggers) {
      const url = String(t.parameters.url ?? "").replace(/^\/+|\/+$/g, "");
      map.set(url, [...(map.get(url) ?? []), t]);
    }
    this.webhooks = map;
  }

  async listWebhooks(): Promise<Array<Record<string, unknown>>> {
    return [...this.webhooks.values()].flat().map((t) => ({ ...t, url: t.parameters.url }));
  }

  async dispatchWebhook(
    url: string,
    payload: Record<string, unknown>,
    options: RequestOptions,
  ): Promise<DispatchResult> {
    const triggers = this.webhooks.get(url);
    if (!triggers || triggers.length === 0)
      throw new NotFoundError(
        `no webhook is registered at "${url}": enable a rule whose trigger is core.st2.webhook with url "${url}"`,
      );
    return this.dispatchMany(
      triggers.map((t) => {
        const field =
          typeof t.parameters.idempotency_key === "string"
            ? t.parameters.idempotency_key
            : undefined;
        const fromPayload = field ? readPath(payload, field) : undefined;
        const key =
          options.idempotencyKey ??
          (fromPayload !== undefined && fromPayload !== null ? String(fromPayload) : undefined);
        return { trigger: t.ref, key };
      }),
      payload,
      // One request, one trace: StackStorm tags webhook traces `webhook-<url>-<uuid>`.
      options.traceTag ?? `webhook-${url}-${randomUUID()}`,
    );
  }

  async dispatchTrigger(
    ref: string,
    payload: Record<string, unknown>,
    options: RequestOptions,
  ): Promise<DispatchResult> {
    const trigger = (await this.registry.trigger(ref)) ?? (await this.shadowFor(ref));
    return this.dispatchMany(
      [{ trigger: trigger.ref, key: options.idempotencyKey }],
      payload,
      options.traceTag,
    );
  }

  /** Dispatch from inside Squall (timers, notifier, datastore), returning the writes to commit with the caller's own. */
  async ops(
    ref: string,
    payload: Record<string, unknown>,
    options: DispatchOptions = {},
  ): Promise<WriteOp[]> {
    return (await this.instanceOps(ref, payload, options)).ops;
  }

  /**
   * The instance's writes with its rules enforced, the instance recorded `processed` and no
   * processing job; null when the rules worker should do it (no inline enforcement, nothing
   * listening, or enforcing failed: the worker then records the failure as it always does).
   */
  private async enforceInline(built: WriteOp[]): Promise<WriteOp[] | null> {
    const [create, ...rest] = built;
    if (!this.inline || create?.op !== "instance.create") return null;
    if (!create.enqueue?.some((item) => item.kind === WORK.triggerProcess)) return null;
    const instance: TriggerInstance = withField(create.instance, "status", "processed" as const);
    let enforced: WriteOp[];
    try {
      enforced = await this.inline.enforce(instance);
    } catch {
      return null;
    }
    const enqueue = create.enqueue.filter((item) => item.kind !== WORK.triggerProcess);
    return [{ ...create, instance, enqueue }, ...rest, ...enforced];
  }

  /** Commits the enforced writes; should they fail, the plain ones leave it to the rules worker. */
  private async commitInline(inlineOps: WriteOp[], plainOps: WriteOp[]): Promise<CommitResult> {
    let result: CommitResult;
    try {
      result = await this.store.reactor.commit(inlineOps);
    } catch {
      return this.store.reactor.commit(plainOps);
    }
    this.inline?.published(result.executions);
    return result;
  }

  private async shadowFor(ref: string): Promise<TriggerDef> {
    if (!this.registry.triggerType(ref))
      throw new NotFoundError(`trigger ${ref} is not registered`);
    return this.registry.ensureTrigger(ref, {});
  }

  private async dispatchMany(
    targets: Array<{ trigger: string; key: string | undefined }>,
    payload: Record<string, unknown>,
    traceTag: string | undefined,
  ): Promise<DispatchResult> {
    const ops: WriteOp[] = [];
    const inlineOps: WriteOp[] = [];
    let inlined = false;
    const expiresAt = this.now() + this.idempotencyWindowMs;
    for (const { trigger, key } of targets) {
      const dispatch: DispatchOptions = {};
      if (traceTag) dispatch.traceTag = traceTag;
      if (key !== undefined) dispatch.idempotency = { key: `${trigger}:${key}`, expiresAt };
      const built = await this.instanceOps(trigger, payload, dispatch);
      pushAll(ops, built.ops);
      // A keyed instance may turn out a duplicate at commit, which must then cause nothing, so
      // it goes through the rules worker.
      const enforced = key === undefined ? await this.enforceInline(built.ops) : null;
      if (enforced) inlined = true;
      pushAll(inlineOps, enforced ?? built.ops);
    }
    const result = inlined
      ? await this.commitInline(inlineOps, ops)
      : await this.store.reactor.commit(ops);
    const created: string[] = [];
    const duplicates: string[] = [];
    for (const entry of result.instances)
      (entry.duplicate ? duplicates : created).push(entry.instance.id);
    const first = result.instances[0]?.instance.trace_tag;
    return { created, duplicates, ...(first ? { traceTag: first } : {}) };
  }
}

function pushAll(into: WriteOp[], ops: readonly WriteOp[]): void {
  for (const op of ops) into.push(op);
}
