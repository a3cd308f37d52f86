/**
 * Runs the real `bin/squall.js` as a subprocess against a small HTTP server on 127.0.0.1 that
 * speaks the API the CLI depends on. The server keeps just enough state to walk executions
 * through their statuses, so exit codes, tables, --json output and the stream follower are
 * exercised over real sockets. (The end-to-end run against the real server lives elsewhere.)
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import type { ActionDef, RunnerType } from "../../src/core/content/model.ts";
import type { Execution, OutputChunk } from "../../src/core/execution/model.ts";

const BIN = resolve(import.meta.dirname, "../../bin/squall.js");

function actionDef(ref: string, parameters: ActionDef["parameters"]): ActionDef {
  const [pack = "", name = ""] = ref.split(".");
  return {
    ref,
    uid: `action:${pack}:${name}`,
    name,
    pack,
    description: `The ${name} action`,
    enabled: true,
    runner_type: "local-shell-cmd",
    entry_point: "",
    parameters,
    metadata_file: `actions/${name}.yaml`,
  };
}

const ACTIONS: ActionDef[] = [
  actionDef("demo.echo", {
    message: { type: "string", required: true },
    count: { type: "integer" },
    tags: { type: "array" },
    flag: { type: "boolean" },
  }),
  actionDef("demo.fail", {}),
  actionDef("core.local", {}),
];
const RUNNERS: RunnerType[] = [
  {
    name: "local-shell-cmd",
    description: "runs shell commands",
    enabled: true,
    runner_parameters: { cmd: { type: "string" }, timeout: { type: "integer" } },
  },
];

/** The fake server's memory; tests read it to see what the CLI sent. */
interface FakeState {
  executions: Execution[];
  output: Map<string, OutputChunk[]>;
  posted: unknown[];
  registered: unknown[];
  tokens: Array<string | undefined>;
  streamConnections: Map<string, number>;
}

const state: FakeState = {
  executions: [],
  output: new Map(),
  posted: [],
  registered: [],
  tokens: [],
  streamConnections: new Map(),
};
let nextId = 0;

function newExecution(ref: string, parameters: Record<string, unknown>): Execution {
  nextId++;
  const execution: Execution = {
    id: `${(0x65000000 + nextId).toString(16)}${"0".repeat(16)}`,
    action: { ref, runner_type: "local-shell-cmd" },
    parameters,
    status: "requested",
    result: null,
    context: { user: "tester" },
    parent: null,
    delay: null,
    start_timestamp: "2024-05-01T10:00:00.000Z",
    end_timestamp: null,
    log: [{ status: "requested", timestamp: "2024-05-01T10:00:00.000Z" }],
    runner_node: null,
    revision: 1,
  };
  state.executions.unshift(execution);
  return execution;
}

function chunk(execution: Execution, seq: number, type: "stdout" | "stderr", data: string) {
  const list = state.output.get(execution.id) ?? [];
  list.push({ seq, execution_id: execution.id, output_type: type, data, timestamp: "t" });
  state.output.set(execution.id, list);
}

/** Each read moves an execution one step: requested → running → its final status. */
function advance(execution: Execution): void {
  if (execution.status === "requested") {
    execution.status = "running";
  } else if (execution.status === "running" && execution.action.ref !== "core.local") {
    const ok = execution.action.ref === "demo.echo";
    execution.status = ok ? "succeeded" : "failed";
    execution.end_timestamp = "2024-05-01T10:00:02.000Z";
    execution.result = ok
      ? { stdout: `said ${String(execution.parameters.message)}`, succeeded: true }
      : { error: "boom", succeeded: false };
  }
}

function send(res: ServerResponse, status: number, body: unknown, total?: number): void {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (total !== undefined) headers["x-total-count"] = String(total);
  res.writeHead(status, headers).end(JSON.stringify(body));
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const part of req) text += String(part);
  return text === "" ? {} : JSON.parse(text);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fake");
  const path = url.pathname;
  const q = url.searchParams;
  state.tokens.push(req.headers["x-auth-token"] as string | undefined);
  const page = <T>(items: T[]) => {
    const offset = Number(q.get("offset") ?? 0);
    const limit = Number(q.get("limit") ?? 100);
    send(res, 200, items.slice(offset, offset + limit), items.length);
  };
  const findExecution = (id: string | undefined) => state.executions.find((e) => e.id === id);
  const actionPath = path.match(/^\/api\/v1\/actions\/([^/]+)$/);
  const executionPath = path.match(/^\/api\/v1\/executions\/([^/]+)(\/output)?$/);
  const streamPath = path.match(/^\/stream\/v1\/executions\/([^/]+)\/output$/);

  if (req.method === "GET" && path === "/api/v1/actions") {
    return page(ACTIONS.filter((a) => !q.get("pack") || a.pack === q.get("pack")));
  }
  if (req.method === "GET" && actionPath) {
    const found = ACTIONS.find((a) => a.ref === decodeURIComponent(actionPath[1] ?? ""));
    return found ? send(res, 200, found) : send(res, 404, { faultstring: "Resource not found" });
  }
  if (req.method === "GET" && path === "/api/v1/runnertypes") return page(RUNNERS);
  if (req.method === "GET" && path === "/api/v1/packs") {
    return page([
      {
        ref: "demo",
        name: "demo",
        description: "Demo pack",
        version: "1.0.0",
        author: "me",
        path: "/p/demo",
      },
    ]);
  }
  if (req.method === "POST" && path === "/api/v1/packs/register") {
    const body = (await readBody(req)) as { packs?: string[] };
    state.registered.push(body);
    const packs = (body.packs ?? []).map((p) => {
      const name = p.split("/").pop() ?? p;
      const errors =
        name === "broken"
          ? [
              {
                pack: name,
                file: "actions/bad.yaml",
                field: "parameters.cmd",
                line: 4,
                column: 3,
                message: "must be object",
              },
            ]
          : [];
      return {
        pack: name,
        path: p,
        registered: true,
        counts: { action: 2, rule: 0 },
        pruned: 0,
        errors,
      };
    });
    // Like the real server, the top-level list repeats every pack's errors.
    return send(res, 200, { packs, errors: packs.flatMap((p) => p.errors) });
  }
  if (req.method === "POST" && path === "/api/v1/executions") {
    const body = (await readBody(req)) as { action: string; parameters?: Record<string, unknown> };
    state.posted.push(body);
    if (!ACTIONS.some((a) => a.ref === body.action)) {
      return send(res, 404, { faultstring: `Action ${body.action} not found` });
    }
    return send(res, 201, newExecution(body.action, body.parameters ?? {}));
  }
  if (req.method === "GET" && path === "/api/v1/executions") {
    return page(
      state.executions.filter(
        (e) =>
          (!q.get("action") || e.action.ref === q.get("action")) &&
          (!q.get("status") || e.status === q.get("status")),
      ),
    );
  }
  if (executionPath) {
    const execution = findExecution(executionPath[1]);
    if (!execution)
      return send(res, 404, { faultstring: `Execution ${executionPath[1]} not found` });
    if (executionPath[2]) {
      const afterSeq = Number(q.get("after_seq") ?? 0);
      return send(
        res,
        200,
        (state.output.get(execution.id) ?? []).filter((c) => c.seq > afterSeq),
      );
    }
    if (req.method === "DELETE") {
      // StackStorm's answers: the record again when already canceled, 200 + faultstring when
      // finished otherwise.
      if (execution.status === "canceled") return send(res, 200, execution);
      if (execution.end_timestamp) {
        return send(res, 200, {
          faultstring: `Action cannot be canceled. State = ${execution.status}.`,
        });
      }
      execution.status = "canceled";
      execution.end_timestamp = "2024-05-01T10:00:01.000Z";
      return send(res, 200, execution);
    }
    advance(execution);
    return send(res, 200, execution);
  }
  if (streamPath) {
    const execution = findExecution(streamPath[1]);
    if (!execution) return send(res, 404, { faultstring: "not found" });
    const connection = (state.streamConnections.get(execution.id) ?? 0) + 1;
    state.streamConnections.set(execution.id, connection);
    res.writeHead(200, { "content-type": "text/event-stream" });
    // core.local executions simulate a dropped connection: the first stream closes early.
    if (execution.action.ref === "core.local" && connection === 1) {
      chunk(execution, 1, "stdout", "first line\n");
      sse(res, "st2.execution.output__create", state.output.get(execution.id)?.[0]);
      return void res.end();
    }
    if (execution.action.ref === "core.local") {
      chunk(execution, 2, "stderr", "warning line\n");
      execution.status = "succeeded";
      execution.end_timestamp = "2024-05-01T10:00:03.000Z";
    }
    for (const c of state.output.get(execution.id) ?? [])
      sse(res, "st2.execution.output__create", c);
    if (execution.end_timestamp) sse(res, "st2.execution__update", execution);
    return void res.end();
  }
  send(res, 404, { faultstring: `no route ${req.method} ${path}` });
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let server: Server;
let baseUrl = "";

function squall(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", SQUALL_API_URL: baseUrl, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += String(d)));
    child.stderr.on("data", (d) => (stderr += String(d)));
    // A hung CLI must fail the test rather than hang the suite.
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

before(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { faultstring: String(err) }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe("squall CLI against an HTTP peer", () => {
  it("lists actions as a table and as JSON", async () => {
    const table = await squall(["action", "list"]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[1] ?? "", /^\| ref\s+\| pack\s+\| description\s+\|$/);
    assert.match(table.stdout, /\| demo\.echo\s+\| demo\s+\| The echo action\s+\|/);

    const json = await squall(["action", "list", "--pack", "demo", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(
      (JSON.parse(json.stdout) as ActionDef[]).map((a) => a.ref),
      ["demo.echo", "demo.fail"],
    );
  });

  it("suggests `squall action list` for an unknown action, and sends the token", async () => {
    const res = await squall(["action", "get", "nope.nothing"], { SQUALL_AUTH_TOKEN: "s3cret" });
    assert.equal(res.code, 1);
    assert.equal(res.stdout, "");
    assert.equal(
      res.stderr.trim(),
      'ERROR: Action "nope.nothing" not found. Run `squall action list` to see what exists.',
    );
    assert.equal(state.tokens.at(-1), "s3cret");
  });

  it("runs an action with cast parameters, waits, prints the result and exits 0", async () => {
    const res = await squall([
      "run",
      "demo.echo",
      "message=hi",
      "count=3",
      "tags=a,b",
      "flag=TRUE",
      "--trace-tag",
      "t1",
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(state.posted.at(-1), {
      action: "demo.echo",
      parameters: { message: "hi", count: 3, tags: ["a", "b"], flag: true },
      context: { trace_context: { trace_tag: "t1" } },
    });
    assert.match(res.stdout, /^id: [0-9a-f]{24}\naction\.ref: demo\.echo\ncontext\.user: tester\n/);
    assert.match(res.stdout, /\nstatus: succeeded \(2s elapsed\)\n/);
    assert.match(res.stdout, /\nresult:\n {2}stdout: said hi\n {2}succeeded: true/);
  });

  it("exits 1 when the execution fails, and prints it as JSON with --json", async () => {
    const res = await squall(["--json", "run", "demo.fail"]);
    assert.equal(res.code, 1);
    const execution = JSON.parse(res.stdout) as Execution;
    assert.equal(execution.status, "failed");
    assert.deepEqual(execution.result, { error: "boom", succeeded: false });
  });

  it("refuses unknown parameters before creating anything", async () => {
    const posted = state.posted.length;
    const res = await squall(["run", "demo.echo", "message=x", "bogus=1"]);
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      /ERROR: demo\.echo has no parameter "bogus"\. It accepts: cmd, count, flag, message, tags, timeout\./,
    );
    assert.equal(state.posted.length, posted);
  });

  it("reads @name=file relative to the working directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "squall-cli-"));
    writeFileSync(join(dir, "msg.txt"), "from a file");
    const res = await squall(["run", "demo.echo", "@message=msg.txt", "--yaml"], {}, dir);
    assert.equal(res.code, 0, res.stderr);
    assert.equal((parseYaml(res.stdout) as Execution).parameters.message, "from a file");
  });

  it("returns at once with --async and says how to follow up", async () => {
    const res = await squall(["run", "demo.echo", "message=later", "--async", "--delay", "1500"]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual((state.posted.at(-1) as { delay?: number }).delay, 1500);
    assert.match(res.stdout, /status: requested/);
    const id = state.executions[0]?.id ?? "";
    assert.ok(res.stdout.includes(`squall execution get ${id}`));
    assert.ok(res.stdout.includes(`squall execution tail ${id}`));
  });

  it("lists executions newest first as a table, filtered, and as JSON", async () => {
    const table = await squall(["execution", "list", "--action", "demo.echo"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout.split("\n")[1] ?? "",
      /^\| id\s+\| action\.ref\s+\| context\.user\s+\| status/,
    );
    assert.doesNotMatch(table.stdout, /demo\.fail/);

    const json = await squall(["execution", "list", "-n", "2", "--json"]);
    const listed = JSON.parse(json.stdout) as Execution[];
    assert.deepEqual(
      listed.map((e) => e.id),
      state.executions.slice(0, 2).map((e) => e.id),
    );

    const short = await squall(["execution", "list", "-n", "1"]);
    assert.match(short.stderr, /only the 1 most recent of \d+ executions are shown/);

    const bad = await squall(["execution", "list", "--status", "done"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--status must be one of requested, scheduled/);
  });

  it("gets and cancels executions, and explains a missing one", async () => {
    const execution = newExecution("demo.echo", { message: "c" });
    const cancel = await squall(["execution", "cancel", execution.id]);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.equal(
      cancel.stdout.trim(),
      `Cancellation requested for execution ${execution.id} (status: canceled).`,
    );

    const again = await squall(["execution", "cancel", execution.id, "--json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as Execution).status, "canceled");

    const done = newExecution("demo.echo", { message: "d" });
    done.status = "succeeded";
    done.end_timestamp = "2024-05-01T10:00:01.000Z";
    const refused = await squall(["execution", "cancel", done.id]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.trim(),
      `ERROR: Execution ${done.id} was not canceled: Action cannot be canceled. State = succeeded. ` +
        `See \`squall execution get ${done.id}\`.`,
    );

    const get = await squall(["execution", "get", execution.id]);
    assert.match(get.stdout, /\nlog:\n {2}- status: requested\n/);

    const missing = await squall(["execution", "get", "000000000000000000000000"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Execution "0{24}" not found\. Run `squall execution list`/);
  });

  it("tails output live, resumes after a dropped stream without repeating, exits by status", async () => {
    const execution = newExecution("core.local", { cmd: "x" });
    execution.status = "running";
    const res = await squall(["execution", "tail", execution.id]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, "first line\n");
    assert.equal(
      res.stderr,
      `warning line\n\nExecution ${execution.id} has completed (status=succeeded).\n`,
    );
    assert.equal(state.streamConnections.get(execution.id), 2);

    const failed = newExecution("demo.fail", {});
    failed.status = "failed";
    failed.end_timestamp = "2024-05-01T10:00:05.000Z";
    chunk(failed, 1, "stdout", "partial\n");
    const tailed = await squall(["execution", "tail", failed.id, "--json"]);
    assert.equal(tailed.code, 1);
    const events = tailed.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string });
    assert.deepEqual(
      events.map((e) => e.event),
      ["st2.execution.output__create", "st2.execution__update"],
    );
  });

  it("registers packs by absolute path and prints each error with file, line and field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "squall-packs-"));
    const res = await squall(["pack", "register", "./good", "broken/", "core"], {}, dir);
    assert.equal(res.code, 1);
    assert.deepEqual(state.registered.at(-1), {
      packs: [join(dir, "good"), join(dir, "broken"), "core"],
    });
    assert.match(res.stdout, /\| good\s+\| \S+good\s+\| action: 2\s+\| 0\s+\|/);
    assert.match(
      res.stdout,
      /1 error:\n {2}\[broken\] actions\/bad\.yaml:4:3 parameters\.cmd: must be object/,
    );

    const ok = await squall(["pack", "register", "./good"], {}, dir);
    assert.equal(ok.code, 0, ok.stderr);
  });

  it("says Squall is not running when nothing listens at the URL", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const url = `http://127.0.0.1:${port}`;
    const res = await squall(["execution", "list"], { SQUALL_API_URL: url });
    assert.equal(res.code, 1);
    assert.equal(
      res.stderr.trim(),
      `ERROR: Squall is not running at ${url}. Start it with \`squall up\` (or set SQUALL_API_URL).`,
    );
  });
});
