import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type NextTask, type SerializedConductor, WorkflowConductor } from "./conductor.ts";
import {
  InvalidTask,
  InvalidWorkflowStatusTransition,
  WorkflowIsActiveAndNotRerunableError,
} from "./errors.ts";
import { type MockOutcome, rehearse, taskSequence } from "./rehearsal.ts";
import { parseWorkflowSpec } from "./spec.ts";

function conductor(yaml: string, inputs: Record<string, unknown> = {}): WorkflowConductor {
  return new WorkflowConductor(parseWorkflowSpec(`version: 1.0\n${yaml}`), { inputs });
}

function byTask(outcomes: Record<string, Partial<MockOutcome>>) {
  return (t: NextTask): MockOutcome => ({
    status: outcomes[t.id]?.status ?? "succeeded",
    result: outcomes[t.id]?.result ?? null,
  });
}

const SEQUENTIAL = `input: [name]
tasks:
  t1:
    action: core.echo message=<% ctx(name) %>
    next:
      - when: <% succeeded() %>
        publish: greeting=<% result() %> shout=<% ctx(greeting) %>!
        do: t2
  t2:
    action: core.echo message=<% ctx(shout) %>
    next:
      - when: <% failed() %>
        publish: problem=<% result() %>
        do: fail
      - publish: done=true
output:
  - greeting: <% ctx(greeting) %>
  - problem: <% ctx(problem) %>
`;

describe("WorkflowConductor", () => {
  test("runs a sequence: publishes in order, renders actions and output", () => {
    const c = conductor(SEQUENTIAL, { name: "Stanley" });
    c.requestWorkflowStatus("running");
    const first = c.getNextTasks();
    assert.deepEqual(first[0]?.actions, [{ action: "core.echo", input: { message: "Stanley" } }]);
    rehearse(c, byTask({ t1: { result: "hi" } }));
    assert.deepEqual(taskSequence(c), ["t1", "t2", "continue"]);
    assert.equal(c.getWorkflowStatus(), "failed", "problem is undefined, so output fails");
    assert.deepEqual(c.getWorkflowOutput(), { greeting: "hi" });
    assert.match(c.errors[0]?.message ?? "", /^YaqlEvaluationException: .*problem/);
  });

  test("a failed task fails the workflow; output is still rendered", () => {
    const c = conductor(SEQUENTIAL, { name: "x" });
    rehearse(c, byTask({ t1: { result: "hi" }, t2: { status: "failed", result: { err: 1 } } }));
    // Both transitions of t2 match: every matching transition fires, in target-name order.
    assert.deepEqual(taskSequence(c), ["t1", "t2", "continue", "fail"]);
    assert.equal(c.getWorkflowStatus(), "failed");
    assert.deepEqual(c.getWorkflowOutput(), { greeting: "hi", problem: { err: 1 } });
    assert.deepEqual(c.errors, [
      {
        type: "error",
        message: "Execution failed. See result for details.",
        task_id: "t2",
        result: { err: 1 },
      },
      { type: "error", message: "Execution failed. See result for details.", task_id: "fail" },
    ]);
  });

  test("with-items: concurrency limits what is handed out; the result keeps item order", () => {
    const c = conductor(
      `input: [xs]
tasks:
  t1:
    with:
      items: x in <% ctx(xs) %>
      concurrency: 2
    action: core.echo message=<% item(x) %>
    next:
      - publish: out=<% result() %>
output:
  - out: <% ctx(out) %>
`,
      { xs: ["a", "b", "c"] },
    );
    c.requestWorkflowStatus("running");
    const [task] = c.getNextTasks();
    assert.equal(task?.items_count, 3);
    assert.deepEqual(
      task?.actions.map((a) => a.item_id),
      [0, 1],
    );
    c.updateTaskState("t1", 0, { type: "item", itemId: 0, status: "running" });
    c.updateTaskState("t1", 0, { type: "item", itemId: 1, status: "running" });
    assert.deepEqual(c.getNextTasks(), []);
    c.updateTaskState("t1", 0, {
      type: "item",
      itemId: 1,
      status: "succeeded",
      result: "B",
      accumulatedResult: [null, "B"],
    });
    assert.deepEqual(c.getNextTasks()[0]?.actions, [
      { action: "core.echo", input: { message: "c" }, item_id: 2 },
    ]);
    c.updateTaskState("t1", 0, { type: "item", itemId: 2, status: "running" });
    c.updateTaskState("t1", 0, {
      type: "item",
      itemId: 2,
      status: "succeeded",
      result: "C",
      accumulatedResult: [null, "B", "C"],
    });
    assert.equal(c.getWorkflowStatus(), "running");
    c.updateTaskState("t1", 0, {
      type: "item",
      itemId: 0,
      status: "succeeded",
      result: "A",
      accumulatedResult: ["A", "B", "C"],
    });
    assert.equal(c.getWorkflowStatus(), "succeeded");
    c.renderWorkflowOutput();
    assert.deepEqual(c.getWorkflowOutput(), { out: ["A", "B", "C"] });
  });

  test("retry keeps one sequence entry and reports the retry delay", () => {
    const c = conductor(`tasks:
  t1:
    action: core.noop
    delay: 5
    retry:
      count: 2
      delay: 1
`);
    const seen: (number | undefined)[] = [];
    let n = 0;
    rehearse(c, (t) => {
      seen.push(t.delay);
      n++;
      return { status: n < 3 ? "failed" : "succeeded", result: null };
    });
    assert.deepEqual(seen, [5, 1, 1]);
    assert.deepEqual(taskSequence(c), ["t1"]);
    assert.equal(c.state.sequence[0]?.retry?.tally, 2);
    assert.equal(c.getWorkflowStatus(), "succeeded");
  });

  test("serialize/deserialize mid-run continues exactly like an uninterrupted run", () => {
    const feed = byTask({ t1: { result: "hi" } });
    const straight = conductor(SEQUENTIAL, { name: "x" });
    rehearse(straight, feed);

    const c = conductor(SEQUENTIAL, { name: "x" });
    c.requestWorkflowStatus("running");
    const [t1] = c.getNextTasks();
    assert.ok(t1);
    c.updateTaskState("t1", 0, { type: "action", status: "running" });
    const data = JSON.parse(JSON.stringify(c.serialize())) as SerializedConductor;
    const restored = WorkflowConductor.deserialize(data);
    assert.deepEqual(restored.serialize(), c.serialize());
    restored.updateTaskState("t1", 0, { type: "action", status: "succeeded", result: "hi" });
    rehearse(restored, feed);
    assert.deepEqual(restored.serialize().state, straight.serialize().state);
    assert.deepEqual(restored.getWorkflowOutput(), straight.getWorkflowOutput());
  });

  test("pause waits for the active task, resume carries on", () => {
    const c = conductor(
      "tasks:\n  t1:\n    action: a\n    next: [{do: t2}]\n  t2:\n    action: b\n",
    );
    c.requestWorkflowStatus("running");
    c.getNextTasks();
    c.updateTaskState("t1", 0, { type: "action", status: "running" });
    c.requestWorkflowStatus("pausing");
    assert.equal(c.getWorkflowStatus(), "pausing");
    c.updateTaskState("t1", 0, { type: "action", status: "succeeded" });
    assert.equal(c.getWorkflowStatus(), "paused");
    assert.deepEqual(c.getNextTasks(), []);
    c.requestWorkflowStatus("resuming");
    assert.deepEqual(
      c.getNextTasks().map((t) => t.id),
      ["t2"],
    );
    c.updateTaskState("t2", 0, { type: "action", status: "running" });
    c.updateTaskState("t2", 0, { type: "action", status: "succeeded" });
    assert.equal(c.getWorkflowStatus(), "succeeded");
    assert.throws(() => c.requestWorkflowStatus("resuming"), InvalidWorkflowStatusTransition);
  });

  test("rerun repeats the failed task with its original context", () => {
    const c = conductor(SEQUENTIAL, { name: "x" });
    assert.throws(() => c.requestWorkflowRerun([]), WorkflowIsActiveAndNotRerunableError);
    rehearse(c, byTask({ t1: { result: "hi" }, t2: { status: "failed" } }));
    assert.equal(c.getWorkflowStatus(), "failed");
    c.requestWorkflowRerun([{ taskId: "t2" }]);
    assert.equal(c.getWorkflowStatus(), "resuming");
    // Inline publish values are whole expressions: the trailing "!" is not part of the value.
    assert.deepEqual(c.getNextTasks()[0]?.actions[0]?.input, { message: "hi" });
    rehearse(c, byTask({ t2: { result: "ok" } }));
    assert.deepEqual(taskSequence(c), ["t1", "t2", "continue", "fail", "t2", "continue"]);
    assert.equal(c.errors.filter((e) => e.task_id === "t2").length, 0);
  });

  test("unknown tasks and rendering errors", () => {
    const c = conductor("tasks:\n  t1:\n    action: core.echo message=<% ctx(nope) %>\n");
    c.requestWorkflowStatus("running");
    assert.throws(
      () => c.updateTaskState("zzz", 0, { type: "action", status: "running" }),
      InvalidTask,
    );
    assert.deepEqual(c.getNextTasks(), []);
    assert.equal(c.getWorkflowStatus(), "failed");
    assert.equal(c.errors[0]?.task_id, "t1");
    assert.equal(c.errors[0]?.route, 0);
    assert.match(c.errors[0]?.message ?? "", /^YaqlEvaluationException: .*"nope" is undefined/);
  });

  test("bad inputs fail the workflow before it starts", () => {
    const c = conductor("input:\n  - a: <% ctx(missing) %>\ntasks:\n  t1:\n    action: x\n");
    assert.equal(c.getWorkflowStatus(), "failed");
    assert.equal(c.errors.length, 1);
    assert.deepEqual(c.getNextTasks(), []);
  });
});
