/**
 * docs/examples/hello_typescript is a working pack: it registers cleanly, its nodejs action
 * runs (importing the SDK as `squall/sdk`), and its TypeScript sensor dispatches ticks that fire
 * its rule.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { registerPackPaths } from "../../src/engine/content/register-paths.ts";
import { createPackConfigLoader } from "../../src/engine/python/pack-config.ts";
import type { RunRequest } from "../../src/engine/runners/contract.ts";
import { createNodejsRunner } from "../../src/engine/runners/nodejs.ts";
import { type SensorContainer, startSensorContainer } from "../../src/engine/sensors/container.ts";
import { eventually, type SensorHarness, startSensorHarness } from "./sensors-harness.ts";

const EXAMPLE = new URL("../../docs/examples/hello_typescript", import.meta.url).pathname;

describe("the hello_typescript example pack", () => {
  let h: SensorHarness;
  let container: SensorContainer;
  const controller = new AbortController();

  before(async () => {
    h = await startSensorHarness();
    const report = await registerPackPaths(h.store.content, [EXAMPLE], {
      packsPaths: [],
      configsDir: join(h.dir, "configs"),
    });
    assert.deepEqual(report.errors, []);
    await h.rules.reload();
    // Only the example's sensor runs here.
    for (const ref of ["sensor_pack.PyCounter", "sensor_pack.PyWatcher", "sensor_pack.TsCounter"])
      await h.store.content.setSensorEnabled(ref, false);
    container = await startSensorContainer({
      store: h.store,
      dispatcher: h.dispatcher,
      registry: h.registry,
      log: h.log,
      apiUrl: () => h.apiUrl,
      signal: controller.signal,
    });
  });

  after(async () => {
    controller.abort();
    await container?.done;
    await h?.close();
  });

  it("runs its nodejs action with the pack config and the datastore", async () => {
    const action = await h.store.content.getAction("hello_typescript.greet");
    const runner = await h.store.content.getRunnerType("nodejs");
    assert.ok(action && runner);
    const request: RunRequest = {
      executionId: "ex-example",
      action,
      runner,
      parameters: { name: "Ada", shout: true, timeout: 600 },
      secretNames: new Set(),
      packPath: EXAMPLE,
      entryPointPath: join(EXAMPLE, "actions", action.entry_point),
      apiUrl: h.apiUrl,
      authToken: "",
      user: "stanley",
      output: { write: () => {} },
      signal: new AbortController().signal,
    };
    const nodejs = createNodejsRunner({ loadConfig: createPackConfigLoader(h.store.content) });
    const outcome = await nodejs.run(request);
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    assert.deepEqual((outcome.result as { result: unknown }).result, {
      message: "HELLO, ADA!",
      previous: null,
    });
  });

  it("its sensor ticks and the rule fires on each tick", async () => {
    const tick = await eventually(async () => {
      const page = await h.store.reactor.listInstances(
        { trigger: "hello_typescript.tick" },
        { limit: 10, offset: 0 },
      );
      return page.items[0];
    }, "the first tick");
    assert.equal(tick.payload.count, 1);
    const enforcement = await eventually(async () => {
      const page = await h.store.reactor.listEnforcements(
        { trigger_instance: tick.id },
        { limit: 10, offset: 0 },
      );
      return page.items[0];
    }, "the rule enforcement");
    assert.equal(enforcement.rule.ref, "hello_typescript.greet_on_tick");
    assert.equal(enforcement.status, "succeeded");
  });
});
