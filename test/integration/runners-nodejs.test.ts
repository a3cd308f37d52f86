/**
 * The nodejs runner with real child processes: TypeScript and JavaScript actions written with
 * the SDK succeed, fail, time out and are canceled; they reach the datastore through the API
 * and the pack config; parameters (secrets included) never appear on any command line.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ActionDef } from "../../src/core/content/model.ts";
import { createPackConfigLoader } from "../../src/engine/python/pack-config.ts";
import type { RunnerOutcome, RunRequest } from "../../src/engine/runners/contract.ts";
import { createNodejsRunner } from "../../src/engine/runners/nodejs.ts";
import { SENSOR_PACK, type SensorHarness, startSensorHarness } from "./sensors-harness.ts";

type Result = {
  result: Record<string, unknown> | null;
  exit_code: number;
  stdout: string;
  stderr: string;
  error?: string;
};

describe("nodejs runner", () => {
  let h: SensorHarness;
  before(async () => {
    h = await startSensorHarness();
  });
  after(async () => {
    await h.close();
  });

  const runner = () =>
    createNodejsRunner({
      loadConfig: createPackConfigLoader(h.store.content),
      killGraceMs: 500,
    });

  async function request(
    ref: string,
    parameters: Record<string, unknown>,
    extra: Partial<RunRequest> = {},
  ): Promise<{ req: RunRequest; output: string[] }> {
    const action = (await h.store.content.getAction(ref)) as ActionDef;
    assert.ok(action, `${ref} is registered`);
    const runnerType = await h.store.content.getRunnerType("nodejs");
    assert.ok(runnerType, "the nodejs runner type is registered");
    const output: string[] = [];
    const req: RunRequest = {
      executionId: `ex-${ref}-${Math.random().toString(16).slice(2)}`,
      action,
      runner: runnerType,
      parameters: { timeout: 600, ...parameters },
      secretNames: new Set(
        Object.keys(action.parameters).filter((k) => action.parameters[k]?.secret),
      ),
      packPath: SENSOR_PACK,
      entryPointPath: join(SENSOR_PACK, "actions", action.entry_point),
      apiUrl: h.apiUrl,
      authToken: "",
      user: "stanley",
      output: { write: (stream, data) => output.push(`${stream}:${data}`) },
      signal: new AbortController().signal,
      ...extra,
    };
    return { req, output };
  }

  async function run(
    ref: string,
    parameters: Record<string, unknown>,
    extra: Partial<RunRequest> = {},
  ) {
    const { req, output } = await request(ref, parameters, extra);
    const outcome: RunnerOutcome = await runner().run(req);
    return { outcome, result: outcome.result as Result, output };
  }

  it("runs a TypeScript action with typed parameters, config, logger and datastore", async () => {
    const first = await run("sensor_pack.greet", { name: "ada", times: 2 });
    assert.equal(first.outcome.status, "succeeded", JSON.stringify(first.result));
    assert.deepEqual(first.result.result, {
      greeting: "Hello, ADA Hello, ADA",
      previous: null,
      execution: (first.result.result as { execution: string }).execution,
    });
    assert.equal(first.result.exit_code, 0);
    assert.match(first.result.stdout, /printed on stdout/);
    assert.match(first.result.stderr, /INFO sensor_pack\.greet greeting ada/);
    assert.ok(first.output.some((o) => o.startsWith("stdout:") && o.includes("printed on stdout")));
    // The datastore key is private to the action: <pack>.<name>:last.
    const stored = await h.store.kv.get("st2kv.system", "sensor_pack.greet:last");
    assert.equal(stored?.value, "ada");
    const second = await run("sensor_pack.greet", { name: "bob" });
    assert.equal((second.result.result as { previous: string }).previous, "ada");
  });

  it("fails when run throws, with the message and the stack on stderr", async () => {
    const { outcome, result } = await run("sensor_pack.broken", { how: "throw" });
    assert.equal(outcome.status, "failed");
    assert.equal(result.error, "broken on purpose");
    assert.equal(result.exit_code, 1);
    assert.match(result.stderr, /Error: broken on purpose/);
  });

  it("fails with a result when run returns failure()", async () => {
    const { outcome, result } = await run("sensor_pack.broken", { how: "failure" });
    assert.equal(outcome.status, "failed");
    assert.deepEqual(result.result, { reason: "declined" });
  });

  it("times out, killing the process", async () => {
    const { outcome, result } = await run("sensor_pack.slow", { seconds: 30, timeout: 1 });
    assert.equal(outcome.status, "timeout");
    assert.match(result.error ?? "", /timed out after 1 seconds/);
  });

  it("is canceled through the signal", async () => {
    const controller = new AbortController();
    const { req } = await request(
      "sensor_pack.slow",
      { seconds: 30 },
      { signal: controller.signal },
    );
    const pending = runner().run({
      ...req,
      onSpawn: () => setTimeout(() => controller.abort(), 300),
    });
    assert.equal((await pending).status, "canceled");
  });

  it("keeps secret parameters off every process's command line", async () => {
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
    let pid = 0;
    const { req } = await request("sensor_pack.slow", { seconds: 2, token: secret });
    const pending = runner().run({ ...req, onSpawn: (p) => (pid = p) });
    // Look while the action runs (it reads its parameters then sleeps).
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(pid > 0, "the child started");
    const cmdlines = readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map((d) => {
        try {
          return readFileSync(`/proc/${d}/cmdline`, "utf8");
        } catch {
          return "";
        }
      });
    assert.ok(
      cmdlines.some((c) => c.includes("host.mjs")),
      "the action process was seen",
    );
    assert.ok(!cmdlines.some((c) => c.includes(secret)), "the secret is on no command line");
    const outcome = await pending;
    assert.equal(outcome.status, "succeeded");
    assert.equal((outcome.result as Result).result?.tokenLength, secret.length);
  });

  it("refuses an entry point that is not a JavaScript or TypeScript file", async () => {
    const { req } = await request("sensor_pack.greet", { name: "x" });
    await assert.rejects(
      runner().run({ ...req, entryPointPath: join(SENSOR_PACK, "actions", "greet.yaml") }),
      /nodejs runner needs an entry_point/,
    );
  });
});
