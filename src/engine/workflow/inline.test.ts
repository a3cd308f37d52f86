import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Execution, NewExecution } from "../../core/execution/model.ts";
import type { Runner } from "../runners/contract.ts";
import type { PreparedRun } from "../services/action-worker.ts";
import { WORK } from "../services/work-kinds.ts";
import type { WriteOp } from "../store/reactor-contract.ts";
import { inlineRunner } from "./inline.ts";

const noop: Runner = {
  name: "noop",
  inProcess: true,
  run: async () => ({ status: "succeeded", result: { ran: true } }),
};
const child: NewExecution = {
  id: "c1",
  action: { ref: "core.noop", runner_type: "noop" },
  parameters: {},
  context: { user: "stanley", orquesta: { workflow_execution_id: "w1", task_id: "t" } },
  parent: "w1",
};

function runner(notifications?: (completed: Execution) => Promise<WriteOp[]>) {
  return inlineRunner({
    runners: new Map([["noop", noop]]),
    prepare: async () => ({ parameters: {}, secretNames: new Set() }) as unknown as PreparedRun,
    apiUrl: () => "http://127.0.0.1:1/api/v1",
    nodeId: "n1",
    budget: 10,
    notifications,
  });
}

const kinds = (ops: WriteOp[]) => ops.map((o) => o.op);
const notifyJobs = (ops: WriteOp[]) =>
  ops.filter((o) => o.op === "job.enqueue" && o.items.some((i) => i.kind === WORK.notify));

describe("inline children", () => {
  it("commit their action trigger with their completion when notifications are given", async () => {
    const seen: Execution[] = [];
    const instance: WriteOp = { op: "trigger.delete", ref: "marker" };
    const ran = await runner(async (completed) => {
      seen.push(completed);
      return [instance];
    })(child);
    assert.ok(ran);
    assert.deepEqual(kinds(ran.ops), [
      "execution.create",
      "execution.transition",
      "execution.transition",
      "trigger.delete",
    ]);
    assert.equal(notifyJobs(ran.ops).length, 0, "no notifier job when the instances are inline");
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.status, "succeeded");
    assert.deepEqual(seen[0]?.result, { ran: true });
    assert.equal(seen[0]?.id, "c1");
    assert.ok(seen[0]?.end_timestamp);
  });

  it("leave their notifications to the notifier without the option, or when building fails", async () => {
    for (const notifications of [
      undefined,
      async (): Promise<WriteOp[]> => {
        throw new Error("trigger not registered");
      },
    ]) {
      const ran = await runner(notifications)(child);
      assert.ok(ran);
      assert.equal(notifyJobs(ran.ops).length, 1);
    }
  });
});
