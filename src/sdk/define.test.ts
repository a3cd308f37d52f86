import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  defineAction,
  defineSensor,
  failure,
  isActionDefinition,
  isFailure,
  isSensorDefinition,
} from "./define.ts";

describe("SDK definitions", () => {
  it("marks actions and sensors so the host recognises them", () => {
    const action = defineAction({
      parameters: { n: { type: "integer", required: true } },
      run: (p) => p.n + 1,
    });
    assert.equal(isActionDefinition(action), true);
    assert.equal(isSensorDefinition(action), false);
    assert.equal(action.run({ n: 1 }, {} as never), 2);
    const sensor = defineSensor({ poll: () => {} });
    assert.equal(isSensorDefinition(sensor), true);
    assert.equal(isActionDefinition({ run: () => 1 }), false);
  });
  it("refuses definitions the host could not drive", () => {
    assert.throws(() => defineAction({} as never), /run\(params, ctx\)/);
    assert.throws(() => defineSensor({}), /exactly one of run/);
    assert.throws(() => defineSensor({ run: () => {}, poll: () => {} }), /exactly one of run/);
    assert.throws(() => defineSensor({ poll: () => {}, pollInterval: 0 }), /positive/);
  });
  it("failure() carries a result and is recognised", () => {
    const f = failure({ why: "no" });
    assert.equal(isFailure(f), true);
    assert.deepEqual(f.result, { why: "no" });
    assert.equal(isFailure({ result: 1 }), false);
  });
});
