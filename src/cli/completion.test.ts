import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { Command } from "commander";
import { addTableOptions, bashCompletion, completionTable, zshCompletion } from "./completion.ts";
import { buildProgram } from "./main.ts";
import type { CliRuntime } from "./runtime.ts";

const runtime: CliRuntime = {
  io: { out: () => {}, err: () => {}, env: {}, cwd: "/" },
  exitCode: 0,
};

/** st2's command groups (st2client/shell.py), all of which squall must have. */
const ST2_GROUPS = [
  "action",
  "run",
  "execution",
  "rule",
  "rule-enforcement",
  "key",
  "pack",
  "trigger",
  "trigger-instance",
  "sensor",
  "timer",
  "webhook",
  "trace",
  "policy",
  "policy-type",
  "runner",
  "action-alias",
  "inquiry",
  "workflow",
  "login",
  "auth",
  "whoami",
  "apikey",
  "role",
  "role-assignment",
];

function tinyProgram(): Command {
  const p = new Command("squall").option("--json");
  const ex = p.command("execution");
  ex.command("list").option("-n, --last <n>");
  ex.command("get");
  p.command("run").option("-a, --async");
  return p;
}

describe("completion scripts", () => {
  it("list every command, subcommand and option of the tree", () => {
    const table = new Map(completionTable(tinyProgram()));
    assert.deepEqual(table.get("squall"), ["execution", "run", "--json", "--help"]);
    assert.deepEqual(table.get("squall execution"), ["list", "get", "--help"]);
    assert.deepEqual(table.get("squall execution list"), ["--last", "-n", "--help"]);
  });

  it("complete in a real bash", () => {
    const script = bashCompletion(tinyProgram());
    const complete = (line: string[]) => {
      const words = line.map((w) => `'${w}'`).join(" ");
      const res = spawnSync(
        "bash",
        [
          "-c",
          `${script}\nCOMP_WORDS=(${words}); COMP_CWORD=${line.length - 1}; _squall; echo "\${COMPREPLY[@]}"`,
        ],
        { encoding: "utf8" },
      );
      assert.equal(res.status, 0, res.stderr);
      return res.stdout.trim();
    };
    assert.equal(complete(["squall", "ex"]), "execution");
    assert.equal(complete(["squall", "execution", "l"]), "list");
    assert.equal(complete(["squall", "--json", "execution", "list", "--l"]), "--last");
  });

  it("zsh loads the bash script through bashcompinit", () => {
    const z = zshCompletion(tinyProgram());
    assert.match(z, /bashcompinit/);
    assert.match(z, /complete -F _squall squall/);
  });

  it("covers every command group of the real CLI, which has st2's whole tree", () => {
    const program = buildProgram(runtime);
    const script = bashCompletion(program);
    const groups = program.commands.map((c) => c.name());
    for (const group of groups) assert.ok(script.includes(`'squall ${group}')`), group);
    const missing = ST2_GROUPS.filter((g) => !groups.includes(g));
    assert.deepEqual(missing, [], `command groups not registered in src/cli/main.ts: ${missing}`);
  });
});

describe("addTableOptions", () => {
  it("adds -a/-w to list and get commands that do not use those letters", () => {
    const p = tinyProgram();
    p.command("key").command("list").option("-a, --all");
    addTableOptions(p);
    const flags = (path: string[]) => {
      let c: Command | undefined = p;
      for (const name of path) c = c?.commands.find((x) => x.name() === name);
      return c?.options.map((o) => o.flags) ?? [];
    };
    assert.deepEqual(flags(["execution", "get"]), [
      "-a, --attr <attrs...>",
      "-w, --width <widths...>",
    ]);
    assert.deepEqual(flags(["key", "list"]), ["-a, --all", "-w, --width <widths...>"]);
    assert.deepEqual(flags(["run"]), ["-a, --async"]);
  });
});
