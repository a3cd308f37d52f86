import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WorkflowGraph } from "./graph.ts";
import { parseWorkflowSpec } from "./spec.ts";

function graphOf(tasks: string): WorkflowGraph {
  return new WorkflowGraph(parseWorkflowSpec(`version: 1.0\ntasks:\n${tasks}`));
}

describe("WorkflowGraph", () => {
  test("edges are ordered by target name and keyed per task pair", () => {
    const g = graphOf(`  a:
    next:
      - do: z, b
      - when: <% failed() %>
        do: b
  b: {}
  z: {}
`);
    assert.deepEqual(g.roots, ["a"]);
    assert.deepEqual(
      g.nextTransitions("a").map((e) => [e.to, e.ref, e.key]),
      [
        ["b", 0, 0],
        ["b", 1, 1],
        ["z", 0, 0],
      ],
    );
    assert.equal(g.nextTransitions("a")[1]?.when, "<% failed() %>");
  });

  test("a missing do goes to continue; do: retry becomes a retry spec, not an edge", () => {
    const g = graphOf(`  a:
    next:
      - publish: x=1
      - when: <% failed() %>
        do: retry
`);
    assert.deepEqual(
      g.nextTransitions("a").map((e) => e.to),
      ["continue"],
    );
    assert.deepEqual(g.retrySpec("a"), { when: "<% failed() %>", count: 3, delay: null });
  });

  test("joins become barriers; splits and cycles are detected", () => {
    const g = graphOf(`  a:
    next: [{do: [b, c]}]
  b:
    next: [{do: d}, {do: e}]
  c:
    next: [{do: d}, {do: e}]
  d:
    join: 2
  e:
    next: [{when: <% ctx(again) %>, do: a2}]
  a2:
    next: [{do: e}]
`);
    assert.equal(g.barrier("d"), 2);
    assert.deepEqual(g.barriers(), ["d"]);
    assert.equal(g.nav.isSplit("e"), true);
    assert.equal(g.nav.isSplit("d"), false);
    assert.equal(g.inCycle("e"), true);
    assert.equal(g.inCycle("b"), false);
  });
});
