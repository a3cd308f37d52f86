/**
 * The SQLite writer thread: owns the one connection that writes, and runs the store's write
 * methods in the order the main thread sent them (those that queued up together in one
 * transaction, see handleBatch).
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

import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import type { Job } from "../../contract.ts";
import type { CommitResult, WriteOp } from "../../reactor-contract.ts";
import { openSqliteWriter, WakeUps } from "../index.ts";
import { withoutPredictable } from "./predict.ts";
import {
  type Aggregate,
  type Effects,
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
let writer: ReturnType<typeof openSqliteWriter>;
try {
  // Every result is serialised into the reply, which copies it: no need to decode copies here.
  writer = openSqliteWriter(path, { now: () => now, wakeups, copyResults: false });
  port.postMessage({ kind: "ready" } satisfies Ready);
} catch (err) {
  port.postMessage({ kind: "failed", error: serializeError(err) } satisfies Ready);
  port.close();
  throw err;
}
const store = writer.store;

type Call = Extract<Request, { kind: "call" }>;

/**
 * Starts one write method. The SQLite store does all of a method's work synchronously (its
 * promise is settled when this returns), which is what lets a batch of calls share one
 * transaction and lets the effects drained right after belong to this call alone.
 */
function invoke(call: Call): { promise: Promise<unknown>; json: boolean; args: unknown[] } {
  now = call.now;
  const json = typeof call.args === "string";
  let promise: Promise<unknown>;
  let args: unknown[] = [];
  try {
    if (!isWrite(call.aggregate, call.method)) {
      throw new Error(`${call.aggregate}.${call.method} is not a store write`);
    }
    const target = store[call.aggregate as Aggregate] as unknown as Record<
      string,
      (...args: unknown[]) => Promise<unknown>
    >;
    args = json ? (JSON.parse(call.args as string) as unknown[]) : (call.args as unknown[]);
    promise = (target[call.method] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
  } catch (err) {
    promise = Promise.reject(err);
  }
  promise.catch(() => {}); // settled and read below; never unhandled
  return { promise, json, args };
}

async function reply(call: Call, started: ReturnType<typeof invoke>, effects: Effects) {
  let message: Reply;
  try {
    let value = await started.promise;
    if (call.aggregate === "reactor" && call.method === "commit") {
      value = withoutPredictable(started.args[0] as WriteOp[], value as CommitResult);
    }
    message =
      started.json && value !== undefined
        ? { id: call.id, ok: true, value: JSON.stringify(value), json: true, ...effects }
        : { id: call.id, ok: true, value, ...effects };
  } catch (err) {
    message = { id: call.id, ok: false, error: serializeError(err), ...effects };
  }
  port?.postMessage(message);
}

/**
 * The calls that arrived while the last batch was being written, as one transaction: each
 * call's own transaction becomes a savepoint, so a failing call undoes only itself, and the
 * batch costs one commit (the pages every call touches, such as index leaves, are written once
 * instead of once per call). Nobody hears of any of it until the whole batch has committed. If
 * the batch itself cannot commit, nothing of it was kept, and each call runs again alone.
 */
async function handleBatch(calls: Call[]): Promise<void> {
  if (calls.length === 1) {
    const call = calls[0] as Call;
    const started = invoke(call);
    await reply(call, started, wakeups.drain());
    return;
  }
  const started: Array<{ call: Call; run: ReturnType<typeof invoke>; effects: Effects }> = [];
  try {
    writer.transaction(() => {
      for (const call of calls) {
        started.push({ call, run: invoke(call), effects: wakeups.drain() });
        // An error SQLite answers by rolling back the whole transaction (a full disk, say):
        // the batch is lost, and its calls are run alone below.
        if (!writer.inTransaction()) throw new Error("the batch's transaction was rolled back");
      }
    });
  } catch {
    wakeups.drain();
    for (const call of calls) await handleBatch([call]);
    return;
  }
  for (const { call, run, effects } of started) await reply(call, run, effects);
}

async function close(request: Extract<Request, { kind: "close" }>): Promise<void> {
  await store.close();
  port?.postMessage({ id: request.id, ok: true, value: null, woken: [], leased: [] });
  port?.close();
}

// One batch at a time, in arrival order: replies keep the order of the requests. Each message
// event takes along every request already waiting behind it.
let chain: Promise<void> = Promise.resolve();
port.on("message", (first: Request) => {
  const requests: Request[] = [first];
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
    requests.push(next.message as Request);
  }
  chain = chain.then(async () => {
    let calls: Call[] = [];
    for (const request of requests) {
      if (request.kind === "call") {
        calls.push(request);
        continue;
      }
      if (calls.length > 0) await handleBatch(calls);
      calls = [];
      await close(request);
    }
    if (calls.length > 0) await handleBatch(calls);
  });
});
