import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ValidationError } from "../../errors.ts";
import { parseInlineParams } from "./inline-params.ts";
import { parseWorkflowSpec } from "./spec.ts";

describe("parseInlineParams", () => {
  const cases: [string, [string, unknown][]][] = [
    [
      "a=1 b=2.5 c=-3",
      [
        ["a", 1],
        ["b", 2.5],
        ["c", -3],
      ],
    ],
    [
      "msg=\"hello world\" x='it'",
      [
        ["msg", "hello world"],
        ["x", "it"],
      ],
    ],
    [
      "t=True f=false n=null",
      [
        ["t", true],
        ["f", false],
        ["n", null],
      ],
    ],
    [
      "l=[1, 2] d='{\"k\": 1}'",
      [
        ["l", [1, 2]],
        ["d", { k: 1 }],
      ],
    ],
    [
      "m=<% ctx(x) %> j={{ ctx('y') }}",
      [
        ["m", "<% ctx(x) %>"],
        ["j", "{{ ctx('y') }}"],
      ],
    ],
    ["", []],
  ];
  for (const [text, expected] of cases) {
    test(text || "(empty)", () => assert.deepEqual(parseInlineParams(text), expected));
  }
});

describe("parseWorkflowSpec", () => {
  test("normalises shorthand forms", () => {
    const spec = parseWorkflowSpec(`
version: 1.0
input:
  - a
  - b: 2
vars:
  - c: <% ctx(b) %>
tasks:
  t1:
    action: core.echo message="hi" count=3
    with: <% ctx(xs) %>
    next:
      - publish: x=1 y=<% result() %>
      - when: <% failed() %>
        do: t2, fail
  t2:
    action: core.noop
    join: all
    retry:
      count: 2
output:
  - out: <% ctx(x) %>
`);
    assert.deepEqual(spec.input, [
      { name: "a", default: null },
      { name: "b", default: 2 },
    ]);
    assert.deepEqual(spec.vars, [["c", "<% ctx(b) %>"]]);
    const t1 = spec.tasks.get("t1");
    assert.equal(t1?.action, "core.echo");
    assert.deepEqual(t1?.input, { message: "hi", count: 3 });
    assert.deepEqual(t1?.with, { items: "<% ctx(xs) %>", concurrency: null });
    assert.deepEqual(t1?.next[0], {
      when: null,
      publish: [
        ["x", 1],
        ["y", "<% result() %>"],
      ],
      do: ["continue"],
    });
    assert.deepEqual(t1?.next[1]?.do, ["t2", "fail"]);
    assert.equal(spec.tasks.get("t2")?.join, "all");
    assert.deepEqual(spec.tasks.get("t2")?.retry, { when: null, count: 2, delay: null });
  });

  test("rejects a definition that is not a mapping", () => {
    assert.throws(() => parseWorkflowSpec("- a\n- b\n"), ValidationError);
    assert.throws(() => parseWorkflowSpec("a: [unclosed"), ValidationError);
  });
});
