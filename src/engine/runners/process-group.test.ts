import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { childEnv, runProcessGroup } from "./process-group.ts";

function run(script: string, extra: { extraPipe?: boolean; maxExtraBytes?: number } = {}) {
  return runProcessGroup({
    command: "bash",
    args: ["-c", script],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    timeoutMs: null,
    signal: new AbortController().signal,
    onOutput: () => {},
    ...extra,
  });
}

describe("runProcessGroup's fd 3 pipe", () => {
  it("returns what the child wrote on fd 3, apart from stdout", async () => {
    const result = await run("echo out; printf '{\"r\": 1}' >&3", { extraPipe: true });
    assert.equal(result.returnCode, 0);
    assert.equal(result.stdout, "out\n");
    assert.equal(result.extra, '{"r": 1}');
    assert.equal(result.extraTruncated, false);
  });

  it("has no fd 3 without extraPipe", async () => {
    const result = await run("printf x >&3");
    assert.notEqual(result.returnCode, 0);
    assert.equal(result.extra, "");
  });

  it("marks fd 3 truncated beyond maxExtraBytes", async () => {
    const result = await run("printf abcdef >&3", { extraPipe: true, maxExtraBytes: 3 });
    assert.equal(result.returnCode, 0);
    assert.equal(result.extraTruncated, true);
  });
});

describe("childEnv", () => {
  it("drops Squall's own settings and unset variables", () => {
    assert.deepEqual(childEnv({ PATH: "/bin", SQUALL_AUTH_SECRET: "s", EMPTY: undefined }), {
      PATH: "/bin",
    });
  });
});
