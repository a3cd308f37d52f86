/**
 * `prepareFor` (the rules engine's way in, with the action and runner it has just read) makes
 * the same checks and the same execution as `prepare`.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import type { ActionDef, RunnerType } from "../../core/content/model.ts";
import { EventBus } from "../events.ts";
import type { Store } from "../store/contract.ts";
import { openSqliteStore } from "../store/sqlite/index.ts";
import { type ExecutionRequest, ExecutionService } from "./executions.ts";
import { validateExecutionRequest } from "./parameters.ts";

const RUNNER: RunnerType = { name: "noop", description: "", enabled: true, runner_parameters: {} };

function action(name: string, overrides: Partial<ActionDef> = {}): ActionDef {
  return {
    ref: `demo.${name}`,
    uid: `action:demo:${name}`,
    name,
    pack: "demo",
    description: "",
    enabled: true,
    runner_type: "noop",
    entry_point: "",
    parameters: { who: { type: "string", required: true } },
    metadata_file: `actions/${name}.yaml`,
    ...overrides,
  };
}

async function outcome(f: () => Promise<unknown>): Promise<unknown> {
  try {
    const e = (await f()) as { id: string; context: { trace_context?: unknown } };
    // The id (and the trace tag made from it) is new each time.
    return { ...e, id: "<id>", context: { ...e.context, trace_context: "<tag>" } };
  } catch (err) {
    return { error: (err as Error).constructor.name, message: (err as Error).message };
  }
}

describe("ExecutionService.prepareFor", () => {
  let dir = "";
  let store: Store;
  let service: ExecutionService;
  const runners = {
    noop: RUNNER,
    off: { ...RUNNER, name: "off", enabled: false },
    missing: { ...RUNNER, name: "missing" },
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "squall-executions-"));
    store = openSqliteStore(join(dir, "db.sqlite"));
    await store.content.upsertPack({
      ref: "demo",
      name: "demo",
      description: "",
      version: "1.0.0",
      author: "t",
      path: dir,
    });
    await store.content.upsertRunnerType(runners.noop);
    await store.content.upsertRunnerType(runners.off);
    await store.content.upsertRunnerType(runners.missing);
    for (const a of [
      action("ok"),
      action("disabled", { enabled: false }),
      action("off_runner", { runner_type: "off" }),
      action("unavailable", { runner_type: "missing" }),
    ])
      await store.content.upsertAction(a);
    service = new ExecutionService(
      store,
      new EventBus(),
      validateExecutionRequest,
      pino({ level: "silent" }),
      new Set(["noop", "off"]),
    );
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<{ name: string; request: ExecutionRequest }> = [
    { name: "a valid request", request: { action: "demo.ok", parameters: { who: "x" } } },
    {
      name: "with context, parent and delay",
      request: {
        action: "demo.ok",
        parameters: { who: "x" },
        context: { user: "alice", trace_context: { trace_tag: "t" } },
        parent: "p",
        delay: 5,
      },
    },
    { name: "a missing required parameter", request: { action: "demo.ok", parameters: {} } },
    { name: "a bad delay", request: { action: "demo.ok", parameters: { who: "x" }, delay: -1 } },
    { name: "a disabled action", request: { action: "demo.disabled", parameters: { who: "x" } } },
    { name: "a disabled runner", request: { action: "demo.off_runner", parameters: { who: "x" } } },
    {
      name: "a runner this node cannot run",
      request: { action: "demo.unavailable", parameters: { who: "x" } },
    },
  ];
  for (const c of cases)
    it(`answers as prepare does: ${c.name}`, async () => {
      const a = await store.content.getAction(c.request.action);
      assert.ok(a);
      const r = await store.content.getRunnerType(a.runner_type);
      assert.ok(r);
      assert.deepEqual(
        await outcome(async () => service.prepareFor(c.request, a, r)),
        await outcome(() => service.prepare(c.request)),
      );
    });
});
