import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OperatorError } from "../expr/python/errors.ts";
import { parseDate } from "./pydate.ts";

const BASE = Date.UTC(2024, 0, 15, 10, 30, 0);

describe("parseDate (StackStorm's date_utils.parse)", () => {
  const OK: Array<[string, number]> = [
    ["2024-01-15T10:30:00Z", BASE],
    ["2024-01-15T10:30:00", BASE],
    ["2024-01-15 10:30:00+00:00", BASE],
    ["2024-01-15T12:30:00+02:00", BASE],
    ["2024-01-15T05:30:00-0500", BASE],
    ["2024-01-15T10:30:00.250000Z", BASE + 250],
    ["2024-01-15T10:30:00.1234567Z", BASE + 123.456],
    ["20240115T103000Z", BASE],
    ["2024-01-15T10:30Z", BASE],
    ["2024-01-15", Date.UTC(2024, 0, 15)],
    ["Mon, 15 Jan 2024 10:30:00 GMT", BASE],
    ["15 Jan 2024 10:30:00 +0000", BASE],
    ["Jan 15, 2024 10:30 AM", BASE],
    ["January 15 2024 10:30 pm", BASE + 12 * 3600_000],
  ];
  for (const [text, expected] of OK) {
    it(text, () => assert.equal(parseDate(text), expected));
  }

  it("raises ValueError for what it cannot read", () => {
    for (const text of [
      "",
      "None",
      "not a date",
      "2024-13-01",
      "2024-02-30T00:00:00",
      "2024-01-01T25:00:00",
      "1",
      "[1, 2]",
    ]) {
      assert.throws(
        () => parseDate(text),
        (e: unknown) => e instanceof OperatorError && e.pythonType === "ValueError",
        text,
      );
    }
  });
});
