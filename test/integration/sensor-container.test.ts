/**
 * The sensor container with real child processes (Python through the shim, TypeScript through
 * the SDK) against an in-process reactor: dispatches become trigger instances that fire rules,
 * a sensor crashing on its third poll is respawned and keeps dispatching, spawn/exit triggers
 * are emitted, sensors are enabled and disabled at runtime, trigger changes reach the sensors,
 * and sensors use the datastore through the API.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Command, CommanderError } from "commander";
import { registerSensorCommands } from "../../src/cli/commands/sensor.ts";
import { buildProgram } from "../../src/cli/main.ts";
import type { CliRuntime } from "../../src/cli/runtime.ts";
import type { RuleDef } from "../../src/core/content/model.ts";
import type { TriggerInstance } from "../../src/core/reactor/model.ts";
import { type SensorContainer, startSensorContainer } from "../../src/engine/sensors/container.ts";
import { PYTHON, requirePython } from "../support/python.ts";
import { eventually, type SensorHarness, startSensorHarness } from "./sensors-harness.ts";

/** `squall <args>` in this process against `url`. */
async function cli(
  url: string,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const runtime: CliRuntime = {
    io: { out: (t) => (out += t), err: (t) => (err += t), env: { SQUALL_API_URL: url }, cwd: "/" },
    exitCode: 0,
  };
  const program: Command = buildProgram(runtime);
  // Until src/cli/main.ts registers the sensor group itself.
  if (!program.commands.some((c) => c.name() === "sensor"))
    registerSensorCommands(program, runtime);
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode, out, err };
    throw e;
  }
  return { code: runtime.exitCode, out, err };
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("sensor container", () => {
  let h: SensorHarness;
  let container: SensorContainer;
  const controller = new AbortController();
  const pids = new Set<number>();

  before(async () => {
    requirePython();
    h = await startSensorHarness();
    h.onSensorChange = () => container.sync();
    container = await startSensorContainer({
      store: h.store,
      dispatcher: h.dispatcher,
      registry: h.registry,
      log: h.log,
      apiUrl: () => h.apiUrl,
      pythonFor: () => PYTHON,
      signal: controller.signal,
      respawn: { initialMs: 100, maxMs: 1_000, factor: 2, stableAfterMs: 60_000 },
      stopGraceMs: 3_000,
    });
  });

  after(async () => {
    for (const s of container?.running() ?? []) if (s.pid) pids.add(s.pid);
    controller.abort();
    await container?.done;
    for (const pid of pids)
      assert.equal(alive(pid), false, `sensor process ${pid} is gone after stop`);
    await h?.close();
  });

  async function instances(trigger: string): Promise<TriggerInstance[]> {
    const page = await h.store.reactor.listInstances({ trigger }, { limit: 1000, offset: 0 });
    return [...page.items].reverse();
  }

  async function waitFor(trigger: string, what: string, match: (i: TriggerInstance) => boolean) {
    return eventually(async () => (await instances(trigger)).find(match), what);
  }

  async function rule(name: string, trigger: RuleDef["trigger"], enabled = true) {
    await h.store.content.upsertRule({
      ref: `sensor_pack.${name}`,
      uid: `rule:sensor_pack:${name}`,
      name,
      pack: "sensor_pack",
      enabled,
      type: { ref: "standard", parameters: {} },
      trigger,
      criteria: {},
      action: { ref: "sensor_pack.nothing", parameters: {} },
      metadata_file: `rules/${name}.yaml`,
    });
    await h.rules.reload();
    await container.sync();
  }

  it("starts every enabled sensor, one process each", async () => {
    const running = container.running();
    assert.deepEqual(running.map((s) => s.ref).sort(), [
      "sensor_pack.PyCounter",
      "sensor_pack.PyWatcher",
      "sensor_pack.TsCounter",
    ]);
    await eventually(
      () => (container.running().every((s) => alive(s.pid)) ? true : undefined),
      "all sensors to run",
    );
    for (const s of container.running()) if (s.pid) pids.add(s.pid);
  });

  it("turns a Python sensor's dispatches into trigger instances that fire a rule", async () => {
    const first = await waitFor(
      "sensor_pack.py_tick",
      "a PyCounter tick",
      (i) => i.payload.n === 1,
    );
    assert.match(first.trace_tag, /^py-tick-\d+-1$/);
    const enforcement = await eventually(async () => {
      const page = await h.store.reactor.listEnforcements(
        { trigger_instance: first.id },
        { limit: 10, offset: 0 },
      );
      return page.items[0];
    }, "the rule enforcement");
    assert.equal(enforcement.rule.ref, "sensor_pack.on_py_tick");
    assert.equal(enforcement.status, "succeeded");
    // The invalid payload was logged against the sensor and not dispatched.
    assert.ok(!(await instances("sensor_pack.py_tick")).some((i) => i.payload.n === "one"));
    await eventually(
      () =>
        h.logs.find(
          (l) =>
            l.sensor === "sensor_pack.PyCounter" && String(l.msg).includes("dispatch not done"),
        )
          ? true
          : undefined,
      "the rejected dispatch to be logged",
    );
    // The sensor's own logger reaches Squall's log with the sensor's ref.
    await eventually(
      () =>
        h.logs.find(
          (l) =>
            l.sensor === "sensor_pack.PyCounter" &&
            l.logger === "SensorWrapper.sensor_pack.PyCounter.counter" &&
            l.msg === "tick 1",
        )
          ? true
          : undefined,
      "the sensor's log record",
    );
  });

  it("respawns a sensor that crashes on its third poll, and its triggers keep flowing", async () => {
    const ticks = await eventually(async () => {
      const all = await instances("sensor_pack.py_tick");
      const byPid = new Set(all.map((i) => i.payload.pid));
      return byPid.size >= 3 ? all : undefined;
    }, "ticks from three PyCounter processes");
    for (const pid of new Set(ticks.map((i) => i.payload.pid))) {
      const own = ticks.filter((i) => i.payload.pid === pid).map((i) => i.payload.n);
      assert.ok(
        own.every((n) => n === 1 || n === 2),
        `process ${String(pid)} stops at its third poll`,
      );
    }
    const exit = await waitFor(
      "core.st2.sensor.process_exit",
      "an exit trigger for the crash",
      (i) => i.payload.id === "PyCounter",
    );
    assert.equal(exit.payload.exit_code, 1);
    assert.equal(typeof exit.payload.timestamp, "number");
    const spawns = (await instances("core.st2.sensor.process_spawn")).filter(
      (i) => i.payload.id === "PyCounter",
    );
    assert.ok(spawns.length >= 3, "a spawn trigger per process");
    assert.equal(typeof spawns[0]?.payload.pid, "number");
    assert.match(
      String(spawns[0]?.payload.cmd),
      /squall_shim\.sensor_wrapper --pack=sensor_pack --class-name=PyCounter/,
    );
    assert.ok(
      h.logs.find(
        (l) =>
          l.sensor === "sensor_pack.PyCounter" &&
          l.stream === "stderr" &&
          String(l.msg).includes("third poll fails"),
      ),
      "the traceback on stderr is captured into the log",
    );
  });

  it("runs a TypeScript polling sensor that uses the datastore", async () => {
    const tick = await waitFor("sensor_pack.ts_tick", "a TsCounter tick", (i) => i.payload.n === 2);
    assert.equal(tick.payload.stored, "2");
    assert.equal(tick.trace_tag, "ts-tick-2");
    const kv = await h.store.kv.get("st2kv.system", "sensor_pack.TsCounter:count");
    assert.ok(kv && Number(kv.value) >= 2);
  });

  it("gives Python sensors the datastore (local and global keys) and the pack config", async () => {
    const report = await waitFor(
      "sensor_pack.watch_event",
      "PyWatcher's datastore report",
      (i) => i.payload.event === "datastore",
    );
    assert.deepEqual(report.payload, {
      event: "datastore",
      value: "yes",
      missing: null,
      names: ["sensor_pack.PyWatcher:seen"],
      deleted: true,
      after_delete: null,
      config_greeting: "Hello",
    });
    assert.equal(report.trace_tag, "watcher-datastore");
    assert.equal((await h.store.kv.get("st2kv.system", "global_key"))?.value, "shared");
  });

  it("calls add_trigger, update_trigger and remove_trigger as rules change the sensor's triggers", async () => {
    await rule("watch_a", { type: "sensor_pack.watch", parameters: { path: "/a" } });
    const added = await waitFor(
      "sensor_pack.watch_event",
      "add_trigger",
      (i) => i.payload.event === "add",
    );
    assert.deepEqual(added.payload.parameters, { path: "/a" });
    const ref = String(added.payload.ref);

    // The trigger itself changes (as PUT /triggers would) and the rule follows it.
    const trigger = await h.store.reactor.getTrigger(ref);
    assert.ok(trigger);
    await h.store.reactor.commit([
      { op: "trigger.upsert", trigger: { ...trigger, parameters: { path: "/b" } } },
    ]);
    await rule("watch_a", { type: "sensor_pack.watch", parameters: { path: "/b" } });
    const updated = await waitFor(
      "sensor_pack.watch_event",
      "update_trigger",
      (i) => i.payload.event === "update",
    );
    assert.deepEqual(updated.payload, { event: "update", ref, parameters: { path: "/b" } });

    await rule("watch_a", { type: "sensor_pack.watch", parameters: { path: "/b" } }, false);
    const removed = await waitFor(
      "sensor_pack.watch_event",
      "remove_trigger",
      (i) => i.payload.event === "remove",
    );
    assert.deepEqual(removed.payload, { event: "remove", ref, parameters: { path: "/b" } });
  });

  it("tells a TypeScript sensor about its triggers too", async () => {
    await rule("ts_watch_x", { type: "sensor_pack.ts_watch", parameters: { name: "x" } });
    const added = await waitFor(
      "sensor_pack.ts_watch_event",
      "onTriggerAdded",
      (i) => i.payload.event === "add",
    );
    await rule("ts_watch_x", { type: "sensor_pack.ts_watch", parameters: { name: "x" } }, false);
    const removed = await waitFor(
      "sensor_pack.ts_watch_event",
      "onTriggerRemoved",
      (i) => i.payload.event === "remove",
    );
    assert.equal(removed.payload.ref, added.payload.ref);
  });

  it("stops a disabled sensor and starts it again once enabled, without a restart", async () => {
    const before = container.running().find((s) => s.ref === "sensor_pack.TsCounter");
    assert.ok(before?.pid);
    pids.add(before.pid);
    const updated = await h.store.content.setSensorEnabled("sensor_pack.TsCounter", false);
    assert.equal(updated?.enabled, false);
    await container.sync();
    assert.ok(!container.running().some((s) => s.ref === "sensor_pack.TsCounter"));
    assert.equal(alive(before.pid), false, "the disabled sensor's process is gone");
    const exit = await waitFor(
      "core.st2.sensor.process_exit",
      "TsCounter's orderly exit",
      (i) => i.payload.id === "TsCounter",
    );
    assert.equal(exit.payload.exit_code, 0);

    await h.store.content.setSensorEnabled("sensor_pack.TsCounter", true);
    await container.sync();
    const after = await eventually(
      () => container.running().find((s) => s.ref === "sensor_pack.TsCounter" && s.pid),
      "TsCounter to run again",
    );
    assert.ok(after.pid && after.pid !== before.pid);
    pids.add(after.pid);
    const ticksBefore = (await instances("sensor_pack.ts_tick")).length;
    await eventually(
      async () =>
        (await instances("sensor_pack.ts_tick")).length > ticksBefore ? true : undefined,
      "ticks from the re-enabled sensor",
    );
  });

  it("getSensor and setSensorEnabled answer null for an unknown sensor", async () => {
    assert.equal(await h.store.content.getSensor("sensor_pack.Nope"), null);
    assert.equal(await h.store.content.setSensorEnabled("sensor_pack.Nope", true), null);
    assert.equal(
      (await h.store.content.getSensor("sensor_pack.PyWatcher"))?.class_name,
      "PyWatcher",
    );
  });

  it("lists, shows, disables and enables sensors from the CLI through the API", async () => {
    const list = await cli(h.url, ["sensor", "list", "--pack", "sensor_pack"]);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /sensor_pack\.PyWatcher/);
    const json = await cli(h.url, ["--json", "sensor", "list", "--enabled"]);
    assert.deepEqual((JSON.parse(json.out) as Array<{ ref: string }>).map((s) => s.ref).sort(), [
      "sensor_pack.PyCounter",
      "sensor_pack.PyWatcher",
      "sensor_pack.TsCounter",
    ]);
    const get = await cli(h.url, ["sensor", "get", "sensor_pack.PyWatcher"]);
    assert.equal(get.code, 0, get.err);
    assert.match(get.out, /^class_name: PyWatcher$/m);

    const before = container.running().find((s) => s.ref === "sensor_pack.PyWatcher");
    assert.ok(before?.pid);
    pids.add(before.pid);
    const disabled = await cli(h.url, ["--json", "sensor", "disable", "sensor_pack.PyWatcher"]);
    assert.equal(disabled.code, 0, disabled.err);
    assert.equal((JSON.parse(disabled.out) as { enabled: boolean }).enabled, false);
    assert.ok(!container.running().some((s) => s.ref === "sensor_pack.PyWatcher"));
    assert.equal(alive(before.pid), false, "the disabled sensor's process is gone");
    const listed = await cli(h.url, ["--json", "sensor", "list", "--disabled"]);
    assert.deepEqual(
      (JSON.parse(listed.out) as Array<{ ref: string }>).map((s) => s.ref),
      ["sensor_pack.PyWatcher"],
    );

    const enabled = await cli(h.url, ["sensor", "enable", "sensor_pack.PyWatcher"]);
    assert.equal(enabled.code, 0, enabled.err);
    const after = await eventually(
      () => container.running().find((s) => s.ref === "sensor_pack.PyWatcher" && s.pid),
      "PyWatcher to run again",
    );
    pids.add(after.pid as number);

    const missing = await cli(h.url, ["sensor", "get", "sensor_pack.Nope"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.err, /not found/i);
  });
});
