import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pythonDatetimeString } from "./notifier.ts";

describe("pythonDatetimeString", () => {
  // Repeated and alternating inputs: each answer is its own input's, whatever came before.
  const rows: Array<[string, string]> = [
    ["2024-05-01T12:00:00.000Z", "2024-05-01 12:00:00.000000+00:00"],
    ["2024-05-01T12:00:00.000Z", "2024-05-01 12:00:00.000000+00:00"],
    ["1999-12-31T23:59:59.007Z", "1999-12-31 23:59:59.007000+00:00"],
    ["2024-05-01T12:00:00.000Z", "2024-05-01 12:00:00.000000+00:00"],
    ["2030-01-02T03:04:05.678Z", "2030-01-02 03:04:05.678000+00:00"],
  ];
  for (const [i, [iso, python]] of rows.entries())
    it(`formats ${iso} (${i + 1} of ${rows.length})`, () => {
      assert.equal(pythonDatetimeString(iso), python);
    });
});
