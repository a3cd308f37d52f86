/**
 * The SSH runners through a real `squall up` and a real OpenSSH server on a loopback port:
 * `squall run core.remote` with the node's default SSH user and key, core.remote_sudo with a
 * password and a sudo password (which reach no process's command line), linux pack actions
 * (a command, a script, wait_for_ssh), and results keyed by host as StackStorm returns them.
 */

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { squall } from "../support/cli.ts";
import {
  api,
  eventually,
  makeHome,
  type SquallProcess,
  startSquall,
} from "../support/squall-process.ts";
import {
  createTestUser,
  generateKey,
  type KeyPair,
  type Sshd,
  startSshd,
  type TestUser,
} from "../support/sshd.ts";
import { allCommandLines } from "./remote-shell-helpers.ts";

interface HostResult {
  stdout: unknown;
  stderr: string;
  return_code: number;
  succeeded: boolean;
  failed: boolean;
}
interface Execution {
  id: string;
  status: string;
  parameters?: Record<string, unknown>;
  result?: Record<string, unknown>;
}

const TERMINAL = new Set(["succeeded", "failed", "timeout", "canceled", "abandoned"]);

describe("SSH actions on a live node", () => {
  let dir = "";
  let key: KeyPair;
  let sshd: Sshd;
  let user: TestUser;
  let node: SquallProcess;
  let cleanup = (): void => {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "squall-ssh-node-"));
    key = generateKey(dir, "id");
    sshd = await startSshd({ publicKeys: [key.publicKey] });
    user = createTestUser({ sudoWithPassword: true });
    const home = makeHome();
    cleanup = home.cleanup;
    // The node's system user and key are what remote actions use when they name none.
    node = await startSquall(home.home, {
      SQUALL_SYSTEM_USER: "root",
      SQUALL_SSH_KEY_FILE: key.privateKeyPath,
    });
  });

  after(async () => {
    await node?.kill("SIGTERM");
    cleanup();
    user?.remove();
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function run(action: string, parameters: Record<string, unknown>): Promise<Execution> {
    const created = await api<Execution>(node.url, "POST", "/executions", { action, parameters });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return finished(created.body.id);
  }

  /** The one host's entry of a remote action's result. */
  function onHost(execution: Execution): HostResult {
    const host = execution.result?.["127.0.0.1"];
    assert.ok(host, `no result for 127.0.0.1: ${JSON.stringify(execution.result)}`);
    return host as HostResult;
  }

  function finished(id: string): Promise<Execution> {
    return eventually(
      async () => {
        const { body } = await api<Execution>(node.url, "GET", `/executions/${id}`);
        return TERMINAL.has(body.status) ? body : undefined;
      },
      60_000,
      `execution ${id} to finish`,
    );
  }

  it("squall run core.remote: the node's SSH user and key, the result keyed by host", async () => {
    const cli = await squall(node.url, [
      "run",
      "core.remote",
      `hosts=127.0.0.1:${sshd.port}`,
      "cmd=echo hello from $(id -un); echo to-stderr >&2",
      "--json",
    ]);
    assert.equal(cli.code, 0, cli.stderr + cli.stdout);
    const execution = JSON.parse(cli.stdout) as Execution;
    assert.equal(execution.status, "succeeded");
    assert.deepEqual(execution.result, {
      "127.0.0.1": {
        stdout: "hello from root",
        stderr: "to-stderr",
        return_code: 0,
        succeeded: true,
        failed: false,
      },
    });
  });

  it("a failing command fails the execution, with the host's result", async () => {
    const execution = await run("core.remote", {
      hosts: `127.0.0.1:${sshd.port}`,
      cmd: "echo nope >&2; exit 3",
    });
    assert.equal(execution.status, "failed");
    const host = onHost(execution);
    assert.equal(host.return_code, 3);
    assert.equal(host.stderr, "nope");
    assert.equal(host.failed, true);
  });

  it("core.remote_sudo with passwords that reach no process's command line", async () => {
    const meet = mkdtempSync(join(dir, "sudo-"));
    const created = await api<Execution>(node.url, "POST", "/executions", {
      action: "core.remote_sudo",
      parameters: {
        hosts: `127.0.0.1:${sshd.port}`,
        username: user.name,
        password: user.password,
        sudo_password: user.password,
        cmd: `touch ${meet}/started; for i in $(seq 200); do [ -e ${meet}/go ] && break; sleep 0.1; done; id -u`,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await eventually(
      async () => (existsSync(join(meet, "started")) ? true : undefined),
      30_000,
      "the remote command to start",
    );
    const leaks = allCommandLines().filter((p) => p.cmdline.includes(user.password));
    writeFileSync(join(meet, "go"), "");
    const execution = await finished(created.body.id);
    assert.deepEqual(leaks, [], "a password was on a command line");
    assert.equal(execution.status, "succeeded", JSON.stringify(execution.result));
    // Root through sudo; the password is masked wherever the API shows the parameters.
    assert.equal(onHost(execution).stdout, 0);
    assert.equal(execution.parameters?.password, "********");
    assert.equal(execution.parameters?.sudo_password, "********");
  });

  it("linux.file_touch (a command) and linux.check_loadavg (a script) run on the host", async () => {
    const file = join(dir, `touched-${randomBytes(4).toString("hex")}`);
    const touch = await run("linux.file_touch", { hosts: `127.0.0.1:${sshd.port}`, file });
    assert.equal(touch.status, "succeeded", JSON.stringify(touch.result));
    assert.match(readFileSync(file, "utf8"), /^\d+\n$/);
    const load = await run("linux.check_loadavg", {
      hosts: `127.0.0.1:${sshd.port}`,
      period: "all",
    });
    assert.equal(load.status, "succeeded", JSON.stringify(load.result));
    const stdout = onHost(load).stdout as Record<string, string>;
    assert.deepEqual(Object.keys(stdout).sort(), ["1", "15", "5"]);
    for (const value of Object.values(stdout)) assert.ok(Number.isFinite(Number(value)));
  });

  it("linux.wait_for_ssh logs in, and gives up after its retries on a closed port", async () => {
    const ok = await run("linux.wait_for_ssh", {
      hostname: "127.0.0.1",
      port: sshd.port,
      username: "root",
      keyfile: key.privateKeyPath,
    });
    assert.equal(ok.status, "succeeded", JSON.stringify(ok.result));
    assert.equal(ok.result?.result, true);

    const wrongUser = await run("linux.wait_for_ssh", {
      hostname: "127.0.0.1",
      port: sshd.port,
      username: user.name,
      password: "not-the-password",
      retries: 1,
      sleep_delay: 0,
    });
    assert.equal(wrongUser.status, "failed");
    assert.match(String(wrongUser.result?.stderr), /attempt 1 failed \(.*authentication/i);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gaveUp = await run("linux.wait_for_ssh", {
      hostname: "127.0.0.1",
      port,
      username: "root",
      keyfile: key.privateKeyPath,
      retries: 2,
      sleep_delay: 0,
    });
    assert.equal(gaveUp.status, "failed");
    assert.match(String(gaveUp.result?.error), /Exceeded max retries \(2\)/);
    assert.match(String(gaveUp.result?.stderr), /attempt 2 failed/);
  });
});
