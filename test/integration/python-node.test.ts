/**
 * Python actions through a real `squall up`: the API, the worker, the python-script runner and
 * the action calling back into the API (datastore, webhooks) with the execution's token.
 */

import assert from "node:assert/strict";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readCredentialsFile } from "../../src/engine/auth/bootstrap.ts";
import { FIXTURES } from "../support/fixtures.ts";
import { requirePython } from "../support/python.ts";
import {
  eventually,
  makeHome,
  type SquallProcess,
  startSquall,
} from "../support/squall-process.ts";

interface Execution {
  id: string;
  status: string;
  result?: { result?: unknown; stdout?: string; stderr?: string; exit_code?: number };
}

const TERMINAL = new Set(["succeeded", "failed", "timeout", "canceled", "abandoned"]);

describe("python-script actions on a live node", () => {
  let node: SquallProcess;
  let cleanup = (): void => {};
  let packsDir = "";
  let token = "";

  /** An API call as the administrator (auth is on, as by default). */
  async function api<T = unknown>(
    _base: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${node.url}/api/v1${path}`, {
      method,
      headers: {
        "X-Auth-Token": token,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  before(async () => {
    requirePython();
    packsDir = await mkdtemp(join(tmpdir(), "squall-python-packs-"));
    await cp(join(FIXTURES, "packs", "python_pack"), join(packsDir, "python_pack"), {
      recursive: true,
    });
    const home = makeHome();
    cleanup = home.cleanup;
    node = await startSquall(home.home, {
      SQUALL_PACKS_PATH: packsDir,
      SQUALL_CONFIGS_DIR: join(FIXTURES, "packs", "_configs"),
    });
    const admin = readCredentialsFile(join(home.home, "credentials"));
    assert.ok(admin, "the node wrote the administrator's credentials");
    const login = await fetch(`${node.url}/auth/v1/tokens`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString("base64")}`,
      },
    });
    assert.equal(login.status, 201, await login.clone().text());
    token = ((await login.json()) as { token: string }).token;
  });

  after(async () => {
    await node?.kill("SIGTERM");
    cleanup();
    if (packsDir) await rm(packsDir, { recursive: true, force: true });
  });

  async function run(action: string, parameters: Record<string, unknown>): Promise<Execution> {
    const created = await api<Execution>(node.url, "POST", "/executions", { action, parameters });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return eventually(
      async () => {
        const { body } = await api<Execution>(node.url, "GET", `/executions/${created.body.id}`);
        return TERMINAL.has(body.status) ? body : undefined;
      },
      30_000,
      `execution of ${action} to finish`,
    );
  }

  it("action_service round-trips through the datastore API", async () => {
    const execution = await run("python_pack.datastore", { value: "blue" });
    assert.equal(execution.status, "succeeded", JSON.stringify(execution.result));
    const out = execution.result?.result as Record<string, unknown>;
    assert.deepEqual(
      { ...out, user: undefined },
      {
        set_local: true,
        set_global: true,
        set_secret: true,
        get_local: "blue",
        get_global: "blue-global",
        get_secret_plain: "s3cr3t-blue",
        get_secret_cipher_differs: true,
        get_missing: null,
        listed: ["python_pack.DatastoreRoundTrip:color", "python_pack.DatastoreRoundTrip:token"],
        listed_prefix: ["python_pack.DatastoreRoundTrip:color"],
        delete: true,
        delete_again: false,
        after_delete: null,
        bad_scope: String(out.bad_scope),
        user: undefined,
      },
    );
    assert.match(String(out.bad_scope), /Scope nowhere is unsupported/);
    assert.equal(typeof (out.user as { username?: unknown }).username, "string");
    // The keys really are in the datastore, under the pack/class-local names.
    const global = await api<{ value: string }>(node.url, "GET", "/keys/python_pack_global");
    assert.equal(global.body.value, "blue-global");
    const local = await api(node.url, "GET", "/keys/python_pack.DatastoreRoundTrip%3Acolor");
    assert.equal(local.status, 404);
  });

  it("the node applies parameter defaults and the config schema defaults", async () => {
    const execution = await run("python_pack.return_value", { name: "grace" });
    assert.equal(execution.status, "succeeded", JSON.stringify(execution.result));
    assert.deepEqual(execution.result?.result, {
      name: "grace",
      shouted: "GRACE!",
      count: 4,
      tags: ["a", "b"],
    });
    const config = await run("python_pack.use_config", {});
    assert.deepEqual((config.result?.result as { config?: unknown } | undefined)?.config, {
      region: "eu-west",
      greeting: "hello",
      limits: { burst: 2, retries: 4 },
    });
  });

  it("a failing action is recorded as failed with StackStorm's result shape", async () => {
    const execution = await run("python_pack.fail_tuple", { reason: "nope" });
    assert.equal(execution.status, "failed");
    assert.deepEqual(execution.result, {
      stdout: "",
      stderr: "",
      exit_code: 0,
      result: { reason: "nope" },
    });
  });

  it("core.uuid makes uuid4 by default and uuid1 on request", async () => {
    const v4 = await run("core.uuid", {});
    assert.equal(v4.status, "succeeded", JSON.stringify(v4.result));
    assert.match(
      String(v4.result?.result),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const v1 = await run("core.uuid", { uuid_type: "uuid1" });
    assert.match(String(v1.result?.result), /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-/);
    const bad = await api(node.url, "POST", "/executions", {
      action: "core.uuid",
      parameters: { uuid_type: "uuid7" },
    });
    assert.equal(bad.status, 400);
  });

  it("core.pause sleeps max_pause seconds and returns them", async () => {
    const execution = await run("core.pause", { max_pause: 1 });
    assert.equal(execution.status, "succeeded", JSON.stringify(execution.result));
    assert.equal(execution.result?.result, 1);
  });

  it("core.inject_trigger dispatches the trigger with its trace tag", async () => {
    const tag = `py-inject-${Date.now()}`;
    const execution = await run("core.inject_trigger", {
      trigger: "python_pack.injected",
      payload: { from: "python" },
      trace_tag: tag,
    });
    assert.equal(execution.status, "succeeded", JSON.stringify(execution.result));
    assert.deepEqual(execution.result?.result, {
      trigger: "python_pack.injected",
      payload: { from: "python" },
    });
    const traces = await eventually(
      async () => {
        const { body } = await api<unknown[]>(node.url, "GET", `/traces?trace_tag=${tag}`);
        return Array.isArray(body) && body.length > 0 ? body : undefined;
      },
      10_000,
      "the injected trigger's trace",
    );
    assert.equal(traces.length, 1);
  });
});
