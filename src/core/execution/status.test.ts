import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CANCELABLE_STATUSES,
  COMPLETED_STATUSES,
  canTransition,
  EXECUTION_STATUSES,
  TRANSITIONS,
} from "./status.ts";

describe("execution state table", () => {
  it("has a row for every StackStorm state", () => {
    assert.equal(EXECUTION_STATUSES.length, 14);
    for (const s of EXECUTION_STATUSES) assert.ok(Array.isArray(TRANSITIONS[s]), s);
  });

  it("never leaves a completed state", () => {
    for (const s of COMPLETED_STATUSES) assert.deepEqual(TRANSITIONS[s], [], s);
  });

  it("only names known states", () => {
    for (const targets of Object.values(TRANSITIONS))
      for (const t of targets) assert.ok((EXECUTION_STATUSES as readonly string[]).includes(t), t);
  });

  const cases: Array<
    [
      from: (typeof EXECUTION_STATUSES)[number],
      to: (typeof EXECUTION_STATUSES)[number],
      ok: boolean,
    ]
  > = [
    ["requested", "scheduled", true],
    ["requested", "delayed", true],
    ["delayed", "requested", true],
    ["scheduled", "running", true],
    ["running", "succeeded", true],
    ["running", "timeout", true],
    ["running", "abandoned", true],
    ["running", "canceling", true],
    ["canceling", "canceled", true],
    ["running", "pausing", true],
    ["pausing", "paused", true],
    ["paused", "resuming", true],
    ["resuming", "running", true],
    ["running", "pending", true],
    ["pending", "succeeded", true],
    ["requested", "running", false],
    ["requested", "succeeded", false],
    ["scheduled", "succeeded", false],
    ["succeeded", "running", false],
    ["failed", "succeeded", false],
    ["paused", "running", false],
    ["canceled", "requested", false],
  ];
  for (const [from, to, ok] of cases) {
    it(`${from} → ${to} is ${ok ? "legal" : "illegal"}`, () =>
      assert.equal(canTransition(from, to), ok));
  }

  it("lets every cancelable state be canceled, directly or through canceling", () => {
    for (const s of CANCELABLE_STATUSES)
      assert.ok(canTransition(s, "canceled") || canTransition(s, "canceling"), s);
  });
});
