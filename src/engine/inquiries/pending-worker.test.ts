/**
 * The action worker with the inquirer runner: the execution goes running → pending, its run job
 * is completed (so no restart finds it and abandons it), and the `core.st2.generic.inquiry`
 * instance is committed with the move.
 */

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type InquiryHarness, openInquiryHarness } from "../../../test/support/inquiry-harness.ts";
import { findRunnerType } from "../../core/content/runner-types.ts";
import type { Execution } from "../../core/execution/model.ts";
import { mergeSchemas } from "../../core/params/index.ts";
import { newId } from "../ids.ts";
import { SecretRegistry } from "../logger.ts";
import { createInstanceOpsBuilder } from "../reactor/instances.ts";
import { TriggerRegistry } from "../reactor/trigger-registry.ts";
import type { Runner } from "../runners/contract.ts";
import { createInquirerRunner } from "../runners/inquirer.ts";
import { type PreparedRun, startActionWorker } from "../services/action-worker.ts";
import { WORK } from "../services/work-kinds.ts";
import { defaultInquirySchema, INQUIRY_TRIGGER } from "./model.ts";
import { inquiryTriggerOps } from "./trigger.ts";

let h: InquiryHarness;
let registry: TriggerRegistry;
const controllers: AbortController[] = [];

beforeEach(async () => {
  h = openInquiryHarness();
  registry = new TriggerRegistry(h.store);
  await registry.load();
});
afterEach(async () => {
  for (const c of controllers.splice(0)) c.abort();
  await h.close();
});

const runner = findRunnerType("inquirer");
if (!runner) throw new Error("the inquirer runner type is missing");

/** Runner defaults under the requested parameters, as the real preparer merges them. */
async function prepare(execution: Execution): Promise<PreparedRun> {
  const merged = mergeSchemas(runner?.runner_parameters ?? {}, {});
  const parameters: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(merged))
    if ("default" in spec) parameters[name] = structuredClone(spec.default);
  Object.assign(parameters, execution.parameters);
  return {
    action: {
      ref: "core.ask",
      uid: "action:core:ask",
      name: "ask",
      pack: "core",
      description: "",
      enabled: true,
      runner_type: "inquirer",
      entry_point: "",
      parameters: {},
    } as unknown as PreparedRun["action"],
    runner: runner as PreparedRun["runner"],
    parameters,
    secretNames: new Set(),
    packPath: "/nonexistent",
    entryPointPath: null,
  };
}

function worker(runners: Map<string, Runner> = new Map([["inquirer", createInquirerRunner()]])) {
  const controller = new AbortController();
  controllers.push(controller);
  return startActionWorker({
    store: h.store,
    executions: h.executions,
    runners,
    prepare,
    bus: h.bus,
    secrets: new SecretRegistry(),
    log: h.log,
    nodeId: "n1",
    leaseMs: 2000,
    concurrency: 4,
    apiUrl: () => "http://127.0.0.1:1/api/v1",
    signal: controller.signal,
    pendingNotifications: inquiryTriggerOps(createInstanceOpsBuilder(registry)),
  });
}

async function requestAsk(parameters: Record<string, unknown>): Promise<string> {
  const id = newId();
  const ops = h.executions.creationOps({
    id,
    action: { ref: "core.ask", runner_type: "inquirer" },
    parameters,
    context: { user: "stanley", trace_context: { trace_tag: `execution-${id}` } },
  });
  await h.store.reactor.commit(ops);
  return id;
}

async function waitForStatus(id: string, status: string): Promise<Execution> {
  for (let i = 0; i < 500; i++) {
    const e = await h.executions.get(id);
    if (e.status === status) return e;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`execution ${id} never became ${status}: ${(await h.executions.get(id)).status}`);
}

describe("the inquirer under the action worker", () => {
  it("leaves the execution pending with the question, its job done, the trigger emitted", async () => {
    worker();
    const id = await requestAsk({ route: "slack", users: ["al"], ttl: 30 });
    const pending = await waitForStatus(id, "pending");
    assert.deepEqual(pending.result, {
      schema: defaultInquirySchema(),
      roles: [],
      users: ["al"],
      route: "slack",
      ttl: 30,
    });
    assert.equal(pending.end_timestamp, null);
    assert.deepEqual(
      pending.log.map((l) => l.status),
      ["requested", "scheduled", "running", "pending"],
    );
    const instances = await h.store.reactor.listInstances(
      { trigger: INQUIRY_TRIGGER },
      { limit: 10, offset: 0 },
    );
    assert.equal(instances.total, 1);
    assert.deepEqual(instances.items[0]?.payload, { id, route: "slack" });
    assert.equal(instances.items[0]?.trace_tag, `execution-${id}`);
    // No run job is left for a restarted node to find (and abandon), and nothing to notify.
    assert.deepEqual(await h.store.queue.claim(WORK.run, 10, "other", 1000), []);
    assert.deepEqual(await h.store.queue.claim(WORK.notify, 10, "other", 1000), []);
  });

  it("is not abandoned by a worker started afresh on the same store", async () => {
    worker();
    const id = await requestAsk({});
    await waitForStatus(id, "pending");
    for (const c of controllers.splice(0)) c.abort();
    const again = worker();
    // Something to run proves the new worker is claiming; the inquiry must stay pending.
    const other = await requestAsk({ route: "second" });
    await waitForStatus(other, "pending");
    assert.equal((await h.executions.get(id)).status, "pending");
    assert.deepEqual(again.running(), []);
  });

  it("completes a cancel that arrived while the runner was asking", async () => {
    // The runner asks while someone cancels from another process (so no abort reaches it).
    const cancelling: Runner = {
      name: "inquirer",
      async run(request) {
        await h.store.executions.transition(request.executionId, "canceling", {
          expectFrom: ["running"],
        });
        return createInquirerRunner().run(request);
      },
    };
    worker(new Map([["inquirer", cancelling]]));
    const id = await requestAsk({});
    const canceled = await waitForStatus(id, "canceled");
    assert.deepEqual(
      canceled.log.map((l) => l.status),
      ["requested", "scheduled", "running", "canceling", "canceled"],
    );
    assert.deepEqual(await h.store.queue.claim(WORK.run, 10, "other", 1000), []);
  });
});
