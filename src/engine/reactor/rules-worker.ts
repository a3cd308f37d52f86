/**
 * The rules engine's worker: claims batches of pending trigger instances, matches each against
 * the in-memory rule index, and commits everything a batch caused in ONE transaction: rule
 * enforcements, executions with their scheduling jobs, trace links, the instances' final
 * status and the completion of their jobs. Batching is what lets SQLite's commit rate carry
 * thousands of events a second.
 *
 * If a batch's commit fails, its instances are retried one by one so a single bad instance
 * cannot hold back the others; that instance ends `processing_failed` with the reason.
 */

import type { RuleDef } from "../../core/content/model.ts";
import type { ExecutionContext } from "../../core/execution/model.ts";
import type { TemplateEngine } from "../../core/expr/template.ts";
import { renderLiveParams } from "../../core/params/index.ts";
import type { TriggerInstance } from "../../core/reactor/model.ts";
import { enforcementFailureReason, matchRules } from "../../core/rules/index.ts";
import { newId } from "../ids.ts";
import type { Logger } from "../logger.ts";
import { type ClaimLoop, startClaimLoop } from "../services/claim-loop.ts";
import type { ExecutionService } from "../services/executions.ts";
import { criteriaDatastore, loadParameterInputs } from "../services/parameters.ts";
import { WORK } from "../services/work-kinds.ts";
import type { Job, JobRef, Store } from "../store/contract.ts";
import type { WriteOp } from "../store/reactor-contract.ts";
import type { RulesService } from "./rules-service.ts";

export interface RulesWorkerOptions {
  store: Store;
  rules: RulesService;
  executions: ExecutionService;
  engine: TemplateEngine;
  log: Logger;
  nodeId: string;
  leaseMs: number;
  signal: AbortSignal;
  now?: () => number;
  batchSize?: number;
}

export function startRulesWorker(options: RulesWorkerOptions): ClaimLoop {
  const { store, log } = options;
  const now = options.now ?? Date.now;
  const owner = `${options.nodeId}:rules`;
  const kvUse = new WeakMap<readonly RuleDef[], boolean>();

  async function opsForJob(job: Job): Promise<WriteOp[]> {
    const ref: JobRef = { id: job.id, owner };
    const id = typeof job.payload.id === "string" ? job.payload.id : null;
    const instance = id ? await store.reactor.getInstance(id) : null;
    if (!instance || instance.status === "processed" || instance.status === "processing_failed")
      return [{ op: "job.complete", job: ref }]; // gone, or a replay of finished work
    const ops = await enforce(instance);
    ops.push(
      { op: "instance.status", id: instance.id, status: "processed" },
      { op: "job.complete", job: ref },
    );
    return ops;
  }

  async function enforce(instance: TriggerInstance): Promise<WriteOp[]> {
    const rules = options.rules.rulesFor(instance.trigger);
    if (rules.length === 0) return [];
    // The index hands out one frozen list per trigger, so whether its criteria read the
    // datastore is worked out once per list.
    let readsKv = kvUse.get(rules);
    if (readsKv === undefined) {
      readsKv = rules.some((r) => JSON.stringify(r.criteria ?? {}).includes("st2kv"));
      kvUse.set(rules, readsKv);
    }
    const kvSystem = readsKv
      ? await criteriaDatastore(
          store,
          rules.map((r) => r.criteria),
        )
      : undefined;
    const outcome = matchRules(rules, instance.payload, {
      engine: options.engine,
      now,
      ...(kvSystem !== undefined ? { kvSystem } : {}),
    });
    const ops: WriteOp[] = [];
    for (const { rule, error } of outcome.errors)
      ops.push(
        enforcement(instance, rule, null, enforcementFailureReason(rule.ref, instance.id, error)),
      );
    for (const rule of outcome.matched) ops.push(...(await enforceRule(instance, rule)));
    return ops;
  }

  async function enforceRule(instance: TriggerInstance, rule: RuleDef): Promise<WriteOp[]> {
    const at = new Date(now()).toISOString();
    // StackStorm's caused_by: {type: "trigger_instance", id} for the rule, and
    // {type: "rule", id: "<rule id>:<trigger instance id>"} for the execution.
    const traceLink = (
      kind: "rule" | "action_execution",
      objectId: string,
      ref: string,
      causedBy: { type: string; id: string },
    ): WriteOp => ({
      op: "trace.link",
      trace_tag: instance.trace_tag,
      trace_id: newId(),
      kind,
      component: { object_id: objectId, ref, updated_at: at, caused_by: causedBy },
    });
    const context: ExecutionContext = {
      trigger_instance: { id: instance.id, name: null },
      rule: { id: rule.uid, name: rule.name, ref: rule.ref },
      user: "stanley",
      trace_context: { trace_tag: instance.trace_tag },
    };
    const ruleLink = traceLink("rule", rule.ref, rule.ref, {
      type: "trigger_instance",
      id: instance.id,
    });
    try {
      const action = await store.content.getAction(rule.action.ref);
      if (!action) throw new Error(`Action "${rule.action.ref}" doesn't exist`);
      const runner = await store.content.getRunnerType(action.runner_type);
      if (!runner) throw new Error(`runner ${action.runner_type} is not registered`);
      const requested = rule.action.parameters ?? {};
      const inputs = await loadParameterInputs(store, action, runner, requested, context);
      // st2 renders the rule's parameters with the trigger payload before creating the request.
      const parameters = renderLiveParams({
        runner,
        action,
        requested,
        context: {
          action_context: { ...context, pack: action.pack },
          ...inputs,
          trigger: instance.payload,
        },
        engine: options.engine,
      });
      const execution = await options.executions.prepare({
        action: action.ref,
        parameters,
        context,
      });
      return [
        ruleLink,
        ...options.executions.creationOps(execution),
        traceLink("action_execution", execution.id, action.ref, {
          type: "rule",
          id: `${rule.ref}:${instance.id}`,
        }),
        enforcement(instance, rule, execution.id, null),
      ];
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.warn(
        { rule: rule.ref, triggerInstance: instance.id },
        `rule enforcement failed: ${message}`,
      );
      return [ruleLink, enforcement(instance, rule, null, message)];
    }
  }

  function enforcement(
    instance: TriggerInstance,
    rule: RuleDef,
    executionId: string | null,
    failure: string | null,
  ): WriteOp {
    return {
      op: "enforcement.create",
      enforcement: {
        id: newId(),
        trigger_instance_id: instance.id,
        execution_id: executionId,
        rule: { ref: rule.ref, uid: rule.uid },
        enforced_at: new Date(now()).toISOString(),
        status: failure === null ? "succeeded" : "failed",
        failure_reason: failure,
      },
    };
  }

  async function commitAndPublish(ops: WriteOp[]): Promise<void> {
    const result = await store.reactor.commit(ops);
    options.executions.published(result.executions);
  }

  async function handleBatch(jobs: Job[]): Promise<void> {
    const perJob: WriteOp[][] = [];
    for (const job of jobs) {
      try {
        perJob.push(await opsForJob(job));
      } catch (err) {
        perJob.push(failedOps(job, err));
      }
    }
    try {
      await commitAndPublish(perJob.flat());
      return;
    } catch (err) {
      log.warn({ err, jobs: jobs.length }, "batch commit failed; committing instances one by one");
    }
    for (const [i, ops] of perJob.entries()) {
      const job = jobs[i];
      if (!job) continue;
      try {
        await commitAndPublish(ops);
      } catch (err) {
        await commitAndPublish(failedOps(job, err)).catch((e: unknown) =>
          log.error({ err: e, jobId: job.id }, "could not record a failed trigger instance"),
        );
      }
    }
  }

  function failedOps(job: Job, err: unknown): WriteOp[] {
    const message = err instanceof Error ? err.message : String(err);
    const ops: WriteOp[] = [{ op: "job.complete", job: { id: job.id, owner } }];
    if (typeof job.payload.id === "string")
      ops.unshift({
        op: "instance.status",
        id: job.payload.id,
        status: "processing_failed",
        error: message,
      });
    return ops;
  }

  return startClaimLoop({
    queue: store.queue,
    kind: WORK.triggerProcess,
    owner,
    leaseMs: options.leaseMs,
    concurrency: (options.batchSize ?? 100) * 2,
    batch: options.batchSize ?? 100,
    handleBatch,
    log,
    signal: options.signal,
  });
}
