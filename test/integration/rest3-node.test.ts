/**
 * A live node, through the CLI: action aliases end to end (register a pack with an alias, match,
 * execute, the action runs); `execution tail` following a workflow's tasks; `pack install` from
 * a git repository (file://) and `pack remove`.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { squall } from "../support/cli.ts";
import { api, eventually, useSquallNode } from "../support/squall-process.ts";

const PACK: Record<string, string> = {
  "pack.yaml": "name: chatty\ndescription: alias tests\nversion: 1.0.0\nauthor: tests\n",
  "actions/greet.yaml":
    "name: greet\nrunner_type: local-shell-cmd\nparameters:\n  who:\n    type: string\n    required: true\n  cmd:\n    default: 'echo hello {{ who }}'\n",
  "actions/flow.yaml": "name: flow\nrunner_type: orquesta\nentry_point: workflows/flow.yaml\n",
  "actions/workflows/flow.yaml": [
    "version: 1.0",
    "tasks:",
    "  first:",
    "    action: core.local",
    "    input:",
    '      cmd: "echo a1; echo a2"',
    "    next:",
    "      - do: second",
    "  second:",
    "    action: core.local",
    "    input:",
    '      cmd: "echo b1 >&2"',
    "",
  ].join("\n"),
  "aliases/greet.yaml": [
    "name: greet",
    "action_ref: chatty.greet",
    "description: Greets someone",
    "formats:",
    '  - "greet {{ who }}"',
    "ack:",
    '  format: "greeting {{ execution.parameters.who }}"',
    "",
  ].join("\n"),
};

describe("action aliases on a live node (CLI)", () => {
  const live = useSquallNode();
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "squall-alias-pack-"));
    for (const [file, text] of Object.entries(PACK)) {
      mkdirSync(join(dir, "chatty", file, ".."), { recursive: true });
      writeFileSync(join(dir, "chatty", file), text);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists, matches and executes a pack's alias", async () => {
    const registered = await squall(live.node.url, ["pack", "register", join(dir, "chatty")]);
    assert.equal(registered.code, 0, registered.stderr + registered.stdout);

    const list = await squall(live.node.url, ["action-alias", "list", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      JSON.parse(list.stdout).map((a: { ref: string }) => a.ref),
      ["chatty.greet"],
    );
    const match = await squall(live.node.url, ["action-alias", "match", "greet world", "--json"]);
    assert.equal(match.code, 0, match.stderr);
    assert.equal(JSON.parse(match.stdout).actionalias.ref, "chatty.greet");
    const miss = await squall(live.node.url, ["action-alias", "match", "wave world"]);
    assert.notEqual(miss.code, 0);
    assert.match(miss.stderr, /matched no patterns/);

    const run = await squall(live.node.url, ["action-alias", "execute", "greet world"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /greeting world/);
    const id = /squall execution get (\w+)/.exec(run.stdout)?.[1];
    assert.ok(id, run.stdout);
    const done = await eventually(
      async () => {
        const res = await api<{ status: string; result: { stdout?: string } }>(
          live.node.url,
          "GET",
          `/executions/${id}`,
        );
        return res.body.status === "succeeded" ? res.body : undefined;
      },
      20_000,
      "the alias's execution to succeed",
    );
    assert.equal(done.result.stdout, "hello world");
  });

  it("tails a workflow with each task's output marked", async () => {
    const run = await squall(live.node.url, ["run", "chatty.flow", "--async", "--json"]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const id = JSON.parse(run.stdout).id as string;
    const tail = await squall(live.node.url, ["execution", "tail", id]);
    assert.equal(tail.code, 0, tail.stderr + tail.stdout);
    assert.match(tail.stdout, /Child execution \(task=first\) \w+ has started\./);
    assert.match(tail.stdout, /\[first\] a1\n\[first\] a2\n/);
    assert.match(
      tail.stdout,
      /Child execution \(task=second\) \w+ has finished \(status=succeeded\)\./,
    );
    assert.match(tail.stderr, /\[second\] b1\n/);
  });

  it("installs a pack from a git repository and removes it", async () => {
    const repo = join(dir, "gitted");
    mkdirSync(join(repo, "actions"), { recursive: true });
    writeFileSync(
      join(repo, "pack.yaml"),
      "name: gitted\ndescription: d\nversion: 1.0.0\nauthor: t\n",
    );
    writeFileSync(
      join(repo, "actions", "hi.yaml"),
      "name: hi\nrunner_type: local-shell-cmd\nparameters:\n  cmd:\n    default: echo hi\n",
    );
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], {
        cwd: repo,
        stdio: "pipe",
      });
    git("init", "--quiet");
    git("add", ".");
    git("commit", "--quiet", "-m", "init");
    const install = await squall(live.node.url, ["pack", "install", `file://${repo}`]);
    assert.equal(install.code, 0, install.stderr + install.stdout);
    assert.match(install.stdout, /Installed gitted into /);
    const installed = join(live.node.home, "packs", "gitted");
    assert.ok(existsSync(join(installed, "actions", "hi.yaml")));
    const action = await api<{ ref: string }>(live.node.url, "GET", "/actions/gitted.hi");
    assert.equal(action.status, 200);

    const again = await squall(live.node.url, ["pack", "install", `file://${repo}`]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already installed/);
    const core = await squall(live.node.url, ["pack", "remove", "core"]);
    assert.notEqual(core.code, 0);
    assert.match(core.stderr, /bundled/);

    const removed = await squall(live.node.url, ["pack", "remove", "gitted"]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /Removed gitted and deleted/);
    assert.ok(!existsSync(installed));
    assert.equal((await api(live.node.url, "GET", "/actions/gitted.hi")).status, 404);
  });
});
