import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ValidationError } from "../../src/core/errors.ts";
import { createRemoteShellCmdRunner } from "../../src/engine/runners/remote-shell.ts";
import { makeRequest, RecordingSink } from "../fixtures/runners/request.ts";
import {
  createTestUser,
  generateKey,
  type KeyPair,
  type Sshd,
  startSshd,
  type TestUser,
} from "../support/sshd.ts";
import {
  allCommandLines,
  eventually,
  hostResult,
  hostResults,
  livePids,
} from "./remote-shell-helpers.ts";

const runner = createRemoteShellCmdRunner({ killGraceMs: 500, defaultKeyFile: null });

describe("remote-shell-cmd against a real sshd", () => {
  let dir = "";
  let key: KeyPair;
  let passKey: KeyPair;
  let strangerKey: KeyPair;
  let a: Sshd;
  let b: Sshd;
  let bastion: Sshd;
  let user: TestUser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "squall-remote-"));
    key = generateKey(dir, "id");
    passKey = generateKey(dir, "id_pass", { type: "rsa", passphrase: "open sesame" });
    strangerKey = generateKey(dir, "id_stranger");
    const keys = [key.publicKey, passKey.publicKey];
    [a, b, bastion] = await Promise.all([
      startSshd({ publicKeys: keys }),
      startSshd({ publicKeys: keys, allowTcpForwarding: false }),
      startSshd({ publicKeys: keys, logLevel: "DEBUG1" }),
    ]);
    user = createTestUser({ sudoWithPassword: true });
  });

  after(async () => {
    user?.remove();
    await Promise.all([a?.stop(), b?.stop(), bastion?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const asRoot = (extra: Record<string, unknown>) => ({
    username: "root",
    private_key: key.privateKey,
    hosts: `127.0.0.1:${a.port}`,
    timeout: 20,
    ...extra,
  });
  const run = (
    parameters: Record<string, unknown>,
    spec: Partial<Parameters<typeof makeRequest>[0]> = {},
  ) => runner.run(makeRequest({ runner: "remote-shell-cmd", parameters, ...spec }));

  it("runs a command on one host; the result is keyed by host name", async () => {
    const sink = new RecordingSink();
    const outcome = await run(asRoot({ cmd: "echo hello; echo oops >&2" }), { sink });
    assert.equal(outcome.status, "succeeded");
    assert.deepEqual(outcome.result, {
      "127.0.0.1": {
        stdout: "hello",
        stderr: "oops",
        return_code: 0,
        succeeded: true,
        failed: false,
      },
    });
    assert.equal(sink.text("stdout"), "hello\n");
    assert.equal(sink.text("stderr"), "oops\n");
  });

  it("decodes JSON output and reports a failing exit code", async () => {
    const ok = await run(asRoot({ cmd: `echo '{"a": [1, 2]}'` }));
    assert.deepEqual(hostResult(ok, "127.0.0.1").stdout, { a: [1, 2] });
    const bad = await run(asRoot({ cmd: "echo nope; exit 3" }));
    assert.equal(bad.status, "failed");
    assert.deepEqual(hostResult(bad, "127.0.0.1"), {
      stdout: "nope",
      stderr: "",
      return_code: 3,
      succeeded: false,
      failed: true,
    });
  });

  it("runs in cwd with env and the ST2_ACTION_* variables exported", async () => {
    const outcome = await run(
      asRoot({
        cmd: 'pwd; printf "%s|" "$GREETING" "$ST2_ACTION_PACK_NAME" "$ST2_ACTION_EXECUTION_ID" "$ST2_ACTION_AUTH_TOKEN"',
        cwd: dir,
        env: { GREETING: `it's "quoted" $HOME \`x\`` },
      }),
    );
    assert.equal(outcome.status, "succeeded");
    assert.equal(
      hostResult(outcome, "127.0.0.1").stdout,
      `${dir}\nit's "quoted" $HOME \`x\`|tests|0123456789abcdef01234567|token-abc|`,
    );
  });

  it("rejects an env variable name the shell cannot export", async () => {
    await assert.rejects(run(asRoot({ cmd: "true", env: { "BAD-NAME": "x" } })), ValidationError);
  });

  it("runs on several hosts; names with one port each keep the bare host key", async () => {
    const sink = new RecordingSink();
    const outcome = await run(
      asRoot({
        hosts: "127.0.0.1, localhost",
        port: a.port,
        cmd: "echo $SSH_CONNECTION | cut -d' ' -f4",
      }),
      { sink },
    );
    assert.equal(outcome.status, "succeeded");
    assert.deepEqual(Object.keys(hostResults(outcome)).sort(), ["127.0.0.1", "localhost"]);
    assert.equal(hostResult(outcome, "localhost").stdout, a.port);
    assert.match(sink.text("stdout"), new RegExp(`^\\[localhost\\] ${a.port}$`, "m"));
    assert.match(sink.text("stdout"), new RegExp(`^\\[127\\.0\\.0\\.1\\] ${a.port}$`, "m"));
  });

  /** Each host drops a file, then waits (bounded) until both hosts' files exist. */
  function rendezvousCmd(meeting: string): string {
    return [
      `p=$(echo $SSH_CONNECTION | cut -d' ' -f4); touch ${meeting}/$p`,
      `for i in $(seq 60); do [ $(ls ${meeting} | wc -l) -ge 2 ] && exit 0; sleep 0.1; done`,
      "exit 7",
    ].join("; ");
  }

  it("parallel: true runs the hosts at the same time", async () => {
    const meeting = mkdtempSync(join(dir, "meet-"));
    const outcome = await run(
      asRoot({
        hosts: `127.0.0.1:${a.port},127.0.0.1:${b.port}`,
        parallel: true,
        cmd: rendezvousCmd(meeting),
      }),
    );
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    // Same host name on two ports: the keys carry the port so neither result is lost.
    assert.deepEqual(
      Object.keys(hostResults(outcome)).sort(),
      [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`].sort(),
    );
  });

  it("parallel: false runs the hosts one after the other", async () => {
    const meeting = mkdtempSync(join(dir, "meet-"));
    const outcome = await run(
      asRoot({ hosts: `127.0.0.1:${a.port},127.0.0.1:${b.port}`, cmd: rendezvousCmd(meeting) }),
    );
    assert.equal(outcome.status, "failed");
    assert.equal(hostResult(outcome, `127.0.0.1:${a.port}`).return_code, 7);
    assert.equal(hostResult(outcome, `127.0.0.1:${b.port}`).return_code, 0);
  });

  it("logs in with a passphrase-protected key given as a file path", async () => {
    const outcome = await run(
      asRoot({ private_key: passKey.privateKeyPath, passphrase: "open sesame", cmd: "whoami" }),
    );
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    assert.equal(hostResult(outcome, "127.0.0.1").stdout, "root");
  });

  it("an encrypted key without its passphrase fails before connecting", async () => {
    const outcome = await run(asRoot({ private_key: passKey.privateKey, cmd: "true" }));
    assert.equal(outcome.status, "failed");
    const result = outcome.result as Record<string, unknown>;
    assert.match(String(result.error), /passphrase protected/);
    assert.equal(typeof result.traceback, "string");
  });

  it("uses the configured default key file and user when the action gives none", async () => {
    const withDefaults = createRemoteShellCmdRunner({
      defaultUser: "root",
      defaultKeyFile: key.privateKeyPath,
    });
    const outcome = await withDefaults.run(
      makeRequest({
        runner: "remote-shell-cmd",
        parameters: { hosts: `127.0.0.1:${a.port}`, cmd: "whoami" },
      }),
    );
    assert.equal(hostResult(outcome, "127.0.0.1").stdout, "root");
  });

  it("logs in with a password", async () => {
    const outcome = await run({
      hosts: `127.0.0.1:${a.port}`,
      username: user.name,
      password: user.password,
      cmd: "whoami",
    });
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    assert.equal(hostResult(outcome, "127.0.0.1").stdout, user.name);
  });

  it("a key the server does not know fails the action when no host connects", async () => {
    const outcome = await run(asRoot({ private_key: strangerKey.privateKey, cmd: "true" }));
    assert.equal(outcome.status, "failed");
    const result = outcome.result as Record<string, unknown>;
    assert.deepEqual(Object.keys(result).sort(), ["error", "traceback"]);
    assert.match(String(result.error), /Unable to connect to any one of the hosts/);
  });

  it("a host that cannot be reached fails alone; the others still run", async () => {
    const outcome = await run(
      asRoot({ hosts: `127.0.0.1:${a.port},127.0.0.1:1`, cmd: "echo fine" }),
    );
    assert.equal(outcome.status, "failed");
    assert.equal(hostResult(outcome, `127.0.0.1:${a.port}`).stdout, "fine");
    const down = hostResult(outcome, "127.0.0.1:1");
    assert.equal(down.failed, true);
    assert.equal(down.succeeded, false);
    assert.equal(down.return_code, 255);
    assert.equal(down.timeout, false);
    assert.match(String(down.error), /^Failed connecting to host 127\.0\.0\.1\./);
  });

  it("goes through a bastion host", async () => {
    const outcome = await run(
      asRoot({ bastion_host: `127.0.0.1:${bastion.port}`, cmd: "echo via bastion" }),
    );
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    assert.equal(hostResult(outcome, "127.0.0.1").stdout, "via bastion");
    assert.match(
      bastion.log(),
      new RegExp(`direct_tcpip: .*target 127\\.0\\.0\\.1 port ${a.port}\\b`),
    );
  });

  it("a bastion that refuses forwarding fails the host", async () => {
    const outcome = await run(asRoot({ bastion_host: `127.0.0.1:${b.port}`, cmd: "true" }));
    assert.equal(outcome.status, "failed");
    assert.match(String((outcome.result as Record<string, unknown>).error), /bastion host/);
  });

  it("sudo runs the command as root, with env and cwd", async () => {
    const outcome = await run(
      asRoot({
        sudo: true,
        cmd: 'id -u; pwd; echo "$GREETING"',
        cwd: "/",
        env: { GREETING: "hi there" },
      }),
    );
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    assert.equal(hostResult(outcome, "127.0.0.1").stdout, "0\n/\nhi there");
  });

  it("sudo with a password: the password goes to sudo, not to the command", async () => {
    const outcome = await run({
      hosts: `127.0.0.1:${a.port}`,
      username: user.name,
      password: user.password,
      sudo: true,
      sudo_password: user.password,
      cmd: "id -u; cat; echo end",
    });
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    assert.equal(hostResult(outcome, "127.0.0.1").stdout, "0\nend");
  });

  it("sudo with a wrong password fails", async () => {
    const outcome = await run({
      hosts: `127.0.0.1:${a.port}`,
      username: user.name,
      password: user.password,
      sudo: true,
      sudo_password: "not-the-password",
      cmd: "id -u",
    });
    assert.equal(outcome.status, "failed");
    const r = hostResult(outcome, "127.0.0.1");
    assert.notEqual(r.return_code, 0);
    assert.notEqual(r.stdout, 0);
  });

  it("timeout: the host times out, the status is timeout, the remote process is killed", async () => {
    const marker = `${40 + Math.floor(Math.random() * 50)}.${Date.now() % 100000}`;
    const sink = new RecordingSink();
    const outcome = await run(asRoot({ cmd: `echo started; sleep ${marker}`, timeout: 1 }), {
      sink,
    });
    assert.equal(outcome.status, "timeout");
    const r = hostResult(outcome, "127.0.0.1");
    assert.equal(r.timeout, true);
    assert.equal(r.return_code, -9);
    assert.equal(r.succeeded, false);
    assert.equal(r.stdout, "started");
    assert.match(String(r.error), /didn't finish in 1 seconds/);
    assert.ok(await eventually(() => livePids(`sleep ${marker}`).length === 0), "sleep survived");
  });

  it("one host timing out and one failing is a failure, not a timeout", async () => {
    const outcome = await run(
      asRoot({
        hosts: `127.0.0.1:${a.port},127.0.0.1:${b.port}`,
        parallel: true,
        cmd: `[ "$(echo $SSH_CONNECTION | cut -d' ' -f4)" = ${a.port} ] && sleep 30; exit 1`,
        timeout: 1,
      }),
    );
    assert.equal(outcome.status, "failed");
    assert.equal(hostResult(outcome, `127.0.0.1:${a.port}`).timeout, true);
    assert.equal(hostResult(outcome, `127.0.0.1:${b.port}`).return_code, 1);
  });

  it("cancel closes the channel and kills the remote process", async () => {
    const marker = `${40 + Math.floor(Math.random() * 50)}.${(Date.now() + 7) % 100000}`;
    const controller = new AbortController();
    const sink = new RecordingSink();
    sink.onWrite((_type, data) => {
      if (data.includes("started")) controller.abort();
    });
    const outcome = await run(asRoot({ cmd: `echo started; sleep ${marker}` }), {
      sink,
      signal: controller.signal,
    });
    assert.equal(outcome.status, "canceled");
    assert.equal(hostResult(outcome, "127.0.0.1").error, "Action was canceled");
    assert.ok(await eventually(() => livePids(`sleep ${marker}`).length === 0), "sleep survived");
  });

  it("no secret appears on any process's command line, here or on the remote side", async () => {
    const secret = `s3cr3t-${randomBytes(6).toString("hex")}`;
    const token = `tok-${randomBytes(6).toString("hex")}`;
    const meet = mkdtempSync(join(dir, "secret-"));
    const request = makeRequest({
      runner: "remote-shell-cmd",
      parameters: {
        hosts: `127.0.0.1:${a.port}`,
        username: user.name,
        password: user.password,
        sudo: true,
        sudo_password: user.password,
        env: { MY_SECRET: secret },
        cmd: `echo "$MY_SECRET $ST2_ACTION_AUTH_TOKEN" > ${meet}/seen; for i in $(seq 200); do [ -e ${meet}/go ] && break; sleep 0.1; done; id -u`,
      },
    });
    request.authToken = token;
    const running = runner.run(request);
    assert.ok(await eventually(() => existsSync(join(meet, "seen"))), "command never started");
    const leaks = allCommandLines().filter(
      (p) =>
        p.cmdline.includes(secret) ||
        p.cmdline.includes(token) ||
        p.cmdline.includes(user.password),
    );
    writeFileSync(join(meet, "go"), "");
    const outcome = await running;
    assert.deepEqual(leaks, []);
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    assert.equal(readFileSync(join(meet, "seen"), "utf8"), `${secret} ${token}\n`);
    assert.equal(hostResult(outcome, "127.0.0.1").stdout, 0);
  });

  it("rejects bad hosts and ports with a ValidationError", async () => {
    await assert.rejects(run(asRoot({ hosts: " , ", cmd: "true" })), ValidationError);
    await assert.rejects(run(asRoot({ hosts: "h:notaport", cmd: "true" })), ValidationError);
    await assert.rejects(run(asRoot({ cmd: "" })), ValidationError);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith("sq")),
      [],
    );
  });
});
