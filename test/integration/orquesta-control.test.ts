/**
 * Pause, resume and cancel of workflows (cascading to children and nested workflows), re-run
 * from failed tasks, over REST (StackStorm's PUT /executions/{id} and re_run) and the CLI.
 */

import assert from "node:assert/strict";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Execution } from "../../src/core/execution/model.ts";
import { squall } from "../support/cli.ts";
import { api, useSquallNode } from "../support/squall-process.ts";
import {
  children,
  completion,
  perTask,
  registerOrquestaPack,
  run,
  start,
  waitFor,
} from "./orquesta-fixture.ts";

const put = (url: string, id: string, status: string) =>
  api<Execution & { faultstring?: string }>(url, "PUT", `/executions/${id}`, { status });

describe("orquesta pause, resume, cancel and re-run", () => {
  const running = useSquallNode();
  const url = () => running.node.url;
  const flags: string[] = [];
  before(() => registerOrquestaPack(url()));
  after(() => {
    for (const f of flags) rmSync(f, { force: true });
  });

  it("pauses after the running tasks finish, then resumes and completes", async () => {
    const e = await start(url(), "orquesta_pack.slow", { seconds: 1 });
    await waitFor(url(), e.id, (x) => x.status === "running", "to run");
    await waitFor(url(), e.id, () => true, "", 1000);
    const paused = await put(url(), e.id, "paused");
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.ok(["pausing", "paused"].includes(paused.body.status), paused.body.status);
    const settled = await waitFor(url(), e.id, (x) => x.status === "paused", "to pause");
    // Both running tasks finished; the joined task was not started while paused.
    assert.deepEqual(perTask(await children(url(), e.id)), { a: 1, b: 1 });
    assert.ok(settled.log.some((l) => l.status === "pausing"));
    const resumed = await put(url(), e.id, "running");
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    const done = await completion(url(), e.id);
    assert.equal(done.status, "succeeded", JSON.stringify(done.result));
    assert.deepEqual(perTask(await children(url(), e.id)), { a: 1, b: 1, c: 1 });
    assert.deepEqual(
      done.log.map((l) => l.status),
      [
        "requested",
        "scheduled",
        "running",
        "pausing",
        "paused",
        "resuming",
        "running",
        "succeeded",
      ],
    );
  });

  it("refuses to pause what is not a running workflow (400)", async () => {
    const done = await run(url(), "orquesta_pack.join");
    const completed = await put(url(), done.id, "paused");
    assert.equal(completed.status, 400);
    const child = (await children(url(), done.id))[0] as Execution;
    const plain = await put(url(), child.id, "paused");
    assert.equal(plain.status, 400);
    const e = await start(url(), "orquesta_pack.slow", { seconds: 1 });
    await waitFor(url(), e.id, (x) => x.status === "running", "to run");
    const resume = await put(url(), e.id, "running");
    assert.equal(resume.status, 200, "resuming a running workflow changes nothing");
    assert.equal(resume.body.status, "running");
    await completion(url(), e.id);
  });

  it("pauses a nested workflow with its parent and resumes both", async () => {
    const e = await start(url(), "orquesta_pack.nested", { seconds: 1 });
    const inner = await waitFor(url(), e.id, () => true, "", 1000).then(async () => {
      for (let i = 0; i < 100; i++) {
        const kids = await children(url(), e.id);
        if (kids[0]?.status === "running") return kids[0];
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error("the inner workflow did not start");
    });
    assert.equal((await put(url(), e.id, "paused")).status, 200);
    await waitFor(url(), inner.id, (x) => x.status === "paused", "inner to pause");
    await waitFor(url(), e.id, (x) => x.status === "paused", "outer to pause");
    assert.equal((await put(url(), e.id, "running")).status, 200);
    const done = await completion(url(), e.id);
    assert.equal(done.status, "succeeded", JSON.stringify(done.result));
    const innerDone = await completion(url(), inner.id);
    assert.equal(innerDone.status, "succeeded");
    assert.deepEqual(perTask(await children(url(), e.id)), { inner: 1, after: 1 });
  });

  it("cancels a workflow, its running children and its nested workflow", async () => {
    const e = await start(url(), "orquesta_pack.nested", { seconds: 20 });
    const inner = await waitFor(url(), e.id, () => true, "", 1000).then(async () => {
      for (let i = 0; i < 100; i++) {
        const kids = await children(url(), e.id);
        const grandchildren = kids[0] ? await children(url(), kids[0].id) : [];
        if (grandchildren.filter((g) => g.status === "running").length === 2) return kids[0];
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error("the inner workflow's tasks did not start");
    });
    assert.ok(inner);
    const res = await api<Execution>(url(), "DELETE", `/executions/${e.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.status, "canceling");
    const done = await completion(url(), e.id, 15_000);
    assert.equal(done.status, "canceled");
    assert.equal((await completion(url(), inner.id)).status, "canceled");
    for (const g of await children(url(), inner.id)) assert.equal(g.status, "canceled");
    assert.deepEqual(perTask(await children(url(), e.id)), { inner: 1 });
  });

  it("pauses while a task waits for an inquiry and resumes once it is answered", async () => {
    const e = await start(url(), "orquesta_pack.approval");
    const paused = await waitFor(url(), e.id, (x) => x.status === "paused", "to pause");
    assert.ok(paused.log.some((l) => l.status === "pausing" || l.status === "paused"));
    const ask = (await children(url(), e.id))[0] as Execution;
    assert.equal(ask.status, "pending");
    const answer = await api(url(), "PUT", `/inquiries/${ask.id}`, {
      id: ask.id,
      response: { continue: true },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const done = await completion(url(), e.id);
    assert.equal(done.status, "succeeded", JSON.stringify(done.result));
    assert.deepEqual(done.result, { output: { answer: true } });
    assert.deepEqual(perTask(await children(url(), e.id)), { ask: 1, after: 1 });
  });

  it("re-runs a failed workflow from a task: earlier tasks are not run again", async () => {
    const flag = join(tmpdir(), `squall-orq-flag-${process.pid}-${Date.now()}`);
    flags.push(flag);
    const failed = await run(url(), "orquesta_pack.rerun", { flag });
    assert.equal(failed.status, "failed");
    writeFileSync(flag, "");
    const res = await api<Execution>(url(), "POST", `/executions/${failed.id}/re_run`, {
      tasks: ["check"],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const done = await completion(url(), res.body.id);
    assert.equal(done.status, "succeeded", JSON.stringify(done.result));
    assert.deepEqual(done.result, { output: { found: "flag-found" } });
    assert.deepEqual(perTask(await children(url(), done.id)), { check: 1 });
    // The old execution is left as it was.
    assert.deepEqual(perTask(await children(url(), failed.id)), { setup: 1, check: 1 });
    assert.ok(existsSync(flag));
  });

  it("refuses re-run options that cannot apply", async () => {
    const done = await run(url(), "orquesta_pack.join");
    const child = (await children(url(), done.id))[0] as Execution;
    const tasks = await api(url(), "POST", `/executions/${child.id}/re_run`, { tasks: ["x"] });
    assert.equal(tasks.status, 400);
    const reset = await api(url(), "POST", `/executions/${done.id}/re_run`, {
      tasks: ["left"],
      reset: ["right"],
    });
    assert.equal(reset.status, 400);
    // A succeeded workflow cannot continue from a task: the new execution fails saying so.
    const again = await api<Execution>(url(), "POST", `/executions/${done.id}/re_run`, {
      tasks: ["left"],
    });
    assert.equal(again.status, 201);
    const refused = await completion(url(), again.body.id);
    assert.equal(refused.status, "failed");
    assert.deepEqual(refused.result, {
      errors: [{ message: "Workflow execution is not in a rerunable state." }],
      output: null,
    });
  });

  it("pauses, resumes and re-runs from the CLI", async () => {
    // Long enough for a CLI process to start and log in while the tasks run.
    const e = await start(url(), "orquesta_pack.slow", { seconds: 4 });
    await waitFor(url(), e.id, (x) => x.status === "running", "to run");
    const paused = await squall(url(), ["execution", "pause", e.id, "--json"]);
    assert.equal(paused.code, 0, paused.stderr);
    assert.ok(["pausing", "paused"].includes((JSON.parse(paused.stdout) as Execution).status));
    await waitFor(url(), e.id, (x) => x.status === "paused", "to pause");
    const resumed = await squall(url(), ["execution", "resume", e.id]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await completion(url(), e.id)).status, "succeeded");

    const flag = join(tmpdir(), `squall-orq-cli-flag-${process.pid}-${Date.now()}`);
    flags.push(flag);
    const failed = await run(url(), "orquesta_pack.rerun", { flag });
    writeFileSync(flag, "");
    const rerun = await squall(url(), [
      "execution",
      "re-run",
      failed.id,
      "--tasks",
      "check",
      "--json",
    ]);
    assert.equal(rerun.code, 0, rerun.stderr);
    const created = JSON.parse(rerun.stdout) as Execution;
    assert.equal(
      created.context["re-run"] && (created.context["re-run"] as { ref: string }).ref,
      failed.id,
    );
    assert.equal((await completion(url(), created.id)).status, "succeeded");
    const wrong = await squall(url(), ["execution", "pause", "000000000000000000000000"]);
    assert.equal(wrong.code, 1);
  });
});
