/**
 * The reactor end to end, with real processes and a real SQLite file: webhooks fire rules,
 * rules start actions with parameters from the payload, idempotency keys de-duplicate, and
 * completed executions close the loop through core.st2.generic.actiontrigger.
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Execution } from "../../src/core/execution/model.ts";
import { FIXTURES } from "../support/fixtures.ts";
import { api, authHeaders, eventually, useSquallNode } from "../support/squall-process.ts";

async function post(
  url: string,
  hook: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${url}/api/v1/webhooks/${hook}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(await authHeaders(url)), ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    headers: res.headers,
  };
}

async function executionsOf(url: string, action: string): Promise<Execution[]> {
  return (await api<Execution[]>(url, "GET", `/executions?action=${action}&limit=100`)).body;
}

describe("reactor end to end", () => {
  const running = useSquallNode({ SQUALL_PACKS_PATH: `${FIXTURES}/e2e` });

  it("a webhook fires a rule and core.local writes a file with values from the payload", async () => {
    const path = join(running.node.home, "deployed.txt");
    const res = await post(
      running.node.url,
      "deploy",
      { env: "prod", service: "billing", version: "4.2", path },
      { "X-Team": "ops", "St2-Trace-Tag": "deploy-42" },
    );
    assert.equal(res.status, 202);
    assert.equal(res.body.service, "billing");
    await eventually(
      async () => (existsSync(path) ? true : undefined),
      15_000,
      "the file to be written",
    );
    assert.equal(readFileSync(path, "utf8"), "billing 4.2\n");
    const [execution] = await executionsOf(running.node.url, "core.local");
    assert.ok(execution);
    assert.equal(execution.context.trace_context?.trace_tag, "deploy-42");
    assert.equal((execution.context.rule as { ref: string }).ref, "reactor_pack.write_file");
  });

  it("does not fire when a criterion fails, and disabled rules never fire", async () => {
    const before = (await executionsOf(running.node.url, "core.local")).length;
    const noop = (await executionsOf(running.node.url, "core.noop")).length;
    const res = await post(
      running.node.url,
      "deploy",
      { env: "staging", path: "/dev/null" },
      { "X-Team": "ops" },
    );
    assert.equal(res.status, 202);
    // A later event that does match proves the first one was processed in between.
    const path = join(running.node.home, "second.txt");
    await post(
      running.node.url,
      "deploy",
      { env: "prod", service: "s", version: "1", path },
      { "X-Team": "OPS" },
    );
    await eventually(async () => (existsSync(path) ? true : undefined), 15_000, "the second file");
    assert.equal((await executionsOf(running.node.url, "core.local")).length, before + 1);
    assert.equal(
      (await executionsOf(running.node.url, "core.noop")).length,
      noop,
      "the disabled rule fired",
    );
  });

  it("creates one execution for repeated deliveries with the same idempotency key", async () => {
    const count = async () => (await executionsOf(running.node.url, "core.noop")).length;
    const start = await count();
    for (let i = 0; i < 3; i++) {
      assert.equal((await post(running.node.url, "events", { event_id: "evt-1" })).status, 202);
      assert.equal(
        (
          await post(
            running.node.url,
            "events",
            { event_id: `other-${i}` },
            { "Idempotency-Key": "k-9" },
          )
        ).status,
        202,
      );
    }
    await eventually(
      async () => ((await count()) >= start + 2 ? true : undefined),
      15_000,
      "two executions",
    );
    // A delivery with a fresh key afterwards proves the repeats were processed, not pending.
    await post(running.node.url, "events", { event_id: "evt-2" });
    await eventually(
      async () => ((await count()) >= start + 3 ? true : undefined),
      15_000,
      "the third execution",
    );
    assert.equal(await count(), start + 3);
  });

  it("closes the loop: a failed execution fires the rule on core.st2.generic.actiontrigger", async () => {
    const failed = await api<Execution>(running.node.url, "POST", "/executions", {
      action: "core.local",
      parameters: { cmd: "exit 7" },
    });
    const echoed = await eventually(
      async () => {
        const runs = await executionsOf(running.node.url, "core.echo");
        return runs.find(
          (e) =>
            (e.result as { stdout?: string } | null)?.stdout ===
            `execution ${failed.body.id} failed`,
        );
      },
      15_000,
      "the follow-up execution",
    );
    assert.equal(echoed.status, "succeeded");
    assert.equal(echoed.context.trace_context?.trace_tag, `execution-${failed.body.id}`);
  });

  it("an action's notify section emits a notify trigger that rules can match", async () => {
    const run = await api<Execution>(running.node.url, "POST", "/executions", {
      action: "reactor_pack.announce",
      parameters: { word: "hello" },
    });
    assert.equal(run.status, 201, JSON.stringify(run.body));
    const relayed = await eventually(
      async () =>
        (await executionsOf(running.node.url, "core.echo")).find(
          (e) =>
            (e.result as { stdout?: string } | null)?.stdout === "relay announced hello / hello",
        ),
      15_000,
      "the notification to be relayed",
    );
    assert.equal(relayed.status, "succeeded");
  });

  it("criteria patterns read the datastore", async () => {
    const put = await fetch(`${running.node.url}/api/v1/keys/allowed_env`, {
      method: "PUT",
      headers: { "content-type": "application/json", ...(await authHeaders(running.node.url)) },
      body: JSON.stringify({ name: "allowed_env", value: "qa" }),
    });
    assert.equal(put.status, 200, await put.text());
    await post(running.node.url, "kvgate", { env: "prod" });
    await post(running.node.url, "kvgate", { env: "qa" });
    const gated = await eventually(
      async () => {
        const runs = (await executionsOf(running.node.url, "core.echo")).filter((e) =>
          String((e.result as { stdout?: string } | null)?.stdout ?? "").startsWith("kv gate"),
        );
        return runs.length > 0 ? runs : undefined;
      },
      15_000,
      "the datastore-gated rule to fire",
    );
    assert.deepEqual(
      gated.map((e) => (e.result as { stdout: string }).stdout),
      ["kv gate qa"],
    );
  });

  it("answers unknown webhooks with 404 and malformed JSON with 400", async () => {
    const missing = await post(running.node.url, "nowhere", {});
    assert.equal(missing.status, 404);
    assert.match(String(missing.body.faultstring), /nowhere/);
    const bad = await fetch(`${running.node.url}/api/v1/webhooks/deploy`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await authHeaders(running.node.url)) },
      body: "{oops",
    });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { faultstring: string }).faultstring, /JSON/);
  });

  it("dispatches any trigger through /webhooks/st2", async () => {
    const res = await post(running.node.url, "st2", {
      trigger: "core.st2.generic.actiontrigger",
      payload: { status: "failed", action_ref: "core.local", execution_id: "manual-1" },
    });
    assert.equal(res.status, 202);
    await eventually(
      async () =>
        (await executionsOf(running.node.url, "core.echo")).some(
          (e) => (e.result as { stdout?: string } | null)?.stdout === "execution manual-1 failed",
        )
          ? true
          : undefined,
      15_000,
      "the rule to fire from /webhooks/st2",
    );
  });
});
