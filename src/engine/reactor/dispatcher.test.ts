/**
 * Inline enforcement at dispatch: the instance commits already processed with what its rules
 * caused, or, whenever that cannot be done safely, pending with a job for the rules worker.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import pino from "pino";
import type { RuleDef, TriggerTypeDef } from "../../core/content/model.ts";
import type { Execution } from "../../core/execution/model.ts";
import type { TriggerInstance } from "../../core/reactor/model.ts";
import { newId } from "../ids.ts";
import { WORK } from "../services/work-kinds.ts";
import type { Store } from "../store/contract.ts";
import type { WriteOp } from "../store/reactor-contract.ts";
import { openSqliteStore } from "../store/sqlite/index.ts";
import { Dispatcher } from "./dispatcher.ts";
import { createInstanceOpsBuilder } from "./instances.ts";
import { RulesService } from "./rules-service.ts";
import { TriggerRegistry } from "./trigger-registry.ts";

const EVENT: TriggerTypeDef = {
  ref: "demo.event",
  uid: "trigger_type:demo:event",
  name: "event",
  pack: "demo",
  description: "",
  parameters_schema: {},
  payload_schema: { type: "object" },
};

const RULE: RuleDef = {
  ref: "demo.on_event",
  uid: "rule:demo:on_event",
  name: "on_event",
  pack: "demo",
  description: "",
  enabled: true,
  type: { ref: "standard", parameters: {} },
  trigger: { type: "demo.event", parameters: {} },
  criteria: {},
  action: { ref: "core.noop", parameters: {} },
  metadata_file: "rules/on_event.yaml",
};

function enforcementOf(instance: TriggerInstance): WriteOp {
  return {
    op: "enforcement.create",
    enforcement: {
      id: newId(),
      trigger_instance_id: instance.id,
      execution_id: null,
      rule: { ref: RULE.ref, uid: RULE.uid },
      enforced_at: new Date().toISOString(),
      status: "succeeded",
      failure_reason: null,
    },
  };
}

describe("Dispatcher with inline enforcement", () => {
  let dir: string;
  let store: Store;
  let dispatcher: Dispatcher;
  let enforce: (instance: TriggerInstance) => Promise<WriteOp[]>;
  let published: Execution[][];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "squall-dispatcher-"));
    store = openSqliteStore(join(dir, "db.sqlite"));
    await store.content.upsertTriggerType(EVENT);
    await store.content.upsertRule(RULE);
    const registry = new TriggerRegistry(store);
    dispatcher = new Dispatcher(store, registry, createInstanceOpsBuilder(registry), 60_000);
    await new RulesService(store, registry, dispatcher, pino({ level: "silent" })).reload();
    enforce = async (instance) => [enforcementOf(instance)];
    published = [];
    dispatcher.useInlineEnforcement({
      enforce: (instance) => enforce(instance),
      published: (executions) => published.push(executions),
    });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function outcome(id: string) {
    const instance = await store.reactor.getInstance(id);
    const enforcements = await store.reactor.listEnforcements({ trigger_instance: id }, {});
    return {
      status: instance?.status,
      enforcements: enforcements.total,
      jobs: (await store.queue.stats())[WORK.triggerProcess]?.pending ?? 0,
    };
  }

  const cases: Array<{
    name: string;
    arrange: () => void;
    key?: string;
    expected: { status: string; enforcements: number; jobs: number };
    publishes: number;
  }> = [
    {
      name: "commits the instance processed with its enforcements, and no job",
      arrange: () => {},
      expected: { status: "processed", enforcements: 1, jobs: 0 },
      publishes: 1,
    },
    {
      name: "leaves the instance to the rules worker when enforcing throws",
      arrange: () => {
        enforce = async () => {
          throw new Error("boom");
        };
      },
      expected: { status: "pending", enforcements: 0, jobs: 1 },
      publishes: 0,
    },
    {
      name: "leaves the instance to the rules worker when the enforced writes fail to commit",
      arrange: () => {
        enforce = async (instance) => [
          enforcementOf(instance),
          { op: "execution.transition", id: newId(), to: "running" },
        ];
      },
      expected: { status: "pending", enforcements: 0, jobs: 1 },
      publishes: 0,
    },
    {
      name: "leaves a keyed instance (a possible duplicate) to the rules worker",
      arrange: () => {},
      key: "k1",
      expected: { status: "pending", enforcements: 0, jobs: 1 },
      publishes: 0,
    },
  ];

  for (const c of cases)
    it(c.name, async () => {
      c.arrange();
      const result = await dispatcher.dispatchTrigger(
        "demo.event",
        { x: 1 },
        c.key ? { idempotencyKey: c.key } : {},
      );
      const [id] = result.created;
      assert.ok(id);
      assert.deepEqual(await outcome(id), c.expected);
      assert.equal(published.length, c.publishes);
      assert.deepEqual((await store.reactor.getInstance(id))?.payload, { x: 1 });
    });
});
