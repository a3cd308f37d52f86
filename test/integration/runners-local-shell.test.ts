import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ValidationError } from "../../src/core/errors.ts";
import type { RunnerOutcome } from "../../src/engine/runners/contract.ts";
import {
  createLocalShellCmdRunner,
  createLocalShellScriptRunner,
} from "../../src/engine/runners/local-shell.ts";
import { FIXTURES, makeRequest, RecordingSink } from "../fixtures/runners/request.ts";

const cmdRunner = createLocalShellCmdRunner({ killGraceMs: 500 });
const scriptRunner = createLocalShellScriptRunner({ killGraceMs: 500 });

function runCmd(
  parameters: Record<string, unknown>,
  extra: { signal?: AbortSignal; sink?: RecordingSink } = {},
) {
  return cmdRunner.run(makeRequest({ runner: "local-shell-cmd", parameters, ...extra }));
}

function result(outcome: RunnerOutcome): Record<string, unknown> {
  return outcome.result as Record<string, unknown>;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "squall-runner-"));
}

/** Alive means present and not a zombie (PID 1 in a container may never reap it). */
/**
 * A signalled process closes its pipes (which ends the action) a moment before the kernel marks it
 * a zombie, so "dead" is awaited for a bounded time rather than read once.
 */
async function diesSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

function allCmdlines(): string[] {
  const out: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      out.push(readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " "));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

describe("local-shell-cmd", () => {
  it("succeeds with StackStorm's result shape and one trailing newline stripped", async () => {
    const outcome = await runCmd({ cmd: "printf 'hello\\n\\n'; echo oops >&2" });
    assert.equal(outcome.status, "succeeded");
    assert.deepEqual(outcome.result, {
      failed: false,
      succeeded: true,
      return_code: 0,
      stdout: "hello\n",
      stderr: "oops",
    });
  });

  it("fails with the exit code and keeps stderr", async () => {
    const outcome = await runCmd({ cmd: "echo bad >&2; exit 3" });
    assert.equal(outcome.status, "failed");
    assert.equal(result(outcome).return_code, 3);
    assert.equal(result(outcome).succeeded, false);
    assert.equal(result(outcome).failed, true);
    assert.equal(result(outcome).stderr, "bad");
  });

  it("decodes JSON output as StackStorm does", async () => {
    const outcome = await runCmd({ cmd: `echo '{"a": [1, 2]}'` });
    assert.deepEqual(result(outcome).stdout, { a: [1, 2] });
  });

  it("runs bash (not sh)", async () => {
    const outcome = await runCmd({ cmd: "[[ -n $BASH_VERSION ]] && echo bash" });
    assert.equal(result(outcome).stdout, "bash");
  });

  it("provides ST2_ACTION_* variables and the env parameter, without SQUALL_* settings", async () => {
    process.env.SQUALL_TEST_SETTING = "hidden";
    try {
      const outcome = await runCmd({
        cmd: 'echo "$ST2_ACTION_PACK_NAME|$ST2_ACTION_EXECUTION_ID|$ST2_ACTION_API_URL|$ST2_ACTION_AUTH_TOKEN|$ST2_ACTION_DEBUG|$MY_VAR|$NUM|$(printenv SQUALL_TEST_SETTING || echo unset)"',
        env: { MY_VAR: "my value", NUM: 5 },
      });
      assert.equal(
        result(outcome).stdout,
        "tests|0123456789abcdef01234567|http://127.0.0.1:9101/v1|token-abc|False|my value|5|unset",
      );
    } finally {
      delete process.env.SQUALL_TEST_SETTING;
    }
  });

  it("runs in cwd", async () => {
    const dir = realpathSync(tempDir());
    const outcome = await runCmd({ cmd: "pwd", cwd: dir });
    assert.equal(result(outcome).stdout, dir);
  });

  it("rejects a cwd that does not exist, naming the field", async () => {
    await assert.rejects(runCmd({ cmd: "true", cwd: "/nonexistent/dir" }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.location?.field, "parameters.cwd");
      return true;
    });
  });

  it("rejects a missing cmd", async () => {
    await assert.rejects(runCmd({}), ValidationError);
  });

  it("streams output before the process exits", async () => {
    const doneFile = join(tempDir(), "done");
    const sink = new RecordingSink();
    // The command cannot finish until the sink has seen "first": it waits for the file the
    // sink creates on seeing it.
    sink.onWrite((_type, data) => {
      if (data.includes("first")) writeFileSync(doneFile, "");
    });
    const outcome = await runCmd(
      {
        cmd: `echo first; for i in $(seq 1 600); do [ -e ${doneFile} ] && break; sleep 0.05; done; [ -e ${doneFile} ] && echo second`,
      },
      { sink },
    );
    assert.equal(outcome.status, "succeeded");
    assert.equal(result(outcome).stdout, "first\nsecond");
    assert.equal(sink.text("stdout"), "first\nsecond\n");
  });

  it("times out, kills the whole process group and reports -9", async () => {
    const pidFile = join(tempDir(), "pid");
    const outcome = await runCmd({
      cmd: `PID_FILE=${pidFile} bash ${FIXTURES}spawn-grandchild.sh`,
      timeout: 0.5,
    });
    assert.equal(outcome.status, "timeout");
    assert.equal(result(outcome).return_code, -9);
    assert.equal(result(outcome).error, "Action failed to complete in 0.5 seconds");
    assert.equal(result(outcome).stdout, "started");
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    assert.ok(grandchild > 0);
    assert.ok(await diesSoon(grandchild), `grandchild ${grandchild} survived the timeout`);
  });

  it("cancels through the AbortSignal and kills the group", async () => {
    const pidFile = join(tempDir(), "pid");
    const controller = new AbortController();
    const sink = new RecordingSink();
    sink.onWrite((_type, data) => {
      if (data.includes("started")) controller.abort();
    });
    const outcome = await runCmd(
      { cmd: `PID_FILE=${pidFile} bash ${FIXTURES}spawn-grandchild.sh`, timeout: 600 },
      { signal: controller.signal, sink },
    );
    assert.equal(outcome.status, "canceled");
    assert.equal(result(outcome).succeeded, false);
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    assert.ok(await diesSoon(grandchild), `grandchild ${grandchild} survived the cancel`);
  });

  it("escalates to SIGKILL when the group ignores SIGTERM", async () => {
    const pidFile = join(tempDir(), "pid");
    const outcome = await runCmd({
      cmd: `trap '' TERM; PID_FILE=${pidFile} bash ${FIXTURES}spawn-grandchild.sh`,
      timeout: 0.3,
    });
    assert.equal(outcome.status, "timeout");
    assert.equal(result(outcome).return_code, -9);
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    assert.ok(await diesSoon(grandchild), `grandchild ${grandchild} survived SIGKILL`);
  });

  it("reports a signal death as minus the signal number", async () => {
    const outcome = await runCmd({ cmd: "kill -USR1 $$" });
    assert.equal(outcome.status, "failed");
    assert.equal(result(outcome).return_code, -10);
  });
});

describe("local-shell-script", () => {
  const schema = {
    name: { type: "string" },
    flag: { type: "boolean" },
    off: { type: "boolean" },
    items: { type: "array" },
    first: { type: "string", position: 0 },
    second: { type: "object", position: 1 },
    password: { type: "string", secret: true },
  };

  it("passes keyword and positional arguments the StackStorm way", async () => {
    const outcome = await scriptRunner.run(
      makeRequest({
        runner: "local-shell-script",
        entryPoint: "print-args.sh",
        actionSchema: schema,
        parameters: {
          name: "it's a name",
          flag: true,
          off: false,
          items: ["a", "b"],
          first: "one two",
          second: { k: "v" },
          password: "s3cr3t",
        },
        secretNames: ["password"],
      }),
    );
    assert.equal(outcome.status, "succeeded");
    assert.equal(
      result(outcome).stdout,
      [
        "[--name=it's a name]",
        "[--flag]",
        "[--items=['a', 'b']]",
        "[one two]",
        '[{"k":"v"}]',
        "secret=s3cr3t",
      ].join("\n"),
    );
  });

  it("never puts a secret on any process command line", async () => {
    const doneFile = join(tempDir(), "done");
    const sink = new RecordingSink();
    let seen: string[] = [];
    sink.onWrite((_type, data) => {
      if (data.includes("ready")) {
        seen = allCmdlines();
        writeFileSync(doneFile, "");
      }
    });
    const outcome = await scriptRunner.run(
      makeRequest({
        runner: "local-shell-script",
        entryPoint: "wait-for-file.sh",
        actionSchema: { ...schema, first: { type: "string", secret: true, position: 0 } },
        parameters: {
          name: "visible-arg",
          password: "pw-top-secret",
          first: "pos-secret",
          env: { DONE_FILE: doneFile },
        },
        secretNames: ["password", "first"],
        runnerSchema: { env: { type: "object" } },
        sink,
      }),
    );
    // DONE_FILE reaches the script through the env runner parameter.
    assert.equal(outcome.status, "succeeded");
    assert.equal(result(outcome).stdout, "ready\ndone");
    const script = seen.find((line) => line.includes("wait-for-file.sh"));
    assert.ok(script, "the script's own command line was captured");
    assert.ok(script.includes("--name=visible-arg"));
    for (const line of seen) {
      assert.ok(!line.includes("pw-top-secret"), `secret on a command line: ${line}`);
      assert.ok(!line.includes("pos-secret"), `secret on a command line: ${line}`);
    }
  });

  it("runs a non-executable script through its #! line, or bash without one", async () => {
    for (const [file, expected] of [
      ["noexec-shebang.sh", "shebang:bash:1:x"],
      ["noexec-plain.sh", "plain:bash:1:x"],
    ] as const) {
      const outcome = await scriptRunner.run(
        makeRequest({
          runner: "local-shell-script",
          entryPoint: file,
          actionSchema: { a: { type: "string", position: 0 } },
          parameters: { a: "x" },
        }),
      );
      assert.equal(result(outcome).stdout, expected, file);
    }
  });

  it("rejects a missing entry point file", async () => {
    await assert.rejects(
      scriptRunner.run(
        makeRequest({ runner: "local-shell-script", entryPoint: "missing.sh", parameters: {} }),
      ),
      ValidationError,
    );
  });
});

describe("sudo", () => {
  function requireSudo(): void {
    const found = spawnSync("sh", ["-c", "command -v sudo"]).status === 0;
    assert.ok(found, "sudo is not installed on this machine: run `apt-get install sudo`");
  }

  it("runs the command through sudo -E, keeping the environment", async () => {
    requireSudo();
    const outcome = await runCmd({
      cmd: 'id -u; echo "$MY_VAR"; tr "\\0" " " < /proc/$PPID/cmdline',
      sudo: true,
      env: { MY_VAR: "kept" },
    });
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    const lines = String(result(outcome).stdout).split("\n");
    assert.equal(lines[0], "0");
    assert.equal(lines[1], "kept");
    assert.match(lines[2] ?? "", /^sudo -E -- bash -c /);
  });

  it("gives sudo_password on stdin (-S), never on argv", async () => {
    requireSudo();
    const outcome = await runCmd({
      cmd: 'tr "\\0" " " < /proc/$PPID/cmdline',
      sudo: true,
      sudo_password: "sudo-pw-123",
    });
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    const parent = String(result(outcome).stdout);
    assert.match(parent, /^sudo -S -E -- bash -c /);
    assert.ok(!parent.includes("sudo-pw-123"));
  });
});
