import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ParameterSchema } from "../../src/core/content/model.ts";
import { BUILTIN_RUNNER_TYPES } from "../../src/core/content/runner-types.ts";
import { ValidationError } from "../../src/core/errors.ts";
import { createRemoteShellScriptRunner } from "../../src/engine/runners/remote-shell.ts";
import { makeRequest, RecordingSink } from "../fixtures/runners/request.ts";
import {
  createTestUser,
  generateKey,
  type KeyPair,
  type Sshd,
  startSshd,
  type TestUser,
} from "../support/sshd.ts";
import { allCommandLines, eventually, hostResult, livePids } from "./remote-shell-helpers.ts";

const runner = createRemoteShellScriptRunner({ killGraceMs: 500, defaultKeyFile: null });
const RUNNER_SCHEMA =
  BUILTIN_RUNNER_TYPES.find((r) => r.name === "remote-shell-script")?.runner_parameters ?? {};
const EXECUTION_ID = "0123456789abcdef01234567";

const ACTION_SCHEMA: ParameterSchema = {
  first: { type: "string", position: 0 },
  second: { type: "boolean", position: 1 },
  token: { type: "string", position: 2, secret: true },
  name: { type: "string" },
  verbose: { type: "boolean" },
  api_key: { type: "string", secret: true },
};

describe("remote-shell-script against a real sshd", () => {
  let dir = "";
  let pack = "";
  let key: KeyPair;
  let sshd: Sshd;
  let user: TestUser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "squall-remote-script-"));
    pack = join(dir, "pack", "actions");
    mkdirSync(join(pack, "lib", "nested"), { recursive: true });
    writeFileSync(join(pack, "lib", "nested", "helper.sh"), "helper_says() { echo helper ok; }\n");
    writeFileSync(
      join(pack, "show.sh"),
      [
        "#!/bin/bash",
        '. "$(dirname "$0")/lib/nested/helper.sh"',
        'for a in "$@"; do echo "arg=$a"; done',
        'echo "secret-token=$ST2_ACTION_SECRET_TOKEN"',
        'echo "secret-key=$ST2_ACTION_SECRET_API_KEY"',
        'echo "pwd=$(pwd) uid=$(id -u) script=$0"',
        "helper_says",
        'if [ -n "$NAP" ]; then sleep "$NAP"; fi',
        "",
      ].join("\n"),
    );
    key = generateKey(dir, "id");
    sshd = await startSshd({ publicKeys: [key.publicKey] });
    user = createTestUser({ sudoWithPassword: true });
    // The throwaway user must be able to read the fixture and write the remote dir.
    chmodSync(dir, 0o755);
  });

  after(async () => {
    user?.remove();
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function request(
    parameters: Record<string, unknown>,
    extra: { signal?: AbortSignal; sink?: RecordingSink } = {},
  ) {
    const req = makeRequest({
      runner: "remote-shell-script",
      parameters: {
        hosts: `127.0.0.1:${sshd.port}`,
        username: "root",
        private_key: key.privateKey,
        timeout: 20,
        ...parameters,
      },
      actionSchema: ACTION_SCHEMA,
      runnerSchema: RUNNER_SCHEMA,
      secretNames: ["token", "api_key", "password", "private_key", "passphrase", "sudo_password"],
      entryPoint: "show.sh",
      ...extra,
    });
    return { ...req, entryPointPath: join(pack, "show.sh") };
  }

  it("copies the script and its lib, passes named and positional args, keeps secrets off argv", async () => {
    const remoteBase = mkdtempSync(join(dir, "remote-"));
    const outcome = await runner.run(
      request({
        first: "one two",
        second: true,
        token: "tok-secret",
        name: "x'y",
        verbose: true,
        api_key: "k-secret",
        dir: remoteBase,
        cwd: dir,
      }),
    );
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    const stdout = String(hostResult(outcome, "127.0.0.1").stdout);
    assert.equal(
      stdout,
      [
        "arg=--name=x'y",
        "arg=--verbose",
        "arg=one two",
        "arg=1",
        "arg=",
        "secret-token=tok-secret",
        "secret-key=k-secret",
        `pwd=${dir} uid=0 script=${remoteBase}/${EXECUTION_ID}/show.sh`,
        "helper ok",
      ].join("\n"),
    );
    // The run's directory is gone afterwards.
    assert.equal(existsSync(join(remoteBase, EXECUTION_ID)), false);
  });

  it("runs the script through sudo with a password as another user", async () => {
    const remoteBase = mkdtempSync(join(dir, "remote-"));
    chmodSync(remoteBase, 0o777);
    const outcome = await runner.run(
      request({
        username: user.name,
        password: user.password,
        private_key: null,
        sudo: true,
        sudo_password: user.password,
        first: "a",
        dir: remoteBase,
        cwd: "/",
      }),
    );
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    assert.match(String(hostResult(outcome, "127.0.0.1").stdout), /^pwd=\/ uid=0 /m);
    assert.equal(existsSync(join(remoteBase, EXECUTION_ID)), false);
  });

  it("a copy that fails is that host's error and nothing runs", async () => {
    const outcome = await runner.run(request({ dir: join(dir, "no", "such", "dir") }));
    assert.equal(outcome.status, "failed");
    const r = hostResult(outcome, "127.0.0.1");
    assert.equal(r.return_code, 255);
    assert.match(
      String(r.error),
      /^Failed sending file\(s\) in path .*show\.sh to host 127\.0\.0\.1/,
    );
  });

  it("timeout kills the script and still removes the run's directory", async () => {
    const remoteBase = mkdtempSync(join(dir, "remote-"));
    const nap = `${50 + Math.floor(Math.random() * 40)}.${Date.now() % 10000}`;
    const outcome = await runner.run(request({ timeout: 1, dir: remoteBase, env: { NAP: nap } }));
    assert.equal(outcome.status, "timeout", JSON.stringify(outcome.result));
    assert.equal(hostResult(outcome, "127.0.0.1").return_code, -9);
    assert.ok(await eventually(() => livePids(`sleep ${nap}`).length === 0), "sleep survived");
    assert.equal(existsSync(join(remoteBase, EXECUTION_ID)), false);
  });

  it("cancel stops the script", async () => {
    const controller = new AbortController();
    const sink = new RecordingSink();
    const nap = `${50 + Math.floor(Math.random() * 40)}.${(Date.now() + 3) % 10000}`;
    let leaks: string[] | null = null;
    sink.onWrite((_t, data) => {
      if (!data.includes("helper ok")) return;
      // The script is alive (about to sleep) with the secret in its environment, not its argv.
      leaks = allCommandLines()
        .filter((p) => p.cmdline.includes("tok-secret"))
        .map((p) => p.cmdline);
      controller.abort();
    });
    const outcome = await runner.run(
      request({ token: "tok-secret", env: { NAP: nap } }, { signal: controller.signal, sink }),
    );
    assert.equal(outcome.status, "canceled");
    assert.ok(await eventually(() => livePids(`sleep ${nap}`).length === 0), "sleep survived");
    assert.deepEqual(leaks, []);
  });

  it("an action without entry_point is rejected", async () => {
    const req = request({});
    await assert.rejects(
      runner.run({ ...req, action: { ...req.action, entry_point: "" }, entryPointPath: null }),
      ValidationError,
    );
  });
});
