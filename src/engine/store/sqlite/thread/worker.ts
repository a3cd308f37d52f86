/**
 * The SQLite writer thread: owns the one connection that writes, and runs the store's write
 * methods one at a time, in the order the main thread sent them.
 *
 * Why a thread: SQLite statements and commits were about 40 % of the main thread's time under
 * webhook load, and better-sqlite3 is synchronous, so on the main thread they also stalled HTTP.
 * Here they run on the second core while the main thread parses, matches and answers.
 *
 * The store code is the same SqliteStore every other caller uses. Two things differ: its clock
 * reads the time the main thread sampled when it made the call (so injected test clocks and
 * lease arithmetic agree on both sides), and committed work is not announced here but returned
 * with the reply, because the consumers waiting for it live on the main thread.
 */

import { parentPort, workerData } from "node:worker_threads";
import type { Job } from "../../contract.ts";
import { openSqliteStore, WakeUps } from "../index.ts";
import {
  type Aggregate,
  isWrite,
  type Ready,
  type Reply,
  type Request,
  serializeError,
} from "./protocol.ts";

/** Collects what a call's commits announce instead of waking anyone in this thread. */
class CollectingWakeUps extends WakeUps {
  woken = new Set<string>();
  leased: Job[] = [];

  override notify(kinds: Iterable<string>): void {
    for (const kind of kinds) this.woken.add(kind);
  }

  override handOver(jobs: readonly Job[]): void {
    this.leased.push(...jobs);
  }

  /** Handed-over jobs are kept on the main thread, so a claim here always asks the database. */
  override take(): Job[] {
    return [];
  }

  drain(): { woken: string[]; leased: Job[] } {
    const out = { woken: [...this.woken], leased: this.leased };
    this.woken = new Set();
    this.leased = [];
    return out;
  }
}

const port = parentPort;
if (!port) throw new Error("the SQLite writer must run in a worker thread");
const { path } = workerData as { path: string };

let now = Date.now();
const wakeups = new CollectingWakeUps();
let store: ReturnType<typeof openSqliteStore>;
try {
  // Every result is serialised into the reply, which copies it: no need to decode copies here.
  store = openSqliteStore(path, { now: () => now, wakeups, copyResults: false });
  port.postMessage({ kind: "ready" } satisfies Ready);
} catch (err) {
  port.postMessage({ kind: "failed", error: serializeError(err) } satisfies Ready);
  port.close();
  throw err;
}

async function handle(request: Request): Promise<void> {
  if (request.kind === "close") {
    await store.close();
    port?.postMessage({ id: request.id, ok: true, value: null, woken: [], leased: [] });
    port?.close();
    return;
  }
  now = request.now;
  let reply: Reply;
  try {
    if (!isWrite(request.aggregate, request.method)) {
      throw new Error(`${request.aggregate}.${request.method} is not a store write`);
    }
    const target = store[request.aggregate as Aggregate] as unknown as Record<
      string,
      (...args: unknown[]) => Promise<unknown>
    >;
    const json = typeof request.args === "string";
    const args = json ? (JSON.parse(request.args as string) as unknown[]) : request.args;
    const value = await (target[request.method] as (...a: unknown[]) => Promise<unknown>).apply(
      target,
      args as unknown[],
    );
    reply =
      json && value !== undefined
        ? { id: request.id, ok: true, value: JSON.stringify(value), json: true, ...wakeups.drain() }
        : { id: request.id, ok: true, value, ...wakeups.drain() };
  } catch (err) {
    reply = { id: request.id, ok: false, error: serializeError(err), ...wakeups.drain() };
  }
  port?.postMessage(reply);
}

// One call at a time: a write method's transaction never interleaves with another's, and the
// replies keep the order of the requests.
let chain: Promise<void> = Promise.resolve();
port.on("message", (request: Request) => {
  chain = chain.then(() => handle(request));
});
