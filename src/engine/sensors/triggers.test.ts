import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TriggerDef } from "../../core/reactor/model.ts";
import { diffTriggers } from "./triggers.ts";

function trigger(
  name: string,
  parameters: Record<string, unknown>,
  description?: string,
): TriggerDef {
  return {
    id: name,
    ref: `p.${name}`,
    uid: `trigger:p:${name}:${name}`,
    name,
    pack: "p",
    type: "p.watch",
    parameters,
    ...(description ? { description } : {}),
  };
}

const map = (...ts: TriggerDef[]) => new Map(ts.map((t) => [t.ref, t]));
const calls = (current: Map<string, TriggerDef>, next: TriggerDef[]) =>
  diffTriggers(current, next).map((c) => `${c.type} ${c.trigger.ref}`);

describe("sensor trigger changes", () => {
  it("adds every trigger for a new sensor", () => {
    assert.deepEqual(calls(map(), [trigger("a", {}), trigger("b", {})]), [
      "add_trigger p.a",
      "add_trigger p.b",
    ]);
  });
  it("says nothing when nothing changed, whatever the parameter key order", () => {
    const before = trigger("a", { x: 1, y: { b: 2, a: 1 } });
    const after = trigger("a", { y: { a: 1, b: 2 }, x: 1 });
    assert.deepEqual(calls(map(before), [after]), []);
  });
  it("updates a trigger whose parameters or description changed", () => {
    assert.deepEqual(calls(map(trigger("a", { x: 1 })), [trigger("a", { x: 2 })]), [
      "update_trigger p.a",
    ]);
    assert.deepEqual(calls(map(trigger("a", {})), [trigger("a", {}, "now described")]), [
      "update_trigger p.a",
    ]);
  });
  it("removes triggers no longer served", () => {
    assert.deepEqual(calls(map(trigger("a", {}), trigger("b", {})), [trigger("b", {})]), [
      "remove_trigger p.a",
    ]);
  });
});
