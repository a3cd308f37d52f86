import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import type { ApiContext } from "../../src/api/context.ts";
import { errorHandler } from "../../src/api/errors.ts";
import { streamRoutes } from "../../src/api/routes/stream.ts";
import { readEventStream, type SseEvent } from "../../src/cli/sse.ts";
import type { Execution, OutputChunk } from "../../src/core/execution/model.ts";
import { EventBus } from "../../src/engine/events.ts";
import { newId } from "../../src/engine/ids.ts";
import { createLogger, MASK, SecretRegistry } from "../../src/engine/logger.ts";
import { ExecutionService } from "../../src/engine/services/executions.ts";
import type { Store } from "../../src/engine/store/contract.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";

let dir: string;
let store: Store;
let bus: EventBus;
let secrets: SecretRegistry;
let executions: ExecutionService;
let app: FastifyInstance;
let base: string;
const open = new Set<() => void>();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "squall-stream-"));
  store = openSqliteStore(join(dir, "db.sqlite"));
  bus = new EventBus();
  secrets = new SecretRegistry();
  const log = createLogger("silent", secrets);
  executions = new ExecutionService(store, bus, (_a, _r, p) => p, log, new Set(["noop"]));
  const ctx: ApiContext = {
    store,
    executions,
    bus,
    secrets,
    registerPacks: async () => {
      throw new Error("pack registration is not part of the stream");
    },
  };
  app = Fastify();
  app.setErrorHandler(errorHandler);
  // A short heartbeat so the test sees one without waiting StackStorm's 25 s.
  await app.register(async (scope) => streamRoutes(scope, ctx, open, { heartbeatMs: 40 }), {
    prefix: "/stream/v1",
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const end of [...open]) end();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function create(ref = "demo.noop", runner = "noop"): Promise<Execution> {
  const execution = await store.executions.create({
    id: newId(),
    action: { ref, runner_type: runner },
    parameters: { x: 1 },
    context: { user: "stanley" },
  });
  executions.published([execution]);
  return execution;
}

async function output(id: string, type: OutputChunk["output_type"], data: string): Promise<void> {
  await store.executions.appendOutput(id, [{ output_type: type, data }]);
  const chunks = await store.executions.readOutput(id);
  const last = chunks[chunks.length - 1];
  if (last) bus.emit("execution.output", last);
}

/** An open stream: events arrive in `events`; `raw` has every byte, heartbeats included. */
interface Client {
  events: SseEvent[];
  raw(): string;
  /** Resolves when the server closes the stream. */
  closed: Promise<void>;
  waitFor(n: number): Promise<void>;
  abort(): void;
}

async function connect(path: string): Promise<Client> {
  const controller = new AbortController();
  const res = await fetch(base + path, { signal: controller.signal });
  assert.equal(res.status, 200, await (res.status === 200 ? "" : res.text()));
  assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  assert.equal(res.headers.get("x-accel-buffering"), "no");
  assert.ok(res.body);
  const [forEvents, forRaw] = res.body.tee();
  const events: SseEvent[] = [];
  let raw = "";
  let wake: () => void = () => {};
  const decoder = new TextDecoder();
  const rawDone = (async () => {
    try {
      for await (const chunk of forRaw) {
        raw += decoder.decode(chunk, { stream: true });
        wake();
      }
    } catch {
      // aborted by the test
    }
  })();
  const closed = (async () => {
    try {
      for await (const event of readEventStream(forEvents)) {
        events.push(event);
        wake();
      }
    } catch {
      // aborted by the test
    }
    await rawDone;
  })();
  // The stream opens with a bare newline, so once it is here the listeners are attached.
  await until(
    () => raw.length > 0,
    () => new Promise((r) => (wake = r as () => void)),
  );
  return {
    events,
    raw: () => raw,
    closed,
    waitFor: (n) =>
      until(
        () => events.length >= n,
        () => new Promise((r) => (wake = r as () => void)),
      ),
    abort: () => controller.abort(),
  };
}

async function until(ok: () => boolean, next: () => Promise<void>): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) {
    await Promise.race([next(), new Promise((r) => setTimeout(r, 50))]);
  }
  assert.ok(ok(), "the stream did not deliver in time");
}

const names = (c: Client) => c.events.map((e) => e.event);

describe("GET /stream/v1/stream", () => {
  it("sends liveaction and execution events for creates and updates, by default", async () => {
    const client = await connect("/stream/v1/stream");
    const execution = await create();
    await executions.transition(execution.id, "scheduled");
    await client.waitFor(4);
    client.abort();
    assert.deepEqual(names(client), [
      "st2.liveaction__create",
      "st2.execution__create",
      "st2.liveaction__update",
      "st2.execution__update",
    ]);
    const liveaction = JSON.parse(client.events[0]?.data ?? "{}");
    assert.equal(liveaction.action, "demo.noop");
    assert.equal(liveaction.action_is_workflow, false);
    const record = JSON.parse(client.events[3]?.data ?? "{}");
    assert.equal(record.id, execution.id);
    assert.equal(record.status, "scheduled");
    assert.deepEqual(record.action, { ref: "demo.noop", runner_type: "noop" });
  });

  it("filters by event glob, action ref and execution id", async () => {
    const onlyUpdates = await connect("/stream/v1/stream?events=st2.execution__up*");
    const byRef = await connect("/stream/v1/stream?action_refs=demo.other");
    const a = await create();
    const b = await create("demo.other");
    const byId = await connect(`/stream/v1/stream?execution_ids=${a.id}&events=st2.*`);
    await executions.transition(b.id, "scheduled");
    await executions.transition(a.id, "scheduled");
    await onlyUpdates.waitFor(2);
    await byRef.waitFor(4);
    await byId.waitFor(1);
    for (const c of [onlyUpdates, byRef, byId]) c.abort();
    assert.deepEqual(names(onlyUpdates), ["st2.execution__update", "st2.execution__update"]);
    assert.deepEqual(
      byRef.events.map((e) => [e.event, JSON.parse(e.data).id]),
      [
        ["st2.liveaction__create", b.id],
        ["st2.execution__create", b.id],
        ["st2.liveaction__update", b.id],
        ["st2.execution__update", b.id],
      ],
    );
    // Liveaction bodies carry no execution id in StackStorm, so execution_ids drops them.
    assert.deepEqual(
      byId.events.map((e) => [e.event, JSON.parse(e.data).id]),
      [["st2.execution__update", a.id]],
    );
  });

  it("sends output chunks when asked, masked, labelled with the action", async () => {
    secrets.add("hunter22");
    const client = await connect("/stream/v1/stream?events=st2.execution.output__create");
    const execution = await create();
    await output(execution.id, "stdout", "password is hunter22\n");
    await client.waitFor(1);
    client.abort();
    const body = JSON.parse(client.events[0]?.data ?? "{}");
    assert.equal(client.events[0]?.event, "st2.execution.output__create");
    assert.equal(body.data, `password is ${MASK}\n`);
    assert.equal(body.execution_id, execution.id);
    assert.equal(body.action_ref, "demo.noop");
    assert.equal(body.runner_ref, "noop");
    assert.equal(body.output_type, "stdout");
  });

  it("masks secret values in results", async () => {
    secrets.add("s3cr3t-value");
    const client = await connect("/stream/v1/stream?events=st2.execution__update");
    const execution = await create();
    await executions.transition(execution.id, "scheduled");
    await executions.transition(execution.id, "running");
    await executions.transition(execution.id, "succeeded", {
      patch: { result: { token: "s3cr3t-value" } },
    });
    await client.waitFor(3);
    client.abort();
    const last = JSON.parse(client.events[2]?.data ?? "{}");
    assert.deepEqual(last.result, { token: MASK });
  });

  it("ends after the end execution's completing update, still sending it", async () => {
    const execution = await create();
    const client = await connect(
      `/stream/v1/stream?events=st2.execution__update&end_execution_id=${execution.id}&end_event=st2.execution__update`,
    );
    await executions.transition(execution.id, "scheduled");
    await executions.transition(execution.id, "running");
    await executions.transition(execution.id, "succeeded", { patch: { result: {} } });
    await client.closed;
    assert.deepEqual(
      client.events.map((e) => JSON.parse(e.data).status),
      ["scheduled", "running", "succeeded"],
    );
  });

  it("catches a late follower up on an execution that already finished (st2 run --tail)", async () => {
    const execution = await create();
    await output(execution.id, "stdout", "quick\n");
    await executions.transition(execution.id, "canceled");
    const client = await connect(
      `/stream/v1/stream?events=st2.execution__update,st2.execution.output__create&end_execution_id=${execution.id}&end_event=st2.execution__update`,
    );
    await client.closed;
    assert.deepEqual(names(client), ["st2.execution.output__create", "st2.execution__update"]);
    assert.equal(JSON.parse(client.events[0]?.data ?? "{}").data, "quick\n");
  });

  it("relays announcements under st2.announcement__<route>", async () => {
    const client = await connect("/stream/v1/stream");
    bus.emit("announcement", { route: "chatops", payload: { message: "hi" } });
    await client.waitFor(1);
    client.abort();
    assert.equal(client.events[0]?.event, "st2.announcement__chatops");
    assert.deepEqual(JSON.parse(client.events[0]?.data ?? "{}"), { message: "hi" });
  });

  it("opens with a newline and sends newline heartbeats while idle", async () => {
    const client = await connect("/stream/v1/stream");
    await until(
      () => client.raw().length >= 3,
      () => new Promise((r) => setTimeout(r, 20)),
    );
    client.abort();
    assert.match(client.raw(), /^\n\n\n/);
    assert.deepEqual(client.events, []);
  });

  it("refuses a malformed filter with 400", async () => {
    const res = await fetch(`${base}/stream/v1/stream?end_event=${"x".repeat(2000)}`);
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { faultstring: string }).faultstring, /end_event/);
  });
});

describe("GET /stream/v1/executions/{id}/output", () => {
  it("replays, follows, filters by output_type and ends with EOF on completion", async () => {
    const execution = await create();
    await executions.transition(execution.id, "scheduled");
    await executions.transition(execution.id, "running");
    await output(execution.id, "stdout", "one\n");
    await output(execution.id, "stderr", "err\n");
    const all = await connect(`/stream/v1/executions/${execution.id}/output`);
    const stdout = await connect(`/stream/v1/executions/${execution.id}/output?output_type=stdout`);
    await all.waitFor(2);
    await output(execution.id, "stdout", "two\n");
    await all.waitFor(3);
    await executions.transition(execution.id, "succeeded", { patch: { result: {} } });
    await Promise.all([all.closed, stdout.closed]);
    const data = (c: Client) =>
      c.events.map((e) => (e.event === "EOF" ? "EOF" : JSON.parse(e.data).data));
    assert.deepEqual(data(all), ["one\n", "err\n", "two\n", "EOF"]);
    assert.deepEqual(data(stdout), ["one\n", "two\n", "EOF"]);
    assert.equal(all.events[3]?.data, "''");
  });

  it("closes at once for a finished execution, and knows `last`", async () => {
    const execution = await create();
    await output(execution.id, "stdout", "done\n");
    await executions.transition(execution.id, "canceled");
    const client = await connect("/stream/v1/executions/last/output");
    await client.closed;
    assert.deepEqual(names(client), ["st2.execution.output__create", "EOF"]);
  });

  it("answers 404 for an unknown execution and 400 for a bad output_type", async () => {
    const missing = await fetch(`${base}/stream/v1/executions/${"0".repeat(24)}/output`);
    assert.equal(missing.status, 404);
    const execution = await create();
    const bad = await fetch(`${base}/stream/v1/executions/${execution.id}/output?output_type=x`);
    assert.equal(bad.status, 400);
  });
});
