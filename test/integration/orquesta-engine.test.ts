/**
 * The durable Orquesta engine on a real node and SQLite file: workflows run as executions whose
 * tasks are child executions, with StackStorm's contexts and result shapes.
 */

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { api, eventually, useSquallNode } from "../support/squall-process.ts";
import {
  children,
  completion,
  perTask,
  registerOrquestaPack,
  run,
  start,
} from "./orquesta-fixture.ts";

describe("orquesta workflows on the durable engine", () => {
  const running = useSquallNode();
  const url = () => running.node.url;
  before(async () => {
    await registerOrquestaPack(url());
    for (const [name, value, secret] of [
      ["orq_test_key", "v1", false],
      ["orq_secret", "s3cret", true],
    ] as const) {
      const res = await api(url(), "PUT", `/keys/${name}`, { name, value, secret });
      assert.ok(res.status < 300, JSON.stringify(res.body));
    }
  });

  it("runs a sequence, publishing in order, with one child per task linked to the parent", async () => {
    const done = await run(url(), "orquesta_pack.sequence", { name: "bob" });
    assert.equal(done.status, "succeeded", JSON.stringify(done.result));
    assert.deepEqual(done.result, {
      output: { first: "hello bob", second: "second after hello bob" },
    });
    const kids = await children(url(), done.id);
    assert.deepEqual(perTask(kids), { task1: 1, task2: 1, task3: 1 });
    for (const child of kids) {
      assert.equal(child.parent, done.id);
      assert.equal(child.status, "succeeded");
      const orq = child.context.orquesta as Record<string, unknown>;
      assert.equal(orq.workflow_execution_id, done.id);
      assert.equal(orq.task_name, orq.task_id);
      assert.equal(orq.task_route, 0);
      assert.equal(typeof orq.task_execution_id, "string");
      assert.equal(child.context.parent?.execution_id, done.id);
      assert.equal(child.context.user, done.context.user, "children run as the workflow's user");
    }
  });

  it("joins two branches", async () => {
    const done = await run(url(), "orquesta_pack.join");
    assert.equal(done.status, "succeeded", JSON.stringify(done.result));
    assert.deepEqual(done.result, { output: { joined: "left-right" } });
    assert.deepEqual(perTask(await children(url(), done.id)), {
      start: 1,
      left: 1,
      right: 1,
      both: 1,
    });
  });

  it("emits an action trigger for every child, inline noop or not, and the workflow, traced", async () => {
    const done = await run(url(), "orquesta_pack.join");
    assert.equal(done.status, "succeeded", JSON.stringify(done.result));
    const kids = await children(url(), done.id);
    assert.deepEqual(kids.map((k) => k.action.ref).sort(), [
      "core.local",
      "core.local",
      "core.noop",
      "core.noop",
    ]);
    const ids = [done.id, ...kids.map((k) => k.id)].sort();
    type Instance = { id: string; payload: { execution_id: string; status: string } };
    const instances = await eventually(
      async () => {
        const res = await api<Instance[]>(
          url(),
          "GET",
          "/triggerinstances?trigger=core.st2.generic.actiontrigger&limit=1000",
        );
        const mine = res.body.filter((i) => ids.includes(i.payload.execution_id));
        return mine.length >= ids.length ? mine : undefined;
      },
      10_000,
      "an action trigger per execution",
    );
    // Exactly one each, whether built inline with the child or by the notifier.
    assert.deepEqual(instances.map((i) => i.payload.execution_id).sort(), ids);
    for (const i of instances) assert.equal(i.payload.status, "succeeded");
    const tag = done.context.trace_context?.trace_tag;
    assert.ok(tag, "the workflow has a trace tag");
    type Trace = { trigger_instances: Array<{ object_id: string }> };
    const traced = await api<Trace[]>(url(), "GET", `/traces?trace_tag=${encodeURIComponent(tag)}`);
    assert.equal(traced.status, 200, JSON.stringify(traced.body));
    const linked = new Set(traced.body.flatMap((t) => t.trigger_instances.map((c) => c.object_id)));
    for (const i of instances) assert.ok(linked.has(i.id), `instance ${i.id} is in the trace`);
  });

  it("runs with-items under the concurrency limit, results in item order", async () => {
    const xs = ["a", "b", "c", "d", "e", "f", "g"];
    const done = await run(url(), "orquesta_pack.items", { xs, concurrency: 2 });
    assert.equal(done.status, "succeeded", JSON.stringify(done.result));
    assert.deepEqual(done.result, { output: { out: xs.map((x) => `item ${x}`) } });
    const kids = await children(url(), done.id);
    assert.equal(kids.length, xs.length);
    const items = kids.map((k) => (k.context.orquesta as Record<string, unknown>).item_id).sort();
    assert.deepEqual(items, [0, 1, 2, 3, 4, 5, 6]);
    // Never more than two items running at once: each item starts after an earlier one ended.
    const spans = kids.map((k) => ({
      start: Date.parse(k.log.find((l) => l.status === "running")?.timestamp ?? ""),
      end: Date.parse(k.end_timestamp ?? ""),
    }));
    for (const s of spans) {
      const overlapping = spans.filter((o) => o.start <= s.start && o.end > s.start).length;
      assert.ok(overlapping <= 2, `at most 2 items at once, saw ${overlapping}`);
    }
  });

  it("runs 1,000 noop items and counts them", async () => {
    const done = await run(url(), "orquesta_pack.noop_items", { n: 1000, concurrency: 100 });
    assert.equal(done.status, "succeeded", JSON.stringify(done.result));
    assert.deepEqual(done.result, { output: { count: 1000 } });
    assert.equal((await children(url(), done.id)).length, 1000);
  });

  it("retries a failing task until it succeeds", async () => {
    const marker = `/tmp/squall-orq-retry-${process.pid}-${Date.now()}`;
    const done = await run(url(), "orquesta_pack.retry", { marker });
    assert.equal(done.status, "succeeded", JSON.stringify(done.result));
    assert.deepEqual(done.result, { output: { attempts: "ok-3" } });
    const kids = await children(url(), done.id);
    assert.deepEqual(
      kids.map((k) => k.status),
      ["failed", "failed", "succeeded"],
    );
  });

  it("fails with StackStorm's errors list and renders the output on failure", async () => {
    const done = await run(url(), "orquesta_pack.failure");
    assert.equal(done.status, "failed");
    const result = done.result as { errors: Array<Record<string, unknown>>; output: unknown };
    assert.deepEqual(result.output, { stage: "middle" });
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0]?.message, "Execution failed. See result for details.");
    assert.equal(result.errors[0]?.task_id, "boom");
    assert.equal((result.errors[0]?.result as Record<string, unknown> | undefined)?.return_code, 3);
  });

  it("fills ctx().st2, reads st2kv (decrypted on request) and task()", async () => {
    const done = await run(url(), "orquesta_pack.context", { key_name: "system.orq_test_key" });
    assert.equal(done.status, "succeeded", JSON.stringify(done.result));
    const output = (done.result as { output: Record<string, unknown> }).output;
    assert.deepEqual(output.st2, {
      action_execution_id: done.id,
      api_url: `${url()}/api/v1`,
      user: done.context.user,
      pack: "orquesta_pack",
      action: "orquesta_pack.context",
      runner: "orquesta",
      workflow_execution_id: done.id,
    });
    assert.equal(output.value, "v1");
    // Decrypted (the ciphertext would not be recognised) and, as a secret datastore value, masked
    // in what the API returns.
    assert.equal(output.secret, "********");
    assert.equal(output.first_status, "succeeded");
    assert.equal(output.first_stdout, "from-first");
    assert.equal(output.jinja_first, "from-first");
  });

  it("fails on a datastore key that does not exist, naming it", async () => {
    const done = await run(url(), "orquesta_pack.kv_missing");
    assert.equal(done.status, "failed");
    const result = done.result as { errors: Array<{ message: string }>; output: unknown };
    assert.match(
      result.errors[0]?.message ?? "",
      /ExpressionEvaluationException: The key "orq_no_such_key" does not exist in the StackStorm datastore\./,
    );
    assert.equal((await children(url(), done.id)).length, 0);
  });

  it("fails a workflow whose definition does not pass inspection, without running anything", async () => {
    const done = await run(url(), "orquesta_pack.invalid");
    assert.equal(done.status, "failed");
    const result = done.result as { errors: Array<Record<string, unknown>>; output: unknown };
    assert.equal(result.output, null);
    assert.deepEqual(
      result.errors.map((e) => [e.type, e.spec_path]),
      [
        ["content", "tasks.a.action"],
        ["semantic", "tasks.a.next[0].do"],
      ],
    );
    assert.equal((await children(url(), done.id)).length, 0);
  });

  it("lists a workflow with its status while it runs", async () => {
    const e = await start(url(), "orquesta_pack.slow", { seconds: 1 });
    const done = await completion(url(), e.id);
    assert.equal(done.status, "succeeded");
    assert.deepEqual(
      done.log.map((l) => l.status),
      ["requested", "scheduled", "running", "succeeded"],
    );
  });
});
