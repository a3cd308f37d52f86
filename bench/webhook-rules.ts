/**
 * W1: webhook → rule match → core.noop, everything durably recorded (trigger instance, rule
 * enforcement, execution and its transitions, action trigger, trace).
 *
 * A bounded number of webhook POSTs over loopback hits 100 rules on one url, of which one
 * matches (3 criteria each). Prints sustained events/s, p50/p99 latency from POST to a
 * succeeded execution, and, in the same run, SQLite's raw single-row commit rate on this
 * machine so the figure reads as a ratio to the hardware's limit.
 *
 *   node --import tsx bench/webhook-rules.ts [events] [concurrency]
 */

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import { api, authHeaders, makeHome, startSquall } from "../test/support/squall-process.ts";

const EVENTS = Number(process.argv[2] ?? 20_000);
const CONCURRENCY = Number(process.argv[3] ?? 256);
const RULES = 100;
/**
 * W1_AUTH=1 runs the node with authentication on (its default) and every POST carrying a token,
 * to show what authentication costs a request; W1 itself is specified without it.
 */
const AUTH = process.env.W1_AUTH === "1";
/** Sockets the requests are spread over (pipelined on each). */
const CONNECTIONS = Math.min(CONCURRENCY, 8);

function writeBenchPack(dir: string): void {
  const pack = join(dir, "bench_pack");
  mkdirSync(join(pack, "rules"), { recursive: true });
  writeFileSync(
    join(pack, "pack.yaml"),
    "name: bench_pack\ndescription: W1\nversion: 0.1.0\nauthor: bench\n",
  );
  for (let i = 0; i < RULES; i++) {
    // Rule 0 matches every event; the others fail on their first or a later criterion.
    const region = i === 0 ? "eu" : `r${i}`;
    writeFileSync(
      join(pack, "rules", `r${i}.yaml`),
      [
        `name: r${i}`,
        "pack: bench_pack",
        "enabled: true",
        "trigger:",
        "  type: core.st2.webhook",
        "  parameters: {url: bench}",
        "criteria:",
        "  trigger.body.kind: {type: equals, pattern: alert}",
        `  trigger.body.region: {type: equals, pattern: ${region}}`,
        "  trigger.body.severity: {type: greaterthan, pattern: 2}",
        "action: {ref: core.noop}",
        "",
      ].join("\n"),
    );
  }
}

function rawCommitRate(dir: string): number {
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("create table t (id integer primary key, v text)");
  const insert = db.prepare("insert into t (v) values (?)");
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) insert.run("x"); // each statement is its own transaction
  const rate = n / ((performance.now() - t0) / 1000);
  db.close();
  return rate;
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux only); with
 * `mainThread`, only its main thread's (where Squall's JavaScript runs, without the GC helpers).
 */
function processCpuSeconds(pid: number | undefined, mainThread = false): number {
  try {
    const stat = readFileSync(
      mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`,
      "utf8",
    );
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
  } catch {
    return Number.NaN;
  }
}

/**
 * Reads 20 events' traces through the API and checks each links its webhook instance, the
 * matching rule, the execution (whose log shows every state) and the action trigger instance
 * (the webhook instance's trigger is the rule's own parameterised trigger, named by a uuid).
 */
async function sampleTraces(url: string, events: number): Promise<string> {
  let ok = 0;
  const n = Math.min(20, events);
  for (let k = 0; k < n; k++) {
    const tag = `w1-${Math.floor((k * events) / n)}`;
    const traces = await api<
      Array<{
        trigger_instances: Array<{ ref: string }>;
        rules: Array<{ ref: string }>;
        action_executions: Array<{ object_id: string }>;
      }>
    >(url, "GET", `/traces?trace_tag=${tag}`);
    const trace = traces.body[0];
    const executionId = trace?.action_executions[0]?.object_id;
    if (!trace || !executionId) continue;
    const execution = await api<{ status: string; log: Array<{ status: string }> }>(
      url,
      "GET",
      `/executions/${executionId}`,
    );
    const states = execution.body.log.map((l) => l.status).join(",");
    if (
      traces.body.length === 1 &&
      trace.trigger_instances.length === 2 &&
      trace.trigger_instances[1]?.ref === "core.st2.generic.actiontrigger" &&
      trace.rules.length === 1 &&
      trace.rules[0]?.ref === "bench_pack.r0" &&
      trace.action_executions.length === 1 &&
      execution.body.status === "succeeded" &&
      states === "requested,scheduled,running,succeeded"
    )
      ok++;
  }
  if (ok !== n) throw new Error(`only ${ok} of ${n} sampled traces are complete`);
  return `complete=${ok}/${n}`;
}

/** Counts each kind of record W1 must leave in the database, and fails on any shortfall. */
function durableCounts(dbPath: string, events: number): string {
  const db = new Database(dbPath, { readonly: true });
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const counts = {
      webhook_instances: count(
        "SELECT COUNT(*) AS n FROM trigger_instances WHERE trace_tag LIKE 'w1-%' AND status = 'processed' AND trigger NOT LIKE 'core.st2.generic.%'",
      ),
      enforcements: count(
        "SELECT COUNT(*) AS n FROM rule_enforcements WHERE rule_ref = 'bench_pack.r0' AND execution_id IS NOT NULL",
      ),
      succeeded_executions: count(
        "SELECT COUNT(*) AS n FROM executions WHERE action_ref = 'core.noop' AND status = 'succeeded'",
      ),
      action_trigger_instances: count(
        "SELECT COUNT(*) AS n FROM trigger_instances WHERE trigger = 'core.st2.generic.actiontrigger'",
      ),
      traces: count("SELECT COUNT(*) AS n FROM traces WHERE trace_tag LIKE 'w1-%'"),
    };
    const short = Object.entries(counts).filter(([, n]) => n !== events);
    if (short.length > 0)
      throw new Error(`expected ${events} of each record, found ${JSON.stringify(counts)}`);
    return `${Object.entries(counts)
      .map(([k, n]) => `${k}=${n}`)
      .join(" ")} (each expected ${events})`;
  } finally {
    db.close();
  }
}

/** CPU seconds used so far by each of a process's threads, by thread id (Linux only). */
function threadCpuSeconds(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(tid, (Number(fields[11]) + Number(fields[12])) / 100);
    }
  } catch {
    // a thread that ended between the listing and the read: its time is lost, not fatal
  }
  return out;
}

/**
 * CPU each thread other than the main one used over the run, busiest first: with the database
 * writer on its own thread (the default), that is the first; V8's garbage-collector helpers
 * follow.
 */
function otherThreads(pid: number | undefined, before: Map<string, number>): number[] {
  const used: number[] = [];
  for (const [tid, cpu] of threadCpuSeconds(pid)) {
    if (tid !== String(pid)) used.push(cpu - (before.get(tid) ?? 0));
  }
  return used.sort((a, b) => b - a);
}

/** Bytes a process has asked the kernel to write so far (all files), from /proc (Linux only). */
function processWrittenBytes(pid: number | undefined): number {
  try {
    return Number(
      /^wchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? Number.NaN,
    );
  } catch {
    return Number.NaN;
  }
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

/**
 * The load generator: raw HTTP/1.1 over a few keep-alive sockets with requests pipelined on
 * each, parsing only the status line and content-length of the answers. node:http costs about
 * 100 µs of CPU a request, which on a shared two-core machine would be taken from the server
 * being measured; this costs a small fraction of it. Answers on one socket come back in request
 * order (HTTP/1.1), so each answer is matched to the oldest request outstanding on its socket.
 */
class PipelinedClient {
  private readonly sockets: Array<{
    socket: net.Socket;
    waiting: Array<{ resolve: (status: number) => void; reject: (err: Error) => void }>;
    buffer: Buffer<ArrayBufferLike>;
  }> = [];
  private next = 0;

  private constructor(private readonly host: string) {}

  static async connect(url: URL, connections: number): Promise<PipelinedClient> {
    const client = new PipelinedClient(url.host);
    for (let i = 0; i < connections; i++) {
      const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("error", reject);
      });
      const entry: PipelinedClient["sockets"][0] = { socket, waiting: [], buffer: Buffer.alloc(0) };
      socket.on("data", (chunk: Buffer) => {
        entry.buffer = entry.buffer.length === 0 ? chunk : Buffer.concat([entry.buffer, chunk]);
        client.drain(entry);
      });
      socket.on("error", (err) => {
        for (const w of entry.waiting.splice(0)) w.reject(err);
      });
      client.sockets.push(entry);
    }
    return client;
  }

  private drain(entry: PipelinedClient["sockets"][0]): void {
    for (;;) {
      const headEnd = entry.buffer.indexOf("\r\n\r\n");
      if (headEnd < 0) return;
      const head = entry.buffer.toString("latin1", 0, headEnd);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (entry.buffer.length < headEnd + 4 + length) return;
      entry.buffer = entry.buffer.subarray(headEnd + 4 + length);
      const status = Number(head.slice(9, 12));
      entry.waiting.shift()?.resolve(status);
    }
  }

  post(path: string, headers: Record<string, string>, body: string): Promise<number> {
    const entry = this.sockets[this.next++ % this.sockets.length];
    if (!entry) throw new Error("the client has no connection");
    let request = `POST ${path} HTTP/1.1\r\nhost: ${this.host}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    for (const [name, value] of Object.entries(headers)) request += `${name}: ${value}\r\n`;
    entry.socket.write(`${request}\r\n${body}`);
    return new Promise((resolve, reject) => entry.waiting.push({ resolve, reject }));
  }

  close(): void {
    for (const { socket } of this.sockets) socket.destroy();
  }
}

let client: PipelinedClient | undefined;
let credentials: Record<string, string> = {};
function post(tag: string, body: string): Promise<number> {
  if (!client) throw new Error("not connected");
  return client.post(
    "/api/v1/webhooks/bench",
    { "content-type": "application/json", "St2-Trace-Tag": tag, ...credentials },
    body,
  );
}

const { home, cleanup } = makeHome("squall-w1-");
writeBenchPack(join(home, "packs"));
const node = await startSquall(home, {
  SQUALL_PACKS_PATH: join(home, "packs"),
  SQUALL_ACTION_CONCURRENCY: process.env.W1_ACTION_CONCURRENCY ?? "200",
  // W1 measures the reactor, not credential checks: the node runs without authentication
  // unless W1_AUTH=1.
  ...(AUTH ? {} : { SQUALL_AUTH_ENABLED: "false" }),
});
if (AUTH) credentials = await authHeaders(node.url);
client = await PipelinedClient.connect(new URL(node.url), CONNECTIONS);
try {
  const sentAt = new Map<string, number>();
  const serverCpu0 = processCpuSeconds(node.child.pid);
  const mainCpu0 = processCpuSeconds(node.child.pid, true);
  const threads0 = threadCpuSeconds(node.child.pid);
  const written0 = processWrittenBytes(node.child.pid);
  const clientCpu0 = process.cpuUsage();
  const t0 = performance.now();
  const t0Wall = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < EVENTS) {
      const i = next++;
      const tag = `w1-${i}`;
      sentAt.set(tag, Date.now());
      const status = await post(
        tag,
        JSON.stringify({ kind: "alert", region: "eu", severity: 3, i }),
      );
      if (status !== 202) throw new Error(`webhook answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const acceptedMs = performance.now() - t0;

  // Wait (bounded) until every event's execution has succeeded.
  const deadline = Date.now() + 300_000;
  let done = 0;
  while (Date.now() < deadline) {
    const res = await api<unknown[]>(
      node.url,
      "GET",
      "/executions?action=core.noop&status=succeeded&limit=1",
    );
    done = Number(res.headers.get("x-total-count"));
    if (done >= EVENTS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const polledMs = performance.now() - t0;
  const serverCpu = processCpuSeconds(node.child.pid) - serverCpu0;
  const mainCpu = processCpuSeconds(node.child.pid, true) - mainCpu0;
  const others = otherThreads(node.child.pid, threads0);
  const otherCpu = others[0] ?? 0;
  const written = processWrittenBytes(node.child.pid) - written0;
  const clientUsage = process.cpuUsage(clientCpu0);
  const clientCpu = (clientUsage.user + clientUsage.system) / 1e6;
  if (done < EVENTS) throw new Error(`only ${done} of ${EVENTS} executions succeeded in time`);

  // The run ends when the last execution ended (its end_timestamp), not when a poll noticed.
  let lastEnd = 0;
  const latencies: number[] = [];
  for (let offset = 0; offset < EVENTS; offset += 1000) {
    const page = await api<
      Array<{ end_timestamp: string; context: { trace_context?: { trace_tag?: string } } }>
    >(node.url, "GET", `/executions?action=core.noop&limit=1000&offset=${offset}`);
    for (const e of page.body) {
      const sent = sentAt.get(e.context.trace_context?.trace_tag ?? "");
      const end = Date.parse(e.end_timestamp);
      lastEnd = Math.max(lastEnd, end);
      if (sent !== undefined) latencies.push(end - sent);
    }
  }
  const totalMs = lastEnd > t0Wall ? lastEnd - t0Wall : polledMs;
  const sample = await sampleTraces(node.url, EVENTS);
  const raw = rawCommitRate(home);
  console.log(
    `w1.events=${EVENTS} concurrency=${CONCURRENCY} connections=${CONNECTIONS} rules=${RULES} (1 matching, 3 criteria each) auth=${AUTH ? "token" : "off"}`,
  );
  console.log(`w1.accepted_per_s=${(EVENTS / (acceptedMs / 1000)).toFixed(0)}`);
  console.log(`w1.sustained_events_per_s=${(EVENTS / (totalMs / 1000)).toFixed(0)} target>=5000`);
  console.log(
    `w1.latency_ms p50=${percentile(latencies, 50)} p99=${percentile(latencies, 99)} samples=${latencies.length}`,
  );
  console.log(
    `w1.cpu_s server=${serverCpu.toFixed(2)} server_main_thread=${mainCpu.toFixed(2)} client=${clientCpu.toFixed(2)} wall=${(totalMs / 1000).toFixed(2)}`,
  );
  console.log(
    `w1.cpu_us_per_event server=${((serverCpu * 1e6) / EVENTS).toFixed(0)} server_main_thread=${((mainCpu * 1e6) / EVENTS).toFixed(0)} server_busiest_other_thread=${((otherCpu * 1e6) / EVENTS).toFixed(0)} client=${((clientCpu * 1e6) / EVENTS).toFixed(0)}`,
  );
  console.log(
    `w1.other_threads_cpu_us_per_event ${others
      .slice(0, 8)
      .map((s) => ((s * 1e6) / EVENTS).toFixed(0))
      .join(" ")}`,
  );
  console.log(`w1.written_bytes_per_event=${(written / EVENTS).toFixed(0)}`);
  console.log(`w1.trace_sample ${sample}`);
  console.log(`sqlite.raw_single_row_commits_per_s=${raw.toFixed(0)}`);
  console.log(`w1.events_per_raw_commit_ratio=${(EVENTS / (totalMs / 1000) / raw).toFixed(3)}`);
  // What is on disk once the node has stopped: every record of every event.
  client?.close();
  await node.kill("SIGTERM");
  console.log(`w1.durable_counts ${durableCounts(join(home, "squall.db"), EVENTS)}`);
} finally {
  client?.close();
  await node.kill("SIGTERM");
  cleanup();
}
