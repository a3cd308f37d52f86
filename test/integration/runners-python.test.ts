import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import type { ActionDef, RunnerType } from "../../src/core/content/model.ts";
import { BUILTIN_RUNNER_TYPES } from "../../src/core/content/runner-types.ts";
import { ValidationError } from "../../src/core/errors.ts";
import { loadPack } from "../../src/engine/content/loader.ts";
import type { RunnerOutcome, RunRequest } from "../../src/engine/runners/contract.ts";
import { createPythonScriptRunner } from "../../src/engine/runners/python-script.ts";
import { RecordingSink } from "../fixtures/runners/request.ts";
import { FIXTURES } from "../support/fixtures.ts";
import { requirePython } from "../support/python.ts";

const PACK_DIR = join(FIXTURES, "packs", "python_pack");
const CONFIGS_DIR = join(FIXTURES, "packs", "_configs");
const RUNNER = BUILTIN_RUNNER_TYPES.find((r) => r.name === "python-script") as RunnerType;

let actions = new Map<string, ActionDef>();
let config: Record<string, unknown> = {};
let runner: ReturnType<typeof createPythonScriptRunner>;

before(async () => {
  const python = requirePython();
  const { content, errors } = await loadPack(PACK_DIR, { configsDir: CONFIGS_DIR });
  assert.deepEqual(errors, []);
  assert.ok(content);
  actions = new Map(content.actions.map((a) => [a.name, a]));
  config = content.config?.values ?? {};
  runner = createPythonScriptRunner({
    python,
    killGraceMs: 500,
    configsDir: CONFIGS_DIR,
    loadConfig: async (pack) => {
      assert.equal(pack, "python_pack");
      return config;
    },
  });
});

function request(
  name: string,
  parameters: Record<string, unknown>,
  extra: { signal?: AbortSignal; sink?: RecordingSink; secretNames?: string[] } = {},
): RunRequest & { output: RecordingSink } {
  const action = actions.get(name);
  if (!action) throw new Error(`python_pack has no action ${name}`);
  return {
    executionId: "0123456789abcdef01234567",
    action,
    runner: RUNNER,
    parameters,
    secretNames: new Set(extra.secretNames ?? []),
    packPath: PACK_DIR,
    entryPointPath: join(PACK_DIR, "actions", action.entry_point),
    apiUrl: "http://127.0.0.1:1/api/v1",
    authToken: "",
    user: "stanley",
    output: extra.sink ?? new RecordingSink(),
    signal: extra.signal ?? new AbortController().signal,
  };
}

function body(outcome: RunnerOutcome): Record<string, unknown> {
  return outcome.result as Record<string, unknown>;
}

describe("python-script runner: result protocol", () => {
  it("a returned value is the result; runner parameters are not passed to run()", async () => {
    const outcome = await runner.run(
      request("return_value", {
        name: "ada",
        count: 2,
        tags: ["x"],
        timeout: 30,
        log_level: "INFO",
      }),
    );
    assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
    assert.deepEqual(body(outcome), {
      stdout: "",
      stderr: "",
      exit_code: 0,
      result: { name: "ada", shouted: "ADA!", count: 4, tags: ["x"] },
    });
  });

  const table: Array<{
    action: string;
    parameters: Record<string, unknown>;
    status: RunnerOutcome["status"];
    exitCode: number;
    result: unknown;
    stderr?: RegExp;
    error?: RegExp;
  }> = [
    {
      action: "fail_tuple",
      parameters: { reason: "no" },
      status: "failed",
      exitCode: 0,
      result: { reason: "no" },
    },
    {
      action: "raise_error",
      parameters: {},
      status: "failed",
      exitCode: 1,
      result: "None",
      stderr: /RuntimeError: the action broke on purpose/,
    },
    {
      action: "bad_status",
      parameters: {},
      status: "failed",
      exitCode: 220,
      result: "None",
      error: /must either be True or False, got: 'a'/,
    },
    {
      action: "not_json",
      parameters: {},
      status: "succeeded",
      exitCode: 0,
      result: "<opaque thing>",
    },
    { action: "exit_code", parameters: { code: 3 }, status: "failed", exitCode: 3, result: "None" },
    {
      action: "exit_code",
      parameters: { code: 0 },
      status: "succeeded",
      exitCode: 0,
      result: "None",
    },
    {
      action: "legacy",
      parameters: { word: "w" },
      status: "succeeded",
      exitCode: 0,
      result: { word: "w", has_service: true },
    },
  ];
  for (const row of table) {
    it(`${row.action} ${JSON.stringify(row.parameters)} → ${row.status}, exit ${row.exitCode}`, async () => {
      const outcome = await runner.run(request(row.action, row.parameters));
      const result = body(outcome);
      assert.equal(outcome.status, row.status, JSON.stringify(result));
      assert.equal(result.exit_code, row.exitCode);
      assert.deepEqual(result.result, row.result);
      if (row.stderr) assert.match(String(result.stderr), row.stderr);
      if (row.error) assert.match(String(result.error), row.error);
      else assert.equal(result.error, undefined);
    });
  }

  it("prints and logs go to stdout/stderr and are streamed; they cannot forge the result", async () => {
    const sink = new RecordingSink();
    const outcome = await runner.run(request("print_output", { lines: 2 }, { sink }));
    const result = body(outcome);
    assert.equal(outcome.status, "succeeded");
    assert.equal(result.result, "printed 2 lines");
    assert.equal(
      result.stdout,
      'line 0\nline 1\n{"result": "forged", "status": false}\n%%%%%~=~=~=************=~=~=~%%%%\n',
    );
    assert.match(String(result.stderr), /^to stderr\n/);
    assert.match(String(result.stderr), /actions\.python\.PrintOutput: INFO +logged at info/);
    assert.match(String(result.stderr), /DEBUG +logged at debug/);
    assert.equal(sink.text("stdout"), result.stdout);
    assert.equal(sink.text("stderr"), result.stderr);
  });

  it("log_level hides the levels below it", async () => {
    const outcome = await runner.run(request("print_output", { lines: 0, log_level: "INFO" }));
    const stderr = String(body(outcome).stderr);
    assert.match(stderr, /logged at info/);
    assert.doesNotMatch(stderr, /logged at debug/);
  });

  it("self.config holds the config file merged with the schema defaults", async () => {
    const outcome = await runner.run(request("use_config", {}));
    const result = body(outcome).result as Record<string, unknown>;
    assert.equal(outcome.status, "succeeded", JSON.stringify(body(outcome)));
    assert.deepEqual(result.config, {
      region: "eu-west",
      greeting: "hello",
      limits: { burst: 2, retries: 4 },
    });
    assert.match(String(result.missing), /pack "python_pack" has no key "no_such_key"/);
    assert.match(String(result.missing), /python_pack\.yaml/);
  });
});

describe("python-script runner: process handling", () => {
  it("times out: status timeout, exit_code -9 and StackStorm's error text", async () => {
    const outcome = await runner.run(request("sleep", { seconds: 30, timeout: 1 }));
    const result = body(outcome);
    assert.equal(outcome.status, "timeout");
    assert.equal(result.exit_code, -9);
    assert.equal(result.error, "Action failed to complete in 1 seconds");
    assert.equal(result.stdout, "sleeping\n");
  });

  it("cancel kills the action and resolves canceled", async () => {
    const controller = new AbortController();
    const sink = new RecordingSink();
    let pid = 0;
    const req = { ...request("sleep", { seconds: 30 }, { signal: controller.signal, sink }) };
    req.onSpawn = (p) => {
      pid = p;
    };
    sink.onWrite((_type, data) => {
      if (data.includes("sleeping")) controller.abort();
    });
    const outcome = await runner.run(req);
    assert.equal(outcome.status, "canceled");
    assert.ok(pid > 0);
    assert.equal(await goneSoon(pid), true);
  });

  it("secrets, parameters and config never appear on any process's command line", async () => {
    const secret = "pw-7f3a9c1e-never-on-argv";
    const controller = new AbortController();
    const sink = new RecordingSink();
    let seen: string[] | null = null;
    sink.onWrite((_type, data) => {
      if (!data.includes("sleeping")) return;
      seen = allCmdlines();
      controller.abort();
    });
    const outcome = await runner.run(
      request(
        "sleep",
        { seconds: 30, password: secret },
        { signal: controller.signal, sink, secretNames: ["password"] },
      ),
    );
    assert.equal(outcome.status, "canceled");
    assert.ok(seen, "the action started");
    const lines = seen as string[];
    assert.ok(
      lines.some((c) => c.includes("action_wrapper.py")),
      "the wrapper was running",
    );
    assert.deepEqual(
      lines.filter((c) => c.includes(secret) || c.includes("eu-west")),
      [],
    );
  });

  it("an action without an existing entry point is refused with a ValidationError", async () => {
    const req = request("return_value", {});
    await assert.rejects(
      runner.run({ ...req, entryPointPath: join(PACK_DIR, "actions", "missing.py") }),
      (error: unknown) => error instanceof ValidationError && /missing\.py/.test(error.message),
    );
  });

  it("a missing interpreter is reported, not a crash", async () => {
    const broken = createPythonScriptRunner({ python: "/nonexistent/python3" });
    await assert.rejects(
      broken.run(request("return_value", { name: "a", count: 1, tags: [] })),
      /cannot start \/nonexistent\/python3/,
    );
  });
});

function allCmdlines(): string[] {
  const out: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      out.push(readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" "));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

async function goneSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state === "Z" || state === "X") return true;
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}
