/**
 * Pack configs, secrets and sensors through a real `squall up`, with test/fixtures/packs
 * python_pack and sensor_pack (copied, plus a few actions written here):
 * - `{{ st2kv... }}` config values reach Python actions, TypeScript actions and sensors rendered,
 *   for the execution's user, and secret ones are decrypted and masked;
 * - a secret parameter appears on no process's command line while the action runs;
 * - the execution's token is refused once the execution is over;
 * - a sensor crashing on its third poll is respawned, and its triggers keep firing the rule.
 */

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { appendFile, cp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FIXTURES } from "../support/fixtures.ts";
import { requirePython } from "../support/python.ts";
import {
  adminCredentials,
  api,
  eventually,
  makeHome,
  type SquallProcess,
  startSquall,
} from "../support/squall-process.ts";
import { allCommandLines } from "./remote-shell-helpers.ts";

interface Execution {
  id: string;
  status: string;
  action?: { ref: string };
  result?: { result?: unknown; stdout?: string; stderr?: string };
}
interface TriggerInstance {
  trigger: string;
  payload: Record<string, unknown>;
}

const TERMINAL = new Set(["succeeded", "failed", "timeout", "canceled", "abandoned"]);
const API_KEY = `k3y-${randomBytes(6).toString("hex")}`;

/** Actions added to the copy of python_pack for these tests. */
const EXTRA_ACTIONS: Record<string, string> = {
  "config_digest.yaml": `---
name: config_digest
runner_type: python-script
entry_point: config_digest.py
parameters: {}
`,
  "config_digest.py": `import hashlib
from st2common.runners.base_action import Action


class ConfigDigest(Action):
    def run(self):
        key = self.config["api_key"]
        print("the key is %s" % key)
        return {"sha256": hashlib.sha256(key.encode()).hexdigest(), "echo": key,
                "region": self.config["region"], "greeting": self.config["greeting"]}
`,
  "hold.yaml": `---
name: hold
runner_type: python-script
entry_point: hold.py
parameters:
  secret: {type: string, secret: true, required: true}
  meet: {type: string, required: true}
`,
  "hold.py": `import os
import time
from st2common.runners.base_action import Action


class Hold(Action):
    def run(self, secret, meet):
        with open(os.path.join(meet, "token"), "w") as f:
            f.write(os.environ.get("ST2_AUTH_TOKEN", ""))
        open(os.path.join(meet, "started"), "w").close()
        for _ in range(300):
            if os.path.exists(os.path.join(meet, "go")):
                break
            time.sleep(0.1)
        return len(secret)
`,
  "config_param.yaml": `---
name: config_param
runner_type: local-shell-cmd
parameters:
  cmd:
    default: "echo {{ config_context.greeting }}"
`,
};

describe("pack configs, secrets and sensors on a live node", () => {
  let node: SquallProcess;
  let cleanup = (): void => {};
  let dir = "";
  let admin = "";

  before(async () => {
    requirePython();
    dir = mkdtempSync(join(tmpdir(), "squall-config-node-"));
    const packs = join(dir, "packs");
    const configs = join(dir, "configs");
    await mkdir(configs, { recursive: true });
    for (const pack of ["python_pack", "sensor_pack"])
      await cp(join(FIXTURES, "packs", pack), join(packs, pack), { recursive: true });
    // The fixture imports the SDK by a path relative to this repository; a pack elsewhere names
    // it as pack authors do.
    const greet = join(packs, "sensor_pack", "actions", "greet.ts");
    writeFileSync(
      greet,
      readFileSync(greet, "utf8").replace(/from "[./]+\/src\/sdk\/index\.ts"/, 'from "squall/sdk"'),
    );
    for (const [file, text] of Object.entries(EXTRA_ACTIONS))
      writeFileSync(join(packs, "python_pack", "actions", file), text);
    await appendFile(
      join(packs, "python_pack", "config.schema.yaml"),
      "api_key:\n  type: string\n  secret: true\n",
    );
    writeFileSync(
      join(configs, "python_pack.yaml"),
      [
        'region: "{{ st2kv.user.region }}"',
        'greeting: "Hi {{ st2kv.system.who }}"',
        'api_key: "{{ st2kv.system.api_key }}"',
        "limits: {burst: 2}",
        "",
      ].join("\n"),
    );
    writeFileSync(join(configs, "sensor_pack.yaml"), 'greeting: "{{ st2kv.system.hello }}"\n');
    const home = makeHome();
    cleanup = home.cleanup;
    node = await startSquall(home.home, { SQUALL_PACKS_PATH: packs, SQUALL_CONFIGS_DIR: configs });
    admin = adminCredentials(home.home)?.username ?? "";
    assert.ok(admin, "the node wrote the administrator's credentials");
    for (const [name, body] of Object.entries({
      who: { value: "there" },
      hello: { value: "Hello from kv" },
      api_key: { value: API_KEY, secret: true },
      region: { value: "eu-of-the-admin", scope: "st2kv.user" },
    })) {
      const put = await api(node.url, "PUT", `/keys/${name}`, { name, ...body });
      assert.equal(put.status, 200, JSON.stringify(put.body));
    }
  });

  after(async () => {
    await node?.kill("SIGTERM");
    cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function finished(id: string): Promise<Execution> {
    return eventually(
      async () => {
        const { body } = await api<Execution>(node.url, "GET", `/executions/${id}`);
        return TERMINAL.has(body.status) ? body : undefined;
      },
      30_000,
      `execution ${id} to finish`,
    );
  }

  async function run(action: string, parameters: Record<string, unknown>): Promise<Execution> {
    const created = await api<Execution>(node.url, "POST", "/executions", { action, parameters });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return finished(created.body.id);
  }

  async function instances(trigger: string): Promise<TriggerInstance[]> {
    const { body } = await api<TriggerInstance[]>(
      node.url,
      "GET",
      `/triggerinstances?trigger=${trigger}&limit=100`,
    );
    return Array.isArray(body) ? body : [];
  }

  it("Python actions get config values rendered for their user; secrets decrypted and masked", async () => {
    const execution = await run("python_pack.config_digest", {});
    assert.equal(execution.status, "succeeded", JSON.stringify(execution.result));
    assert.deepEqual(execution.result?.result, {
      sha256: createHash("sha256").update(API_KEY).digest("hex"),
      echo: "********",
      region: "eu-of-the-admin",
      greeting: "Hi there",
    });
    assert.equal(execution.result?.stdout, "the key is ********\n");
    const output = await api<string>(node.url, "GET", `/executions/${execution.id}/output`);
    assert.equal(String(output.body).includes(API_KEY), false);
  });

  it("parameter templates read config_context rendered, as actions read self.config", async () => {
    const execution = await run("python_pack.config_param", {});
    assert.equal(execution.status, "succeeded", JSON.stringify(execution.result));
    assert.equal(execution.result?.stdout, "Hi there");
  });

  it("TypeScript actions get the rendered config too", async () => {
    const execution = await run("sensor_pack.greet", { name: "ada" });
    assert.equal(execution.status, "succeeded", JSON.stringify(execution.result));
    const result = execution.result?.result as { greeting?: string };
    assert.equal(result.greeting, "Hello from kv, ADA");
  });

  it("a sensor started after the key was set sees the rendered config", async () => {
    // PyWatcher started with the node, before the key existed: restart it through the API.
    for (const enabled of [false, true]) {
      const put = await api(node.url, "PUT", "/sensortypes/sensor_pack.PyWatcher", { enabled });
      assert.equal(put.status, 200, JSON.stringify(put.body));
    }
    await eventually(
      async () => {
        const seen = await instances("sensor_pack.watch_event");
        return seen.some(
          (i) => i.payload.event === "datastore" && i.payload.config_greeting === "Hello from kv",
        )
          ? true
          : undefined;
      },
      30_000,
      "PyWatcher to report the rendered greeting",
    );
  });

  it("a secret parameter is on no command line; the token dies with the execution", async () => {
    const secret = `s3cr3t-${randomBytes(8).toString("hex")}`;
    const meet = mkdtempSync(join(dir, "meet-"));
    const created = await api<Execution>(node.url, "POST", "/executions", {
      action: "python_pack.hold",
      parameters: { secret, meet },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await eventually(
      async () => (existsSync(join(meet, "started")) ? true : undefined),
      30_000,
      "the action to start",
    );
    const token = readFileSync(join(meet, "token"), "utf8");
    assert.ok(token.length > 0, "the action got a token");
    const during = await fetch(`${node.url}/api/v1/keys`, { headers: { "X-Auth-Token": token } });
    const leaks = allCommandLines().filter(
      (p) => p.cmdline.includes(secret) || p.cmdline.includes(token),
    );
    writeFileSync(join(meet, "go"), "");
    const execution = await finished(created.body.id);
    assert.deepEqual(leaks, []);
    assert.equal(execution.status, "succeeded", JSON.stringify(execution.result));
    assert.equal(execution.result?.result, secret.length);
    assert.equal(during.status, 200, "the token works while the execution runs");
    const afterwards = await fetch(`${node.url}/api/v1/keys`, {
      headers: { "X-Auth-Token": token },
    });
    assert.equal(afterwards.status, 401, "the token is refused once the execution is over");
  });

  it("a sensor crashing on its third poll is respawned and its triggers keep firing the rule", async () => {
    const ticks = await eventually(
      async () => {
        const seen = await instances("sensor_pack.py_tick");
        const pids = new Set(seen.map((i) => i.payload.pid));
        return pids.size >= 2 ? seen : undefined;
      },
      45_000,
      "ticks from two PyCounter processes",
    );
    // Each process ticks 1 and 2, then dies on its third poll.
    for (const tick of ticks)
      assert.ok([1, 2].includes(Number(tick.payload.n)), String(tick.payload.n));
    const exits = await instances("core.st2.sensor.process_exit");
    assert.ok(exits.some((i) => i.payload.id === "PyCounter" && i.payload.exit_code !== 0));
    const spawns = await instances("core.st2.sensor.process_spawn");
    assert.ok(spawns.filter((i) => i.payload.id === "PyCounter").length >= 2);
    // The rule on py_tick keeps running its action across respawns.
    const fired = await eventually(
      async () => {
        const { body } = await api<Execution[]>(
          node.url,
          "GET",
          "/executions?action=sensor_pack.nothing&limit=100",
        );
        return Array.isArray(body) && body.length >= 2 ? body : undefined;
      },
      30_000,
      "the rule's executions",
    );
    assert.ok(fired.length >= 2);
  });
});
