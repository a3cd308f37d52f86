import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { ValidationError } from "../../../core/errors.ts";
import {
  buildRemotePayload,
  exportString,
  killGroupCommand,
  PGID_MARKER,
  REMOTE_WRAPPER,
} from "./remote-command.ts";

/** Runs the wrapper as sshd would (`<shell> -c <wrapper>`) with the payload on stdin. */
function runLocally(shell: string, payload: string) {
  const r = spawnSync(shell, ["-c", REMOTE_WRAPPER], { input: payload, encoding: "utf8" });
  const [marker, ...rest] = r.stdout.split("\n");
  return { marker: marker ?? "", stdout: rest.join("\n"), stderr: r.stderr, status: r.status };
}

describe("exportString", () => {
  it("exports sorted, quoted variables", () => {
    assert.equal(exportString({ B: "x y", A: "it's" }), `export A='it'"'"'s' B='x y'`);
    assert.equal(exportString({}), "");
  });
  it("rejects names the shell cannot export", () => {
    assert.throws(() => exportString({ "A-B": "1" }), ValidationError);
    assert.throws(() => exportString({ "1A": "1" }), ValidationError);
  });
});

describe("buildRemotePayload", () => {
  it("is StackStorm's command line: exports && cd && command", () => {
    assert.equal(
      buildRemotePayload({
        command: "echo hi",
        env: { K: "v" },
        cwdShell: "/tmp",
        sudo: false,
        sudoPassword: null,
      }),
      "export K=v && cd /tmp && echo hi\n",
    );
  });
  it("under sudo, carries the line in a variable and the password through printf", () => {
    const payload = buildRemotePayload({
      command: "id -u",
      env: {},
      cwdShell: null,
      sudo: true,
      sudoPassword: "pa ss'word",
    });
    const lines = payload.trimEnd().split("\n");
    assert.equal(lines[0], "export __SQUALL_SCRIPT='id -u'");
    assert.equal(lines[1], `__squall_pw='pa ss'"'"'word'`);
    assert.match(lines[2] ?? "", /^printf '%s\\n' "\$__squall_pw" \| sudo -S -E -- bash -c '/);
    assert.doesNotMatch(lines[2] ?? "", /pa ss/);
  });
  it("without a sudo password, runs sudo -E without -S", () => {
    const payload = buildRemotePayload({
      command: "true",
      env: {},
      cwdShell: null,
      sudo: true,
      sudoPassword: null,
    });
    assert.match(payload, /\nsudo -E -- bash -c '/);
  });
});

describe("the wrapper and payload, run by real shells", () => {
  for (const shell of ["bash", "sh"]) {
    it(`${shell}: reports its process group, runs env/cwd/command, keeps the exit status`, () => {
      const payload = buildRemotePayload({
        command: 'echo "$A|$(pwd)"; cat; exit 4',
        env: { A: "a 'b' $c" },
        cwdShell: "/",
        sudo: false,
        sudoPassword: null,
      });
      const r = runLocally(shell, payload);
      assert.match(r.marker, new RegExp(`^${PGID_MARKER}\\d+$`));
      // `cat` sees an empty stdin: the payload was consumed by the wrapper.
      assert.equal(r.stdout, "a 'b' $c|/\n");
      assert.equal(r.status, 4);
    });
  }
});

describe("killGroupCommand", () => {
  it("signals the negative group id and bounds its wait", () => {
    const text = killGroupCommand(1234, 0.5);
    assert.match(text, /kill -TERM -- -1234/);
    assert.match(text, /-lt 5 \]/);
    assert.match(text, /kill -KILL -- -1234/);
  });
  it("refuses group ids that would hit everything", () => {
    assert.throws(() => killGroupCommand(1, 1), RangeError);
    assert.throws(() => killGroupCommand(0, 1), RangeError);
  });
});
