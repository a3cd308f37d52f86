/**
 * Rule enforcement for one trigger instance: match it against the in-memory rule index and
 * build the writes the matches cause (rule enforcements, executions with their run jobs, trace
 * links). Nothing is written here; the rules worker commits a batch of these, and the
 * dispatcher commits them together with the instance they enforce (see Dispatcher).
 */

import type { RuleDef } from "../../core/content/model.ts";
import type { ExecutionContext } from "../../core/execution/model.ts";
import type { TemplateEngine } from "../../core/expr/template.ts";
import { renderLiveParams } from "../../core/params/index.ts";
import type { TriggerInstance } from "../../core/reactor/model.ts";
import { enforcementFailureReason, matchRules } from "../../core/rules/index.ts";
import { isoTime, newId } from "../ids.ts";
import type { Logger } from "../logger.ts";
import type { ExecutionService } from "../services/executions.ts";
import { criteriaDatastore, liveParameterInputs } from "../services/parameters.ts";
import { withField } from "../services/with-field.ts";
import type { Store } from "../store/contract.ts";
import type { WriteOp } from "../store/reactor-contract.ts";

export interface EnforcerOptions {
  store: Store;
  rules: { rulesFor(triggerRef: string): readonly RuleDef[] };
  executions: ExecutionService;
  engine: TemplateEngine;
  log: Logger;
  now?: () => number;
}

export interface Enforcer {
  /** The writes enforcing every enabled rule of the instance's trigger (none when none match). */
  enforce(instance: TriggerInstance): Promise<WriteOp[]>;
}

export function createEnforcer(options: EnforcerOptions): Enforcer {
  const { store, log } = options;
  const now = options.now ?? Date.now;
  const kvUse = new WeakMap<readonly RuleDef[], boolean>();

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
    const at = isoTime(now());
    const context: ExecutionContext = {
      trigger_instance: { id: instance.id, name: null },
      rule: { id: rule.uid, name: rule.name, ref: rule.ref },
      user: "stanley",
      trace_context: { trace_tag: instance.trace_tag },
    };
    // StackStorm's caused_by: {type: "trigger_instance", id} for the rule, and
    // {type: "rule", id: "<rule id>:<trigger instance id>"} for the execution.
    const ruleLink = traceLink(instance, at, "rule", rule.ref, rule.ref, {
      type: "trigger_instance",
      id: instance.id,
    });
    try {
      const action = await store.content.getAction(rule.action.ref);
      if (!action) throw new Error(`Action "${rule.action.ref}" doesn't exist`);
      const runner = await store.content.getRunnerType(action.runner_type);
      if (!runner) throw new Error(`runner ${action.runner_type} is not registered`);
      const requested = rule.action.parameters ?? {};
      const loading = liveParameterInputs(store, action, runner, requested, context);
      const inputs = loading instanceof Promise ? await loading : loading;
      // st2 renders the rule's parameters with the trigger payload before creating the request.
      const parameters = renderLiveParams({
        runner,
        action,
        requested,
        context: {
          action_context: withField(context, "pack", action.pack),
          config: inputs.config,
          kv: inputs.kv,
          trigger: instance.payload,
        },
        engine: options.engine,
      });
      const execution = options.executions.prepareFor(
        { action: action.ref, parameters, context },
        action,
        runner,
      );
      const ops = [ruleLink, ...options.executions.creationOps(execution)];
      ops.push(
        traceLink(instance, at, "action_execution", execution.id, action.ref, {
          type: "rule",
          id: `${rule.ref}:${instance.id}`,
        }),
        enforcement(instance, rule, execution.id, null),
      );
      return ops;
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
        enforced_at: isoTime(now()),
        status: failure === null ? "succeeded" : "failed",
        failure_reason: failure,
      },
    };
  }

  return { enforce };
}

function traceLink(
  instance: TriggerInstance,
  at: string,
  kind: "rule" | "action_execution",
  objectId: string,
  ref: string,
  causedBy: { type: string; id: string },
): WriteOp {
  return {
    op: "trace.link",
    trace_tag: instance.trace_tag,
    trace_id: newId(),
    kind,
    component: { object_id: objectId, ref, updated_at: at, caused_by: causedBy },
  };
}
