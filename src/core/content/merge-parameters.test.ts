import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeParameters } from "./merge-parameters.ts";
import { findRunnerType } from "./runner-types.ts";

describe("mergeParameters", () => {
  const runner = findRunnerType("local-shell-cmd");
  assert.ok(runner);

  it("overlays action attributes onto the runner's, keeping the rest", () => {
    const merged = mergeParameters(runner, {
      parameters: { sudo: { immutable: true }, cmd: { required: true }, extra: { type: "string" } },
    });
    assert.deepEqual(merged.sudo, {
      type: "boolean",
      default: false,
      description: runner.runner_parameters.sudo?.description,
      immutable: true,
    });
    assert.equal(merged.cmd?.type, "string");
    assert.equal(merged.cmd?.required, true);
    assert.deepEqual(merged.extra, { type: "string" });
    assert.equal(merged.timeout?.default, 60);
  });

  it("replaces lists and scalars, merges nested mappings, and copies", () => {
    const inquirer = findRunnerType("inquirer");
    assert.ok(inquirer);
    const merged = mergeParameters(inquirer, {
      parameters: {
        roles: { default: ["ops"] },
        schema: { default: { properties: { reason: { type: "string" } } } },
      },
    });
    assert.deepEqual(merged.roles?.default, ["ops"]);
    const schemaDefault = merged.schema?.default as { properties: Record<string, unknown> };
    assert.ok(schemaDefault);
    const props = schemaDefault.properties;
    assert.deepEqual(Object.keys(props).sort(), ["continue", "reason"]);
    // The runner's own table is untouched.
    const original = inquirer.runner_parameters.schema?.default as {
      properties: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(original.properties), ["continue"]);
  });
});
