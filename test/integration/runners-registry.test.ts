import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NotFoundError } from "../../src/core/errors.ts";
import {
  createRunnerRegistry,
  getRunner,
  UnknownRunnerError,
} from "../../src/engine/runners/registry.ts";
import { makeRequest } from "../fixtures/runners/request.ts";

describe("runner registry", () => {
  it("holds the implemented runners under their StackStorm names", () => {
    const registry = createRunnerRegistry();
    assert.deepEqual([...registry.keys()].sort(), [
      "http-request",
      "inquirer",
      "local-shell-cmd",
      "local-shell-script",
      "nodejs",
      "noop",
      "python-script",
      "remote-shell-cmd",
      "remote-shell-script",
    ]);
    for (const [name, runner] of registry) assert.equal(runner.name, name);
  });

  it("throws UnknownRunnerError (a NotFoundError) for other names", () => {
    const registry = createRunnerRegistry();
    assert.throws(
      () => getRunner(registry, "winrm-cmd"),
      (error: unknown) => {
        assert.ok(error instanceof UnknownRunnerError);
        assert.ok(error instanceof NotFoundError);
        assert.equal(error.runnerName, "winrm-cmd");
        assert.equal(error.code, "unknown_runner");
        return true;
      },
    );
  });

  it("noop succeeds with StackStorm's noop result", async () => {
    const noop = getRunner(createRunnerRegistry(), "noop");
    const outcome = await noop.run(makeRequest({ runner: "noop", parameters: {} }));
    assert.deepEqual(outcome, {
      status: "succeeded",
      result: { failed: false, succeeded: true, return_code: 0 },
    });
  });
});
