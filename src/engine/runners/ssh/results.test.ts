import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  completedResult,
  decodeOutput,
  errorResult,
  overallStatus,
  SshCommandTimeoutError,
} from "./results.ts";

describe("remote results", () => {
  it("completedResult strips one newline and decodes JSON", () => {
    assert.deepEqual(completedResult('{"a":1}\n', "warn\r\n", 0), {
      stdout: { a: 1 },
      stderr: "warn",
      return_code: 0,
      succeeded: true,
      failed: false,
    });
    assert.equal(decodeOutput("two\n\n"), "two\n");
  });

  it("errorResult: connection errors are 255, timeouts -9 with timeout true", () => {
    const conn = errorResult({
      message: "Failed connecting to host h.",
      error: new Error("refused"),
    });
    assert.equal(conn.return_code, 255);
    assert.equal(conn.timeout, false);
    assert.equal(conn.error, "Failed connecting to host h. refused");
    assert.equal(conn.traceback, "Error: refused");
    const cause = new Error("inner");
    const t = errorResult({
      message: "m",
      error: new SshCommandTimeoutError("slow", { cause }),
      timeout: true,
      stdout: "partial\n",
    });
    assert.equal(t.return_code, -9);
    assert.equal(t.stdout, "partial");
    assert.equal(t.traceback, "SshCommandTimeoutError: slow\ncaused by Error: inner");
  });

  const ok = { succeeded: true };
  const bad = { succeeded: false };
  const slow = { succeeded: false, timeout: true };
  const table: Array<[string, Record<string, Record<string, unknown>>, boolean, string]> = [
    ["all succeeded", { a: ok, b: ok }, false, "succeeded"],
    ["one failed", { a: ok, b: bad }, false, "failed"],
    ["one failed, partial allowed", { a: ok, b: bad }, true, "succeeded"],
    ["all failed, partial allowed", { a: bad, b: bad }, true, "failed"],
    ["all timed out", { a: slow, b: slow }, false, "timeout"],
    ["some timed out", { a: slow, b: bad }, false, "failed"],
    ["no hosts", {}, false, "failed"],
  ];
  for (const [name, results, partial, status] of table) {
    it(`status: ${name} → ${status}`, () => {
      assert.equal(overallStatus(results, partial), status);
    });
  }
});
