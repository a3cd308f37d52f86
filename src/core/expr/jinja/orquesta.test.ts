import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OrquestaExpressionError, OrquestaJinja } from "./orquesta.ts";

const state = {
  tasks: { t1__r0: 0, t2__r0: 1 },
  sequence: [
    { id: "t1", route: 0, status: "succeeded" },
    { id: "t2", route: 0, status: "failed" },
  ],
  routes: [[]],
};

describe("OrquestaJinja", () => {
  const orquesta = new OrquestaJinja({
    callbacks: {
      st2kv: (key, decrypt) => `${key}:${decrypt}`,
      task: (id) => ({ id, result: { ok: true } }),
    },
  });
  const data = {
    __vars: { a: 1, l: [1, 2], s: "{{ ctx('a') + 1 }}" },
    __current_item: { k: "v" },
    __current_task: { id: "t1", route: 0, result: { out: 3 } },
    __state: state,
  };
  const table: Array<[unknown, unknown]> = [
    ["{{ ctx('a') }}", 1],
    ["{{ ctx().l }}", [1, 2]],
    ["a={{ ctx('a') }}", "a=1"],
    ["{{ ctx('s') }}", 2],
    ["{{ item('k') }}", "v"],
    ["{{ result().out }}", 3],
    ["{{ succeeded() }} {{ failed() }} {{ completed() }}", "True False True"],
    ["{{ task_status('t2') }}", "failed"],
    ["{{ st2kv('system.k', decrypt=true) }}", "system.k:true"],
    ["{{ task('t1').result.ok }}", true],
    ["{{ json_dump(ctx('l')) }}", "[1,2]"],
    ["{{ ctx('l') | json_dump }}", "[1,2]"],
    ["{{ yaml_parse('a: 1') }}", { a: 1 }],
    ["{% if ctx('a') == 1 %}one{% endif %}", "one"],
    [
      { x: "{{ ctx('a') }}", y: ["{{ ctx('a') + 1 }}"] },
      { x: 1, y: [2] },
    ],
  ];
  for (const [expr, expected] of table) {
    it(JSON.stringify(expr), () => assert.deepEqual(orquesta.evaluate(expr, data), expected));
  }
  it("wraps errors the way Orquesta does", () => {
    assert.throws(
      () => orquesta.evaluate("{{ ctx('zz') }}", data),
      (e: unknown) =>
        e instanceof OrquestaExpressionError &&
        e.message ===
          `Unable to evaluate expression '{{ ctx('zz') }}'. VariableUndefinedError: The variable "zz" is undefined.`,
    );
    assert.throws(
      () => orquesta.evaluate("{{ ctx().zz }}", data),
      /There are unresolved variables: ctx\(\)\.zz/,
    );
  });
  it("fails clearly without a current task", () => {
    assert.throws(
      () => orquesta.evaluate("{{ result() }}", { __vars: {} }),
      /current task is not set/,
    );
  });
});
