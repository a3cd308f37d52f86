import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TASK_TRANSITIONS, WORKFLOW_TRANSITIONS } from "./machine-tables.ts";
import { processTaskEvent, processWorkflowRequest, type TaskEvent } from "./machines.ts";
import { type TaskStateEntry, WorkflowState } from "./state.ts";
import { ALL_STATUSES, type Status } from "./statuses.ts";

describe("status tables", () => {
  test("every target is a known status", () => {
    for (const table of [TASK_TRANSITIONS, WORKFLOW_TRANSITIONS]) {
      for (const row of Object.values(table)) {
        for (const to of Object.values(row)) assert.ok(ALL_STATUSES.includes(to), to);
      }
    }
  });

  const taskCases: [Status, TaskEvent, Status][] = [
    ["null", { type: "action", status: "running" }, "running"],
    ["running", { type: "action", status: "succeeded" }, "succeeded"],
    ["running", { type: "action", status: "timeout" }, "failed"],
    ["running", { type: "action", status: "abandoned" }, "failed"],
    ["succeeded", { type: "engine", command: "retry" }, "retrying"],
    ["null", { type: "engine", command: "fail" }, "failed"],
    ["null", { type: "engine", command: "noop" }, "succeeded"],
    ["succeeded", { type: "action", status: "running" }, "succeeded"],
  ];
  for (const [from, event, to] of taskCases) {
    test(`task ${from} + ${JSON.stringify(event)} -> ${to}`, () => {
      const state = new WorkflowState();
      const entry: TaskStateEntry = { id: "t", route: 0, ctxs: { in: [0] }, prev: {}, next: {} };
      if (from !== "null") entry.status = from;
      processTaskEvent(state, entry, event);
      assert.equal(entry.status ?? "null", to);
    });
  }

  const workflowCases: [Status, Status, boolean, Status][] = [
    ["null", "running", false, "running"],
    ["running", "pausing", true, "pausing"],
    ["running", "pausing", false, "paused"],
    ["running", "canceling", true, "canceling"],
    ["running", "canceled", false, "canceled"],
    ["paused", "resuming", false, "succeeded"],
    ["succeeded", "failed", false, "failed"],
    ["succeeded", "running", false, "succeeded"],
  ];
  for (const [from, request, active, to] of workflowCases) {
    test(`workflow ${from} + request ${request}${active ? " (active)" : ""} -> ${to}`, () => {
      const state = new WorkflowState();
      state.status = from;
      if (active) {
        state.sequence.push({
          id: "t",
          route: 0,
          ctxs: { in: [0] },
          prev: {},
          next: {},
          status: "running",
        });
        state.tasks.t__r0 = 0;
      }
      processWorkflowRequest(state, request);
      assert.equal(state.status, to);
    });
  }
});
