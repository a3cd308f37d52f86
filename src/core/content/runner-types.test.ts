import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BUILTIN_RUNNER_TYPES } from "./runner-types.ts";
import { checkAgainst } from "./schema-check.ts";
import { SCHEMA_IDS } from "./schemas.ts";

describe("built-in runner types", () => {
  it("are the StackStorm runners Squall knows, once each", () => {
    assert.deepEqual(BUILTIN_RUNNER_TYPES.map((r) => r.name).sort(), [
      "action-chain",
      "announcement",
      "http-request",
      "inquirer",
      "local-shell-cmd",
      "local-shell-script",
      "nodejs",
      "noop",
      "orquesta",
      "python-script",
      "remote-shell-cmd",
      "remote-shell-script",
    ]);
  });

  for (const runner of BUILTIN_RUNNER_TYPES) {
    it(`${runner.name} parameters satisfy the parameter meta-schema`, () => {
      assert.deepEqual(checkAgainst(SCHEMA_IDS.configSchema, runner.runner_parameters), []);
    });
  }

  // A few attributes that action overrides depend on (compared by value at registration).
  const table: Array<[string, string, string, unknown]> = [
    ["local-shell-cmd", "sudo_password", "secret", true],
    ["local-shell-cmd", "kwarg_op", "default", "--"],
    ["remote-shell-cmd", "dir", "immutable", true],
    ["remote-shell-script", "dir", "immutable", undefined],
    ["remote-shell-script", "parallel", "immutable", true],
    ["remote-shell-cmd", "hosts", "required", true],
    ["python-script", "timeout", "default", 600],
    ["http-request", "url", "required", true],
    ["http-request", "verify_ssl_cert", "default", true],
    ["inquirer", "ttl", "default", 1440],
    ["announcement", "experimental", "required", true],
    ["action-chain", "display_published", "default", true],
  ];
  for (const [runner, param, attr, value] of table) {
    it(`${runner}.${param}.${attr} is ${JSON.stringify(value)}`, () => {
      const spec = BUILTIN_RUNNER_TYPES.find((r) => r.name === runner)?.runner_parameters[param];
      assert.ok(spec);
      assert.deepEqual(spec[attr], value);
    });
  }
});
