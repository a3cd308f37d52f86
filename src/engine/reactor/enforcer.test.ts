/**
 * What a rule's action looks like is read per event: an action (or runner) changed between two
 * events shapes the second one's execution, through every stage that works from the action's
 * definition (enforcement, the run's parameters, the action trigger's masking), with and
 * without the node's cache of content reads.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import pino from "pino";
import type { ActionDef, ParameterSchema, RuleDef, RunnerType } from "../../core/content/model.ts";
import type { Execution } from "../../core/execution/model.ts";
import { JinjaEngine } from "../../core/expr/jinja/engine.ts";
import type { TriggerInstance } from "../../core/reactor/model.ts";
import { EventBus } from "../events.ts";
import { newId } from "../ids.ts";
import { ExecutionService } from "../services/executions.ts";
import { createRunPreparer, validateExecutionRequest } from "../services/parameters.ts";
import { withContentCache } from "../store/content-cache.ts";
import type { Store } from "../store/contract.ts";
import type { NewTriggerInstance, WriteOp } from "../store/reactor-contract.ts";
import { openSqliteStore } from "../store/sqlite/index.ts";
import { createEnforcer, type Enforcer } from "./enforcer.ts";
import { notificationOps } from "./notifier.ts";

const log = pino({ level: "silent" });
const engine = new JinjaEngine({});

const RUNNER: RunnerType = {
  name: "noop",
  description: "",
  enabled: true,
  runner_parameters: {},
};

function actionWith(parameters: ParameterSchema): ActionDef {
  return {
    ref: "demo.act",
    uid: "action:demo:act",
    name: "act",
    pack: "demo",
    description: "",
    enabled: true,
    runner_type: "noop",
    entry_point: "",
    parameters,
    metadata_file: "actions/act.yaml",
  };
}

const RULES: readonly RuleDef[] = Object.freeze([
  {
    ref: "demo.on_event",
    uid: "rule:demo:on_event",
    name: "on_event",
    pack: "demo",
    enabled: true,
    type: { ref: "standard" },
    trigger: { type: "demo.event", parameters: {} },
    criteria: {},
    action: { ref: "demo.act", parameters: { who: "world" } },
    metadata_file: "rules/on_event.yaml",
  },
]);

function instance(n: number): TriggerInstance {
  return {
    id: newId(),
    trigger: "demo.event",
    payload: { n },
    occurrence_time: new Date().toISOString(),
    status: "processed",
    trace_tag: `t-${n}`,
  };
}

function created(ops: WriteOp[]): Execution {
  const op = ops.find((o) => o.op === "execution.create");
  assert.ok(op?.op === "execution.create", `no execution in ${JSON.stringify(ops)}`);
  const e = op.execution;
  return {
    ...e,
    status: "succeeded",
    parent: e.parent ?? null,
    start_timestamp: new Date().toISOString(),
    end_timestamp: new Date().toISOString(),
    result: null,
    log: [],
    runner_node: null,
  } as unknown as Execution;
}

function failure(ops: WriteOp[]): string | null {
  const op = ops.find((o) => o.op === "enforcement.create");
  assert.ok(op?.op === "enforcement.create");
  return op.enforcement.failure_reason;
}

function actionTriggerParameters(ops: WriteOp[]): unknown {
  const op = ops.find(
    (o) => o.op === "instance.create" && o.instance.trigger === "core.st2.generic.actiontrigger",
  ) as { instance: NewTriggerInstance } | undefined;
  return op?.instance.payload.parameters;
}

for (const cached of [false, true])
  describe(`rule enforcement reads the action as it is now (${cached ? "cached" : "uncached"} content)`, () => {
    let dir = "";
    let raw: Store;
    let store: Store;
    let enforcer: Enforcer;

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), "squall-enforcer-"));
      raw = openSqliteStore(join(dir, "db.sqlite"));
      store = cached
        ? { ...raw, content: withContentCache(raw.content), close: () => raw.close() }
        : raw;
      await store.content.upsertPack({
        ref: "demo",
        name: "demo",
        description: "",
        version: "1.0.0",
        author: "t",
        path: dir,
      });
      await store.content.upsertRunnerType(RUNNER);
      await store.content.upsertAction(actionWith({ who: { type: "string" } }));
      const executions = new ExecutionService(
        store,
        new EventBus(),
        validateExecutionRequest,
        log,
        new Set(["noop"]),
      );
      enforcer = createEnforcer({
        store,
        rules: { rulesFor: () => RULES },
        executions,
        engine,
        log,
      });
    });

    afterEach(async () => {
      await raw.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("validates against the new definition (an override of a now immutable parameter)", async () => {
      assert.equal(failure(await enforcer.enforce(instance(1))), null);
      await store.content.upsertAction(
        actionWith({ who: { type: "string", immutable: true, default: "nobody" } }),
      );
      assert.equal(
        failure(await enforcer.enforce(instance(2))),
        "Override of immutable parameter(s) ['who'] is unsupported.",
      );
    });

    it("renders a templated default the action gained", async () => {
      assert.deepEqual(created(await enforcer.enforce(instance(1))).parameters, { who: "world" });
      await store.content.upsertAction(
        actionWith({
          who: { type: "string" },
          seen: { type: "integer", default: "{{ trigger.n }}" },
        }),
      );
      assert.deepEqual(created(await enforcer.enforce(instance(7))).parameters, {
        who: "world",
        seen: 7,
      });
    });

    it("casts to the runner's changed type (and fails to)", async () => {
      await store.content.upsertAction(actionWith({}));
      await store.content.upsertRunnerType({
        ...RUNNER,
        runner_parameters: { who: { type: "string" } },
      });
      assert.equal(failure(await enforcer.enforce(instance(1))), null);
      await store.content.upsertRunnerType({
        ...RUNNER,
        runner_parameters: { who: { type: "integer" } },
      });
      assert.equal(
        failure(await enforcer.enforce(instance(2))),
        `parameter "who" cannot be cast to integer: invalid literal for int() with base 10: 'world'`,
      );
    });

    it("runs with the new defaults and masks a parameter that became secret", async () => {
      const prepare = createRunPreparer(store, engine);
      const instanceOps = async (trigger: string, payload: Record<string, unknown>) => ({
        id: "i",
        ops: [
          {
            op: "instance.create" as const,
            instance: {
              id: newId(),
              trigger,
              payload,
              occurrence_time: new Date().toISOString(),
              trace_tag: "t",
            },
          },
        ],
      });
      await store.content.upsertAction(
        actionWith({ who: { type: "string" }, greeting: { type: "string", default: "hello" } }),
      );
      const first = created(await enforcer.enforce(instance(1)));
      assert.deepEqual((await prepare(first)).parameters, { who: "world", greeting: "hello" });
      assert.deepEqual(
        actionTriggerParameters(await notificationOps(store, first, instanceOps, engine, log)),
        { who: "world" },
      );

      await store.content.upsertAction(
        actionWith({
          who: { type: "string", secret: true },
          greeting: { type: "string", default: "hi" },
        }),
      );
      const second = created(await enforcer.enforce(instance(2)));
      const run = await prepare(second);
      assert.deepEqual(run.parameters, { who: "world", greeting: "hi" });
      assert.deepEqual([...run.secretNames], ["who"]);
      assert.deepEqual(
        actionTriggerParameters(await notificationOps(store, second, instanceOps, engine, log)),
        { who: "********" },
      );
    });
  });
