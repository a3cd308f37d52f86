import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeSchemas } from "./merge-parameters.ts";
import { findRunnerType } from "./runner-types.ts";

describe("mergeSchemas with the built-in runners", () => {
  const runner = findRunnerType("local-shell-cmd");
  assert.ok(runner);

  it("overlays action attributes onto the runner's, keeping the rest", () => {
    const merged = mergeSchemas(runner.runner_parameters, {
      sudo: { immutable: true },
      cmd: { required: true },
      extra: { type: "string" },
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
    const merged = mergeSchemas(inquirer.runner_parameters, {
      roles: { default: ["ops"] },
      schema: { default: { properties: { reason: { type: "string" } } } },
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

describe("mergeSchemas (deep_update: action attributes override the runner's)", () => {
  it("overrides only the attributes the action sets", () => {
    const runnerParams = {
      timeout: { type: "integer", default: 60, description: "seconds" },
      env: { type: "object", default: { A: "1" } },
      mode: { type: "string", enum: ["a", "b", "c"] },
      only_runner: { type: "string" },
    };
    const actionParams = {
      timeout: { default: 30 },
      env: { default: { B: "2" } },
      mode: { enum: ["a"] },
      only_action: { type: "integer" },
    };
    const before = JSON.stringify(runnerParams);
    assert.deepEqual(mergeSchemas(runnerParams, actionParams), {
      timeout: { type: "integer", default: 30, description: "seconds" },
      env: { type: "object", default: { A: "1", B: "2" } },
      mode: { type: "string", enum: ["a"] },
      only_runner: { type: "string" },
      only_action: { type: "integer" },
    });
    assert.equal(JSON.stringify(runnerParams), before);
  });
  it("shares nothing with its inputs", () => {
    const runnerParams = { mode: { type: "string", enum: ["a", "b"] } };
    const actionParams = { mode: { default: ["a"] } };
    const merged = mergeSchemas(runnerParams, actionParams);
    const mode = merged.mode;
    assert.ok(mode);
    (mode.enum as unknown[]).push("c");
    (mode.default as unknown[]).push("b");
    assert.deepEqual(runnerParams.mode.enum, ["a", "b"]);
    assert.deepEqual(actionParams.mode.default, ["a"]);
  });
  it("replaces a scalar default with a mapping", () => {
    assert.deepEqual(mergeSchemas({ p: { default: "x" } }, { p: { default: { k: 1 } } }), {
      p: { default: { k: 1 } },
    });
  });
});
