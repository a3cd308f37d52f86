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

import { mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import Database from "better-sqlite3";
import { api, makeHome, startSquall } from "../test/support/squall-process.ts";

const EVENTS = Number(process.argv[2] ?? 5000);
const CONCURRENCY = Number(process.argv[3] ?? 64);
const RULES = 100;

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

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

// node:http with keep-alive costs the load generator far less CPU than fetch, leaving the
// shared two cores to the server being measured.
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
let target: URL;
function post(tag: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: "/api/v1/webhooks/bench",
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "St2-Trace-Tag": tag,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const { home, cleanup } = makeHome("squall-w1-");
writeBenchPack(join(home, "packs"));
const node = await startSquall(home, {
  SQUALL_PACKS_PATH: join(home, "packs"),
  SQUALL_ACTION_CONCURRENCY: "200",
});
target = new URL(node.url);
try {
  const sentAt = new Map<string, number>();
  const t0 = performance.now();
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
    await new Promise((r) => setTimeout(r, 200));
  }
  const totalMs = performance.now() - t0;
  if (done < EVENTS) throw new Error(`only ${done} of ${EVENTS} executions succeeded in time`);

  const latencies: number[] = [];
  for (let offset = 0; offset < EVENTS; offset += 1000) {
    const page = await api<
      Array<{ end_timestamp: string; context: { trace_context?: { trace_tag?: string } } }>
    >(node.url, "GET", `/executions?action=core.noop&limit=1000&offset=${offset}`);
    for (const e of page.body) {
      const sent = sentAt.get(e.context.trace_context?.trace_tag ?? "");
      if (sent !== undefined) latencies.push(Date.parse(e.end_timestamp) - sent);
    }
  }
  const raw = rawCommitRate(home);
  console.log(
    `w1.events=${EVENTS} concurrency=${CONCURRENCY} rules=${RULES} (1 matching, 3 criteria each)`,
  );
  console.log(`w1.accepted_per_s=${(EVENTS / (acceptedMs / 1000)).toFixed(0)}`);
  console.log(`w1.sustained_events_per_s=${(EVENTS / (totalMs / 1000)).toFixed(0)} target>=5000`);
  console.log(
    `w1.latency_ms p50=${percentile(latencies, 50)} p99=${percentile(latencies, 99)} samples=${latencies.length}`,
  );
  console.log(`sqlite.raw_single_row_commits_per_s=${raw.toFixed(0)}`);
  console.log(`w1.events_per_raw_commit_ratio=${(EVENTS / (totalMs / 1000) / raw).toFixed(3)}`);
} finally {
  agent.destroy();
  await node.kill("SIGTERM");
  cleanup();
}
