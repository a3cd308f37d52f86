import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WorkflowConductor } from "./conductor.ts";
import { keyedMockFeed, rehearse, taskSequence, termTasks } from "./rehearsal.ts";
import { parseWorkflowSpec } from "./spec.ts";

const LOOP = `version: 1.0
vars:
  - n: 0
tasks:
  init:
    action: core.noop
    next: [{do: check}]
  check:
    action: core.noop
    next:
      - when: <% result() = "again" %>
        publish: n=<% ctx(n) + 1 %>
        do: check
      - when: <% result() != "again" %>
        do: done
  done:
    action: core.noop
output:
  - n: <% ctx(n) %>
`;

describe("rehearse with keyed mocks", () => {
  test("num_iter answers several runs of a task in a loop; later runs fall back", () => {
    const c = new WorkflowConductor(parseWorkflowSpec(LOOP));
    rehearse(c, keyedMockFeed([{ task_id: "check", result: "again", num_iter: 2 }]));
    assert.deepEqual(taskSequence(c), ["init", "check", "check", "check", "done"]);
    assert.deepEqual(termTasks(c), ["done"]);
    assert.deepEqual(c.getWorkflowOutput(), { n: 2 });
  });

  test("seq_id pins a mock to one entry of the task sequence", () => {
    const c = new WorkflowConductor(parseWorkflowSpec(LOOP));
    rehearse(
      c,
      keyedMockFeed([
        { task_id: "check", seq_id: 1, result: "again" },
        { task_id: "check", seq_id: 2, result: "again" },
        { task_id: "check", seq_id: 3, result: "stop" },
      ]),
    );
    assert.deepEqual(taskSequence(c), ["init", "check", "check", "check", "done"]);
  });

  test("with-items mocks name their item; the result list keeps item order", () => {
    const c = new WorkflowConductor(
      parseWorkflowSpec(`version: 1.0
tasks:
  t:
    with: <% [1, 2] %>
    action: core.echo message=<% item() %>
    next: [{publish: r=<% result() %>}]
output:
  - r: <% ctx(r) %>
`),
    );
    rehearse(
      c,
      keyedMockFeed([
        { task_id: "t", item_id: 1, result: "two" },
        { task_id: "t", item_id: 0, result: "one" },
      ]),
    );
    assert.equal(c.getWorkflowStatus(), "succeeded");
    assert.deepEqual(c.getWorkflowOutput(), { r: ["one", "two"] });
  });

  test("a loop that never ends stops at the round limit", () => {
    const c = new WorkflowConductor(parseWorkflowSpec(LOOP));
    const forever = keyedMockFeed([{ task_id: "check", result: "again", num_iter: 1000 }]);
    assert.throws(() => rehearse(c, forever, { maxRounds: 20 }), RangeError);
  });
});
