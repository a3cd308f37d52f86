import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { WorkflowConductor } from "./conductor.ts";
import { flattenInspection, inspectWorkflow } from "./inspect.ts";
import { keyedMockFeed, rehearse } from "./rehearsal.ts";
import {
  describeDifference,
  loadRehearsalSpec,
  RehearsalSpecError,
  rehearseSpecFile,
} from "./rehearsal-spec.ts";
import { parseWorkflowSpec } from "./spec.ts";

const CHAIN = `
version: 1.0
input: [n]
output:
  - total: <% ctx().total %>
tasks:
  add:
    action: math.add
    next:
      - when: <% succeeded() %>
        publish: [total: <% result() + ctx().n %>]
        do: check
      - when: <% failed() %>
        do: cleanup
  check:
    action: core.noop
  cleanup:
    action: core.noop
`;

const EACH = `
version: 1.0
tasks:
  each:
    with: <% [1, 2] %>
    action: core.echo
`;

const files: Record<string, string> = {
  "wf/chain.yaml": CHAIN,
  "wf/each.yaml": EACH,
  "results/forty.json": "40",
};
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: ${path}`);
  return text;
};

const GOOD = `
workflow: wf/chain.yaml
inputs: {n: 2}
mock_action_executions:
  - task_id: add
    result_path: results/forty.json
expected_task_sequence: [add, check]
expected_term_tasks: [check]
expected_output: {total: 42}
`;

function specError(text: string): RehearsalSpecError {
  try {
    loadRehearsalSpec("t.yaml", text, readFile);
  } catch (e) {
    assert.ok(e instanceof RehearsalSpecError, `expected RehearsalSpecError, got ${String(e)}`);
    return e;
  }
  assert.fail("the spec was accepted");
}

describe("loadRehearsalSpec validation", () => {
  const cases: [string, string, string][] = [
    ["not a mapping", "[1, 2]", "(file)"],
    ["missing workflow", "expected_task_sequence: []", "workflow"],
    ["unknown field", `${GOOD}\nexpected_tasks: []`, "expected_tasks"],
    ["unreadable workflow", "workflow: wf/nope.yaml\nexpected_task_sequence: []", "workflow"],
    ["missing sequence", "workflow: wf/chain.yaml", "expected_task_sequence"],
    [
      "bad status",
      "workflow: wf/chain.yaml\nexpected_task_sequence: []\nexpected_workflow_status: done",
      "expected_workflow_status",
    ],
    [
      "mock for an unknown task",
      "workflow: wf/chain.yaml\nexpected_task_sequence: []\nmock_action_executions: [{task_id: ad}]",
      "mock_action_executions[0].task_id",
    ],
    [
      "mock with an unknown field",
      "workflow: wf/chain.yaml\nexpected_task_sequence: []\nmock_action_executions: [{task_id: add, output: 1}]",
      "mock_action_executions[0].output",
    ],
    [
      "mock with a negative route",
      "workflow: wf/chain.yaml\nexpected_task_sequence: []\nmock_action_executions: [{task_id: add, route: -1}]",
      "mock_action_executions[0].route",
    ],
    [
      "mock with result and result_path",
      "workflow: wf/chain.yaml\nexpected_task_sequence: []\nmock_action_executions: [{task_id: add, result: 1, result_path: results/forty.json}]",
      "mock_action_executions[0]",
    ],
    [
      "unreadable result_path",
      "workflow: wf/chain.yaml\nexpected_task_sequence: []\nmock_action_executions: [{task_id: add, result_path: results/none.json}]",
      "mock_action_executions[0].result_path",
    ],
    [
      "with-items mock without item_id",
      "workflow: wf/each.yaml\nexpected_task_sequence: []\nmock_action_executions: [{task_id: each}]",
      "mock_action_executions[0].task_id",
    ],
    [
      "rerun with inputs",
      "workflow_state: {spec: {version: 1.0}, state: {}}\ninputs: {}\nexpected_task_sequence: []",
      "inputs",
    ],
    [
      "rerun task without task_id",
      "workflow_state: {spec: {version: 1.0}, state: {}}\nrerun_tasks: [{route: 0}]\nexpected_task_sequence: []",
      "rerun_tasks[0].task_id",
    ],
  ];
  for (const [name, text, field] of cases) {
    it(`rejects ${name}, naming the file and ${field}`, () => {
      const e = specError(text);
      assert.equal(e.location?.field, field);
      assert.equal(e.location?.file, "t.yaml");
      assert.match(e.message, /^t\.yaml: /);
    });
  }
});

describe("rehearseSpecFile", () => {
  it("passes a spec whose expectations hold, reading result_path", () => {
    assert.deepEqual(rehearseSpecFile("good.yaml", GOOD, readFile), {
      file: "good.yaml",
      passed: true,
      differences: [],
    });
  });

  it("reports every expectation that does not hold", () => {
    const spec = `
workflow: wf/chain.yaml
inputs: {n: 2}
mock_action_executions: [{task_id: add, status: failed, result: boom}]
expected_task_sequence: [add, check]
expected_term_tasks: [check]
expected_workflow_status: succeeded
expected_errors: []
expected_output: {total: 42}
`;
    const out = rehearseSpecFile("bad.yaml", spec, readFile);
    assert.equal(out.passed, false);
    const fields = out.differences.map((d) => d.split(":")[0]);
    assert.deepEqual(fields, [
      "expected_task_sequence",
      "expected_workflow_status",
      "expected_errors",
      "expected_output",
      "expected_term_tasks",
    ]);
    assert.match(out.differences[0] ?? "", /at \[1\] expected "check", got "cleanup"/);
  });

  it("fails on the workflow status it did not expect", () => {
    const spec = `
workflow: wf/chain.yaml
inputs: {n: 2}
mock_action_executions: [{task_id: add, result: 1}, {task_id: check, status: failed}]
expected_task_sequence: [add, check]
`;
    const out = rehearseSpecFile("s.yaml", spec, readFile);
    assert.deepEqual(out.differences, [
      'expected_workflow_status: expected "succeeded", got "failed"',
    ]);
  });

  it("turns a spec that cannot be read into a failure naming the field", () => {
    const out = rehearseSpecFile("x.yaml", "workflow: wf/missing.yaml\n", readFile);
    assert.equal(out.passed, false);
    assert.match(out.differences[0] ?? "", /^workflow: cannot read "wf\/missing.yaml"/);
  });

  it("accepts task__r0 in sequences and term tasks", () => {
    const spec = GOOD.replace("[add, check]", "[add__r0, check]").replace(
      "expected_term_tasks: [check]",
      "expected_term_tasks: [check__r0]",
    );
    assert.equal(rehearseSpecFile("r.yaml", spec, readFile).passed, true);
  });

  it("checks inspection errors and skips conducting when they are expected", () => {
    files["wf/bad.yaml"] =
      "version: 1.0\ntasks:\n  a:\n    action: core.noop\n    next: [{do: b}]\n";
    const base = "workflow: wf/bad.yaml\nexpected_task_sequence: [a]\n";
    const unexpected = rehearseSpecFile("i.yaml", base, readFile);
    assert.match(
      unexpected.differences[0] ?? "",
      /^expected_inspection_errors: semantics unexpected/,
    );
    const expected = `${base}expected_inspection_errors:
  semantics:
    - message: The task "b" is not defined.
      spec_path: tasks.a.next[0].do
      schema_path: properties.tasks.patternProperties.^\\w+$.properties.next.items.properties.do
`;
    assert.deepEqual(rehearseSpecFile("i.yaml", expected, readFile).differences, []);
  });

  it("re-runs a serialized conductor from the tasks named", () => {
    const conductor = new WorkflowConductor(parseWorkflowSpec(CHAIN), { inputs: { n: 1 } });
    rehearse(
      conductor,
      keyedMockFeed([
        { task_id: "add", result: 1 },
        { task_id: "check", status: "failed" },
      ]),
    );
    assert.equal(conductor.getWorkflowStatus(), "failed");
    const serialized = conductor.serialize();
    // Orquesta wraps the definition as {catalog, version, spec}; both forms are read.
    for (const spec of [
      serialized.spec,
      { catalog: "native", version: "1.0", spec: serialized.spec },
    ]) {
      const text = stringify({
        workflow_state: { ...serialized, spec },
        rerun_tasks: [{ task_id: "check" }],
        expected_task_sequence: ["add", "check", "check"],
        expected_term_tasks: ["check"],
        expected_output: { total: 2 },
      });
      assert.deepEqual(rehearseSpecFile("rerun.yaml", text, readFile).differences, []);
    }
    const wrongTask = stringify({
      workflow_state: serialized,
      rerun_tasks: [{ task_id: "cleanup" }],
      expected_task_sequence: ["add"],
    });
    const out = rehearseSpecFile("rerun.yaml", wrongTask, readFile);
    assert.match(out.differences[0] ?? "", /^conducting failed: InvalidTaskRerunRequest: /);
  });
});

describe("describeDifference", () => {
  const cases: [string, unknown, unknown, string | null][] = [
    ["same", { a: [1] }, { a: [1] }, null],
    ["missing tail", [1, 2], [1], "f: missing from [1]: [2] (expected [1,2], got [1])"],
    ["extra tail", [1], [1, 3], "f: unexpected from [1]: [3] (expected [1], got [1,3])"],
    ["keys", { a: 1, b: 2 }, { a: 1, c: 3 }, "f: b missing, c unexpected (3)"],
    ["scalar", "x", null, 'f: expected "x", got null'],
  ];
  for (const [name, expected, actual, want] of cases) {
    it(name, () => assert.equal(describeDifference("f", expected, actual), want));
  }
});

describe("flattenInspection", () => {
  it("lists errors the way StackStorm does, with the task they are in", () => {
    const wf = `
version: 1.0
tasks:
  t1:
    action: core.echo message=<% ctx().who %>
    next: [{do: t9}]
`;
    const flat = flattenInspection(inspectWorkflow(wf));
    assert.deepEqual(
      flat.map((e) => [e.type, e.task_name, e.spec_path, e.language]),
      [
        ["context", "t1", "tasks.t1.input", "yaql"],
        ["semantic", "t1", "tasks.t1.next[0].do", undefined],
      ],
    );
  });
});
