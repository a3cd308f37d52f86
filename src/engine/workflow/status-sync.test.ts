import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canTransition, type ExecutionStatus } from "../../core/execution/status.ts";
import { executionStatusFor, transitionPath } from "./status-sync.ts";

describe("workflow execution status follows the conductor", () => {
  const cases: Array<[ExecutionStatus, ExecutionStatus, ExecutionStatus[]]> = [
    ["scheduled", "running", ["running"]],
    ["running", "paused", ["pausing", "paused"]],
    ["paused", "running", ["resuming", "running"]],
    ["pausing", "running", ["paused", "resuming", "running"]],
    ["running", "succeeded", ["succeeded"]],
    ["canceling", "canceled", ["canceled"]],
    ["running", "running", []],
    ["succeeded", "running", []],
  ];
  for (const [from, to, path] of cases) {
    it(`${from} → ${to}: ${path.join(" → ") || "nothing"}`, () => {
      const got = transitionPath(from, to);
      assert.deepEqual(got, path);
      let at = from;
      for (const next of got) {
        assert.ok(canTransition(at, next), `${at} → ${next} is legal`);
        at = next;
      }
    });
  }

  it("maps conductor statuses to execution statuses", () => {
    assert.equal(executionStatusFor("resuming"), "running");
    assert.equal(executionStatusFor("requested"), "running");
    assert.equal(executionStatusFor("pausing"), "pausing");
    assert.equal(executionStatusFor("canceled"), "canceled");
    assert.equal(executionStatusFor("failed"), "failed");
  });
});
