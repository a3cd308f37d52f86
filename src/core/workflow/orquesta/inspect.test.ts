import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { hasInspectionErrors, inspectWorkflow } from "./inspect.ts";

const header = "version: 1.0\n";

describe("inspectWorkflow", () => {
  test("a valid workflow has no errors", () => {
    const r = inspectWorkflow(`${header}input: [x]
tasks:
  t1:
    action: core.echo message=<% ctx(x) %>
    next:
      - publish: y=<% result() %>
        do: t2
  t2:
    action: core.echo message=<% ctx(y) %>
output:
  - y: <% ctx(y) %>
`);
    assert.equal(hasInspectionErrors(r), false, JSON.stringify(r));
  });

  test("syntax errors name the path in the definition and in the schema", () => {
    const r = inspectWorkflow(`${header}bogus: 1
tasks:
  t1:
    action: core.noop
    nxt: []
  bad name:
    action: core.noop
`);
    assert.deepEqual(
      r.syntax.map((e) => [e.spec_path, e.message]),
      [
        [null, "Additional properties are not allowed ('bogus' was unexpected)"],
        ["tasks.t1", "Additional properties are not allowed ('nxt' was unexpected)"],
        ["tasks", "'bad name' does not match any of the regexes: '^\\w+$'"],
      ],
    );
    assert.equal(
      r.syntax[1]?.schema_path,
      "properties.tasks.patternProperties.^\\w+$.additionalProperties",
    );
  });

  test("missing required keys", () => {
    const r = inspectWorkflow({ description: "x" });
    assert.deepEqual(
      r.syntax.map((e) => e.message),
      ["'version' is a required property", "'tasks' is a required property"],
    );
  });

  test("semantic errors: undefined task, reserved name, actionless with-items", () => {
    const r = inspectWorkflow(`${header}tasks:
  t1:
    action: core.noop
    next:
      - do: t9
  noop:
    with: <% ctx(xs) %>
`);
    assert.deepEqual(r.semantics, [
      {
        message: 'The task name "noop" is reserved with special function.',
        spec_path: "tasks.noop",
        schema_path: "properties.tasks.patternProperties.^\\w+$",
      },
      {
        message: "The action property is required for with items task.",
        spec_path: "tasks.noop",
        schema_path: "properties.tasks.patternProperties.^\\w+$",
      },
      {
        message: 'The task "t9" is not defined.',
        spec_path: "tasks.t1.next[0].do",
        schema_path:
          "properties.tasks.patternProperties.^\\w+$.properties.next.items.properties.do",
      },
    ]);
  });

  test("a pure loop has no start task", () => {
    const r = inspectWorkflow(`${header}tasks:
  a:
    next: [{do: b}]
  b:
    next: [{do: a}]
`);
    assert.match(r.semantics[0]?.message ?? "", /Unable to identify any tasks to start/);
  });

  test("expressions: mixed types and parse errors", () => {
    const r = inspectWorkflow(`${header}tasks:
  t1:
    action: core.echo message="<% 1 %> {{ 2 }}"
  t2:
    action: core.echo message=<% 1 + %>
`);
    assert.equal(r.expressions.length, 2);
    assert.equal(r.expressions[0]?.message, "Expression with multiple types is not supported.");
    assert.equal(r.expressions[1]?.type, "yaql");
    assert.equal(r.expressions[1]?.spec_path, "tasks.t2.action");
  });

  test("context: variables read before they are defined", () => {
    const r = inspectWorkflow(`${header}tasks:
  t1:
    action: core.echo message=<% ctx().nope %>
    next:
      - when: <% ctx(later) %>
        publish: later=1
`);
    assert.deepEqual(
      r.context.map((e) => [e.spec_path, e.message]),
      [
        ["tasks.t1.input", 'Variable "nope" is referenced before assignment.'],
        ["tasks.t1.next[0].when", 'Variable "later" is referenced before assignment.'],
      ],
    );
    const withApp = inspectWorkflow(`${header}tasks:\n  t1:\n    action: x a=<% ctx(st2) %>\n`, {
      appContext: ["st2"],
    });
    assert.deepEqual(withApp.context, []);
  });
});
