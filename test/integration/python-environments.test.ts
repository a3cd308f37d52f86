import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BUILTIN_RUNNER_TYPES } from "../../src/core/content/runner-types.ts";
import { loadPack } from "../../src/engine/content/loader.ts";
import {
  createPythonEnvironments,
  PythonEnvironmentError,
  type PythonEnvironments,
} from "../../src/engine/python/environments.ts";
import { createPythonScriptRunner } from "../../src/engine/runners/python-script.ts";
import { RecordingSink } from "../fixtures/runners/request.ts";
import { FIXTURES } from "../support/fixtures.ts";
import { requirePython } from "../support/python.ts";

/** Records log calls; the environments module only needs these three levels. */
function recordingLog() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const at =
    (level: string) =>
    (fields: unknown, message?: unknown): void => {
      lines.push({ level, fields: fields as Record<string, unknown>, message: String(message) });
    };
  return { lines, log: { info: at("info"), warn: at("warn"), error: at("error") } as never };
}

// Hermetic pip: no config files of this machine, no index (PyPI is unreachable anyway).
const PIP_ENV = { PATH: process.env.PATH, HOME: tmpdir(), PIP_CONFIG_FILE: "/dev/null" };

describe("per-pack virtualenvs", () => {
  let dir: string;
  let home: string;
  let python: string;
  let venvPack: { ref: string; path: string };
  let brokenPack: { ref: string; path: string };
  let plainPack: { ref: string; path: string };
  let envs: PythonEnvironments;
  const recorded = recordingLog();

  before(async () => {
    python = requirePython({ venv: true });
    dir = await mkdtemp(join(tmpdir(), "squall-venvs-"));
    home = join(dir, "home");
    // Private copies: building from the pack writes caches next to the vendored package.
    await cp(join(FIXTURES, "python_venv_packs"), join(dir, "packs"), { recursive: true });
    await cp(join(FIXTURES, "packs", "python_pack"), join(dir, "packs", "python_pack"), {
      recursive: true,
    });
    venvPack = { ref: "venv_pack", path: join(dir, "packs", "venv_pack") };
    brokenPack = { ref: "broken_venv_pack", path: join(dir, "packs", "broken_venv_pack") };
    plainPack = { ref: "python_pack", path: join(dir, "packs", "python_pack") };
    envs = make();
  });

  after(async () => {
    await envs?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function make(): PythonEnvironments {
    return createPythonEnvironments({
      home,
      python,
      log: recorded.log,
      pipOptions: ["--no-index"],
      env: PIP_ENV,
    });
  }

  it("registration returns at once and builds in the background", async () => {
    envs.onPackRegistered(venvPack);
    envs.onPackRegistered(brokenPack);
    envs.onPackRegistered(plainPack);
    assert.equal(envs.status("venv_pack")?.state, "building");
    assert.equal(envs.status("broken_venv_pack")?.state, "building");
    assert.deepEqual(envs.status("python_pack"), {
      pack: "python_pack",
      state: "system",
      python,
      path: null,
    });
  });

  it("a pack with requirements runs in its own venv, with the vendored package installed", async () => {
    const interpreter = await envs.ready(venvPack);
    const venvDir = envs.status("venv_pack")?.path ?? "";
    assert.ok(venvDir.startsWith(join(home, "virtualenvs", "venv_pack-")), venvDir);
    assert.equal(interpreter, join(venvDir, "bin", "python"));
    assert.equal(envs.status("venv_pack")?.state, "ready");

    const { content } = await loadPack(venvPack.path);
    const action = content?.actions.find((a) => a.name === "which");
    assert.ok(action);
    const runner = createPythonScriptRunner({ environments: envs, python });
    const outcome = await runner.run({
      executionId: "0123456789abcdef01234567",
      action,
      runner: BUILTIN_RUNNER_TYPES.find((r) => r.name === "python-script") ?? assert.fail(),
      parameters: {},
      secretNames: new Set(),
      packPath: venvPack.path,
      entryPointPath: join(venvPack.path, "actions", "which.py"),
      apiUrl: "http://127.0.0.1:1/api/v1",
      authToken: "",
      user: "stanley",
      output: new RecordingSink(),
      signal: new AbortController().signal,
    });
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    assert.deepEqual((outcome.result as { result: unknown }).result, {
      prefix: venvDir,
      mark: "vendored-ok",
    });
  });

  it("a pip failure fails that pack only, naming the pack and pip's message", async () => {
    await assert.rejects(envs.ready(brokenPack), (error: unknown) => {
      assert.ok(error instanceof PythonEnvironmentError);
      assert.equal(error.pack, "broken_venv_pack");
      assert.match(error.message, /virtualenv of pack "broken_venv_pack": pip install exited/);
      assert.match(error.message, /squall-package-that-does-not-exist/);
      return true;
    });
    assert.equal(envs.status("broken_venv_pack")?.state, "failed");
    assert.ok(
      recorded.lines.some((l) => l.level === "error" && l.fields.pack === "broken_venv_pack"),
    );
    // The other packs are not affected.
    assert.equal(envs.status("venv_pack")?.state, "ready");
    assert.equal(await envs.ready(plainPack), python);
  });

  it("an unchanged pack is not rebuilt, also after a restart", async () => {
    const venvDir = envs.status("venv_pack")?.path ?? "";
    const marker = join(venvDir, ".squall-complete");
    const before = (await stat(marker)).mtimeMs;
    envs.onPackRegistered(venvPack);
    await envs.ready(venvPack);
    const restarted = make();
    try {
      assert.equal(await restarted.ready(venvPack), join(venvDir, "bin", "python"));
      assert.equal((await stat(marker)).mtimeMs, before);
    } finally {
      await restarted.close();
    }
  });

  it("changed requirements get a new venv; the old one is removed", async () => {
    const oldDir = envs.status("venv_pack")?.path ?? "";
    const file = join(venvPack.path, "requirements.txt");
    await writeFile(file, `${await readFile(file, "utf8")}# changed\n`);
    envs.onPackRegistered(venvPack);
    const interpreter = await envs.ready(venvPack);
    const newDir = envs.status("venv_pack")?.path ?? "";
    assert.notEqual(newDir, oldDir);
    assert.equal(interpreter, join(newDir, "bin", "python"));
    await assert.rejects(stat(oldDir), { code: "ENOENT" });
  });

  it("a fixed requirement is retried on the next registration", async () => {
    await writeFile(join(brokenPack.path, "requirements.txt"), "# nothing needed any more\n");
    envs.onPackRegistered(brokenPack);
    const interpreter = await envs.ready(brokenPack);
    assert.equal(envs.status("broken_venv_pack")?.state, "ready");
    assert.ok(interpreter.startsWith(join(home, "virtualenvs", "broken_venv_pack-")));
  });
});
