/**
 * End to end: the real `squall` CLI against a real `squall up` on a loopback port with its own
 * SQLite file. Covers the CLI surface and the behaviour users see.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Execution } from "../../src/core/execution/model.ts";
import { squall } from "../support/cli.ts";
import { FIXTURES } from "../support/fixtures.ts";
import { api, authHeaders, eventually, useSquallNode } from "../support/squall-process.ts";

describe("squall CLI against a running server", () => {
  const running = useSquallNode({ SQUALL_PACKS_PATH: `${FIXTURES}/e2e` });

  it("runs an action and waits for its result", async () => {
    const res = await squall(running.node.url, [
      "run",
      "core.echo",
      "message=hello from squall",
      "--json",
    ]);
    assert.equal(res.code, 0, res.stderr);
    const execution = JSON.parse(res.stdout) as Execution;
    assert.equal(execution.status, "succeeded");
    assert.deepEqual((execution.result as { stdout: string }).stdout, "hello from squall");
    assert.deepEqual(
      execution.log.map((l) => l.status),
      ["requested", "scheduled", "running", "succeeded"],
    );
  });

  it("exits non-zero when the action fails", async () => {
    const res = await squall(running.node.url, ["run", "core.local", "cmd=echo oops >&2; exit 3"]);
    assert.notEqual(res.code, 0);
    assert.match(res.stdout, /status: failed/);
    assert.match(res.stdout, /return_code: 3/);
  });

  it("returns at once with --async, and the execution can be read back", async () => {
    const res = await squall(running.node.url, [
      "run",
      "core.local",
      "cmd=sleep 0.2; echo later",
      "--async",
      "--json",
    ]);
    assert.equal(res.code, 0, res.stderr);
    const { id, status } = JSON.parse(res.stdout) as Execution;
    assert.ok(["requested", "scheduled", "running"].includes(status), status);
    const done = await eventually(
      async () => {
        const got = await squall(running.node.url, ["execution", "get", id, "--json"]);
        const e = JSON.parse(got.stdout) as Execution;
        return e.status === "succeeded" ? e : undefined;
      },
      15_000,
      "the async execution to succeed",
    );
    assert.equal((done.result as { stdout: string }).stdout, "later");
  });

  it("tails output live, in order, until the execution completes", async () => {
    const started = await squall(running.node.url, [
      "run",
      "core.local",
      "cmd=for i in 1 2 3 4; do echo tick-$i; sleep 0.2; done",
      "--async",
      "--json",
    ]);
    const { id } = JSON.parse(started.stdout) as Execution;
    const tail = await squall(running.node.url, ["execution", "tail", id]);
    assert.equal(tail.code, 0, tail.stderr);
    assert.equal(tail.stdout, "tick-1\ntick-2\ntick-3\ntick-4\n");
  });

  it("cancels a running execution and kills its process", async () => {
    const started = await squall(running.node.url, [
      "run",
      "core.local",
      "cmd=sleep 30",
      "--async",
      "--json",
    ]);
    const { id } = JSON.parse(started.stdout) as Execution;
    await eventually(
      async () =>
        (await api<Execution>(running.node.url, "GET", `/executions/${id}`)).body.status ===
        "running"
          ? true
          : undefined,
      10_000,
      "the execution to run",
    );
    const res = await squall(running.node.url, ["execution", "cancel", id]);
    assert.equal(res.code, 0, res.stderr);
    const done = await eventually(
      async () => {
        const e = (await api<Execution>(running.node.url, "GET", `/executions/${id}`)).body;
        return e.status === "canceled" ? e : undefined;
      },
      10_000,
      "the execution to be canceled",
    );
    assert.deepEqual(
      done.log.map((l) => l.status),
      ["requested", "scheduled", "running", "canceling", "canceled"],
    );
  });

  it("lists executions newest first with a total", async () => {
    const res = await api<Execution[]>(running.node.url, "GET", "/executions?limit=2");
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 2);
    assert.ok(Number(res.headers.get("x-total-count")) >= 4);
    assert.ok((res.body[0]?.id ?? "") > (res.body[1]?.id ?? ""));
    const table = await squall(running.node.url, ["execution", "list", "-n", "3"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /core\.local/);
  });

  it("lists and shows actions", async () => {
    const list = await squall(running.node.url, ["action", "list", "--pack", "core", "--json"]);
    const refs = (JSON.parse(list.stdout) as Array<{ ref: string }>).map((a) => a.ref);
    for (const ref of [
      "core.local",
      "core.local_sudo",
      "core.noop",
      "core.echo",
      "core.error",
      "core.http",
    ])
      assert.ok(refs.includes(ref), `${ref} missing from ${refs.join(",")}`);
    const get = await squall(running.node.url, ["action", "get", "core.http", "--json"]);
    const action = JSON.parse(get.stdout) as {
      runner_type: string;
      parameters: Record<string, unknown>;
    };
    assert.equal(action.runner_type, "http-request");
    assert.ok(action.parameters.method);
    const missing = await squall(running.node.url, ["action", "get", "core.nope"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /squall action list/);
  });

  it("renders parameters from other parameters and the action context", async () => {
    const res = await squall(running.node.url, [
      "run",
      "secrets_pack.templated",
      "count=3",
      "--json",
    ]);
    assert.equal(res.code, 0, res.stderr);
    const e = JSON.parse(res.stdout) as Execution;
    assert.equal((e.result as { stdout: string }).stdout, "hello x3 from secrets_pack");
  });

  it("refuses bad parameters before anything runs, naming the parameter", async () => {
    const immutable = await api<{ faultstring: string }>(running.node.url, "POST", "/executions", {
      action: "core.echo",
      parameters: { message: "x", cmd: "rm -rf /" },
    });
    assert.equal(immutable.status, 400);
    assert.match(immutable.body.faultstring, /immutable/);
    const wrongType = await api<{ faultstring: string }>(running.node.url, "POST", "/executions", {
      action: "core.local",
      parameters: { cmd: "true", timeout: "soon" },
    });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body.faultstring, /timeout/);
    const missing = await api<{ faultstring: string }>(running.node.url, "POST", "/executions", {
      action: "core.echo",
      parameters: {},
    });
    assert.equal(missing.status, 400);
    assert.match(missing.body.faultstring, /message/);
  });

  it("answers malformed requests with 400 and a reason", async () => {
    const res = await fetch(`${running.node.url}/api/v1/executions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await authHeaders(running.node.url)) },
      body: "{not json",
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { faultstring: string };
    assert.ok(body.faultstring.length > 0);
    const unknown = await api<{ faultstring: string }>(running.node.url, "POST", "/executions", {
      action: "nope.nothing",
    });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.faultstring, /nope\.nothing/);
  });

  it("masks secret parameters in responses, output and logs, and keeps them off argv", async () => {
    const secret = "hunter2-very-secret";
    const res = await squall(running.node.url, [
      "run",
      "secrets_pack.login",
      "user=alice",
      `password=${secret}`,
      "--json",
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.ok(!res.stdout.includes(secret), res.stdout);
    const e = JSON.parse(res.stdout) as Execution;
    assert.equal(e.parameters.password, "********");
    assert.equal((e.result as { stdout: string }).stdout, "user=alice\npassword=********");
    assert.equal((e.result as { stderr: string }).stderr, "args=alice");
    const output = await api<string>(
      running.node.url,
      "GET",
      `/executions/${e.id}/output?format=text`,
    );
    assert.ok(!output.body.includes(secret));
    assert.match(output.body, /password=\*{8}/);
    const listed = await api<Execution[]>(
      running.node.url,
      "GET",
      "/executions?action=secrets_pack.login",
    );
    assert.ok(!JSON.stringify(listed.body).includes(secret));
    assert.ok(
      !running.node.output().includes(secret),
      "the server log must not contain the secret",
    );
  });

  it("registers a pack and reports what failed with file, field and line", async () => {
    const res = await squall(running.node.url, [
      "pack",
      "register",
      `${FIXTURES}/packs/fixture_pack`,
    ]);
    assert.equal(res.code, 1, "errors in the pack make the command fail");
    assert.match(res.stdout + res.stderr, /bad_param_type\.yaml:\d+/);
    const list = await squall(running.node.url, [
      "action",
      "list",
      "--pack",
      "fixture_pack",
      "--json",
    ]);
    const refs = (JSON.parse(list.stdout) as Array<{ ref: string }>).map((a) => a.ref);
    assert.ok(refs.includes("fixture_pack.greet"), refs.join(","));
    const again = await squall(running.node.url, [
      "pack",
      "register",
      `${FIXTURES}/packs/fixture_pack`,
      "--json",
    ]);
    const second = JSON.parse(again.stdout) as { packs: Array<{ pruned: number }> };
    assert.equal(second.packs[0]?.pruned, 0, "registering twice changes nothing");
    const packs = await squall(running.node.url, ["pack", "list"]);
    assert.match(packs.stdout, /fixture_pack/);
    assert.match(packs.stdout, /core/);
  });
});
