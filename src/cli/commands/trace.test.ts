import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { traceComponentRows } from "./trace.ts";

const at = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();

describe("traceComponentRows", () => {
  it("merges the three kinds in time order, with each component's cause", () => {
    const rows = traceComponentRows({
      trigger_instances: [
        { object_id: "ti1", ref: "core.st2.webhook", updated_at: at(0), caused_by: {} },
        {
          object_id: "ti2",
          ref: "core.st2.generic.actiontrigger",
          updated_at: at(5),
          caused_by: { type: "action_execution", id: "ex1" },
        },
      ],
      rules: [
        {
          object_id: "r1",
          ref: "demo.on_hook",
          updated_at: at(1),
          caused_by: { type: "trigger_instance", id: "ti1" },
        },
      ],
      action_executions: [
        {
          object_id: "ex1",
          ref: "core.local",
          updated_at: at(2),
          caused_by: { type: "rule", id: "r1:ti1" },
        },
      ],
    });
    assert.deepEqual(
      rows.map((r) => [r.type, r.id, r.caused_by]),
      [
        ["trigger-instance", "ti1", ""],
        ["rule", "r1", "trigger_instance:ti1"],
        ["execution", "ex1", "rule:r1:ti1"],
        ["trigger-instance", "ti2", "action_execution:ex1"],
      ],
    );
  });

  it("puts a trigger instance before its rule and execution at the same instant", () => {
    const same = at(3);
    const rows = traceComponentRows({
      action_executions: [{ object_id: "e", ref: "a.b", updated_at: same, caused_by: {} }],
      rules: [{ object_id: "r", ref: "p.r", updated_at: same, caused_by: {} }],
      trigger_instances: [{ object_id: "t", ref: "p.t", updated_at: same, caused_by: {} }],
    });
    assert.deepEqual(
      rows.map((r) => r.id),
      ["t", "r", "e"],
    );
  });

  it("gives no rows for an empty trace", () => {
    assert.deepEqual(
      traceComponentRows({ trigger_instances: [], rules: [], action_executions: [] }),
      [],
    );
  });
});
