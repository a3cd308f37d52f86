import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { firstOperand } from "./main.ts";

describe("firstOperand", () => {
  const cases: Array<[string[], string | undefined]> = [
    [[], undefined],
    [["run", "core.local"], "run"],
    [["--json", "action", "list"], "action"],
    [["--url", "http://x", "up"], "up"],
    [["--url=http://x", "pack"], "pack"],
    [["--help"], undefined],
    [["--", "up"], "up"],
  ];
  for (const [args, expected] of cases) {
    it(`finds ${String(expected)} in ${JSON.stringify(args)}`, () =>
      assert.equal(firstOperand(args), expected));
  }
});
