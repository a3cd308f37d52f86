import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../../core/errors.ts";
import { isoTimestamp } from "./shared.ts";

describe("isoTimestamp", () => {
  const cases: Array<[unknown, string | null]> = [
    ["2026-01-02T03:04:05.678Z", "2026-01-02T03:04:05.678Z"],
    ["2026-01-02T03:04:05.678Z", "2026-01-02T03:04:05.678Z"], // the remembered one
    ["2026-01-02T04:04:05.678+01:00", "2026-01-02T03:04:05.678Z"],
    ["2026-01-02T03:04:05Z", "2026-01-02T03:04:05.000Z"],
    ["", null],
    ["not a time", null],
    [undefined, null],
    [{}, null],
    [1767323045678, null],
    ["2026-01-02T03:04:05.678Z", "2026-01-02T03:04:05.678Z"],
  ];
  for (const [i, [input, expected]] of cases.entries()) {
    it(`case ${i}: ${JSON.stringify(input) ?? String(input)}`, () => {
      if (expected === null) {
        assert.throws(() => isoTimestamp(input, "t"), ValidationError);
      } else {
        assert.equal(isoTimestamp(input, "t"), expected);
      }
    });
  }
});
