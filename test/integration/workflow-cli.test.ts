/**
 * `squall workflow rehearse` and `squall workflow inspect`, run as the real binary. Both work
 * offline, so the URL they are given points at a port nothing listens on.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { squall } from "../support/cli.ts";
import { FIXTURES } from "../support/fixtures.ts";

const NO_SERVER = "http://127.0.0.1:9";
const BASE = join(FIXTURES, "rehearsal");

describe("squall workflow rehearse", () => {
  it("passes every spec in a directory of passing specs", async () => {
    const res = await squall(NO_SERVER, ["workflow", "rehearse", "-p", BASE, "-d", "passing"]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const lines = res.stdout.trim().split("\n");
    assert.deepEqual(lines.slice(0, -1), [
      "PASS passing/broken-inspection.yaml",
      "PASS passing/fanout-result-path.yaml",
      "PASS passing/greet-failure.yaml",
      "PASS passing/greet-rerun.yaml",
      "PASS passing/greet-success.yaml",
    ]);
    assert.equal(lines.at(-1), "5 passed, 0 failed");
  });

  it("prints why each failing spec failed and exits 1", async () => {
    const res = await squall(NO_SERVER, ["workflow", "rehearse", "-p", BASE, "-d", "failing"]);
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const lines = res.stdout.trim().split("\n");
    assert.equal(lines.length, 3);
    assert.match(
      lines[0] ?? "",
      /^FAIL failing\/greet-wrong-sequence\.yaml: expected_task_sequence: at \[1\] expected "post", got "compose" .*; expected_output: greeting expected "Ada Lovelace, hello", got "Ada Lovelace, welcome back"$/,
    );
    assert.equal(
      lines[1],
      'FAIL failing/unknown-task-mock.yaml: mock_action_executions[0].task_id: the workflow has no task "lookpu"',
    );
    assert.equal(lines[2], "0 passed, 2 failed");
  });

  it("runs one spec given with -f", async () => {
    const res = await squall(NO_SERVER, [
      "workflow",
      "rehearse",
      "-p",
      BASE,
      "-f",
      "passing/greet-rerun.yaml",
    ]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.equal(res.stdout, "PASS passing/greet-rerun.yaml\n1 passed, 0 failed\n");
  });

  const usage: [string, string[], RegExp][] = [
    ["neither -f nor -d", ["-p", BASE], /exactly one of -f/],
    ["both -f and -d", ["-p", BASE, "-f", "x.yaml", "-d", "passing"], /exactly one of -f/],
    ["a missing spec", ["-p", BASE, "-f", "passing/nope.yaml"], /no such test spec/],
    ["a missing base path", ["-p", join(BASE, "nope"), "-d", "passing"], /no such base path/],
  ];
  for (const [name, args, message] of usage) {
    it(`exits 1 on ${name}`, async () => {
      const res = await squall(NO_SERVER, ["workflow", "rehearse", ...args]);
      assert.equal(res.code, 1, res.stdout + res.stderr);
      assert.match(res.stderr, message);
    });
  }
});

describe("squall workflow inspect", () => {
  const dir = mkdtempSync(join(tmpdir(), "squall-inspect-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists errors with the task and path, and exits 1", async () => {
    const res = await squall(NO_SERVER, [
      "workflow",
      "inspect",
      join(BASE, "workflows", "broken.yaml"),
    ]);
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const lines = res.stdout.trim().split("\n");
    assert.deepEqual(lines.slice(0, 2), [
      'context error (task first at tasks.first.input): Variable "missing" is referenced before assignment.',
      'semantic error (task first at tasks.first.next[0].do): The task "nowhere" is not defined.',
    ]);
    assert.match(lines[2] ?? "", /^2 errors in /);
  });

  it("prints the errors as JSON with --json", async () => {
    const res = await squall(NO_SERVER, [
      "workflow",
      "inspect",
      "--json",
      join(BASE, "workflows", "broken.yaml"),
    ]);
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const errors = JSON.parse(res.stdout) as {
      type: string;
      task_name: string;
      spec_path: string;
    }[];
    assert.deepEqual(
      errors.map((e) => [e.type, e.task_name, e.spec_path]),
      [
        ["context", "first", "tasks.first.input"],
        ["semantic", "first", "tasks.first.next[0].do"],
      ],
    );
  });

  it("exits 0 for a sound workflow", async () => {
    const file = join(BASE, "workflows", "greet.yaml");
    const res = await squall(NO_SERVER, ["workflow", "inspect", file]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.equal(res.stdout, `${file}: no errors\n`);
  });

  it("exits 1 with one error line for a file that is not a workflow", async () => {
    const file = join(dir, "list.yaml");
    writeFileSync(file, "- just\n- a list\n");
    const res = await squall(NO_SERVER, ["workflow", "inspect", file]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^ERROR: workflow definition must be a mapping\n$/);
  });
});
