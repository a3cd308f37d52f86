import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../core/errors.ts";
import {
  DEFAULT_EVENTS,
  globMatches,
  includes,
  isEnd,
  parseStreamQuery,
  type StreamMessage,
} from "./stream-events.ts";

describe("globMatches (fnmatch)", () => {
  const cases: Array<[string, string, boolean]> = [
    ["st2.execution__*", "st2.execution__update", true],
    ["st2.execution__*", "st2.execution.output__create", false],
    ["st2.*", "st2.execution.output__create", true],
    ["st2.announcement__*", "st2.announcement__chatops", true],
    ["st2.liveaction__?pdate", "st2.liveaction__update", true],
    ["st2.execution__[cu]*", "st2.execution__delete", false],
    ["st2.execution__[!d]*", "st2.execution__create", true],
    ["st2.execution__update", "st2.execution__updates", false],
    ["a.b", "aXb", false],
    ["[", "[", true],
  ];
  for (const [pattern, name, expected] of cases) {
    it(`${pattern} ${expected ? "matches" : "does not match"} ${name}`, () => {
      assert.equal(globMatches(pattern, name), expected);
    });
  }
});

describe("parseStreamQuery", () => {
  it("defaults to StackStorm's event list, without output chunks", () => {
    assert.deepEqual(parseStreamQuery({}), { events: DEFAULT_EVENTS });
    assert.ok(!DEFAULT_EVENTS.includes("st2.execution.output__create"));
  });
  it("splits comma lists and repeated parameters", () => {
    const f = parseStreamQuery({
      events: "st2.execution__update, st2.execution.output__create",
      action_refs: ["a.b", "c.d"],
      execution_ids: "x,,y",
    });
    assert.deepEqual(f.events, ["st2.execution__update", "st2.execution.output__create"]);
    assert.deepEqual([...(f.actionRefs ?? [])], ["a.b", "c.d"]);
    assert.deepEqual([...(f.executionIds ?? [])], ["x", "y"]);
  });
  it("assumes the update event when only end_execution_id is given", () => {
    const f = parseStreamQuery({ end_execution_id: "e1" });
    assert.equal(f.endEvent, "st2.execution__update");
  });
  it("rejects oversized items", () => {
    assert.throws(() => parseStreamQuery({ events: "x".repeat(2000) }), ValidationError);
  });
});

describe("includes and isEnd", () => {
  const message = (over: Partial<StreamMessage>): StreamMessage => ({
    event: "st2.execution__update",
    data: { id: "e1" },
    actionRef: "core.local",
    executionId: "e1",
    status: "succeeded",
    ...over,
  });
  it("checks name, then action ref, then execution id", () => {
    const f = parseStreamQuery({ action_refs: "core.local", execution_ids: "e1" });
    assert.equal(includes(f, message({})), true);
    assert.equal(includes(f, message({ actionRef: "core.noop" })), false);
    assert.equal(includes(f, message({ executionId: null })), false);
    assert.equal(includes(f, message({ event: "st2.other" })), false);
  });
  it("ends only on the end event of the end execution in a completed state", () => {
    const f = parseStreamQuery({ end_execution_id: "e1", end_event: "st2.execution__update" });
    assert.equal(isEnd(f, message({})), true);
    assert.equal(isEnd(f, message({ status: "running" })), false);
    assert.equal(isEnd(f, message({ executionId: "e2", data: { id: "e2" } })), false);
    assert.equal(isEnd(f, message({ event: "st2.liveaction__update", executionId: null })), false);
    assert.equal(isEnd(parseStreamQuery({}), message({})), false);
  });
});
