/**
 * The SQLite store with its writes on a second thread: the store a node runs on.
 *
 * Reads run here, on a read-only connection (WAL lets them proceed while the writer commits);
 * writes are sent to the writer thread (worker.ts), one message per call, and their promise
 * settles once the writer has committed. So a caller that awaits a write and then reads sees its
 * write, as with the single-connection store; the contract tests run against both.
 *
 * Queue consumers live on this thread, so the writer returns what its commits announce (job
 * kinds to wake, jobs inserted already leased) and this side applies it before settling the
 * call, exactly where the single-connection store applies it after commit.
 */

import { Worker } from "node:worker_threads";
import { SquallError, ValidationError } from "../../../../core/errors.ts";
import type { Job, Store, WorkQueue } from "../../contract.ts";
import { openSqliteStore, WakeUps } from "../index.ts";
import {
  type Aggregate,
  deserializeError,
  type Ready,
  type Reply,
  type Request,
  ROUTES,
} from "./protocol.ts";

export interface ThreadedStoreOptions {
  /** The clock for both threads (the writer uses the time each call was made). */
  now?: () => number;
}

type Pending = { resolve: (value: unknown) => void; reject: (err: unknown) => void };

/** Opens the writer thread on `path` (it creates and migrates the file), then the read side. */
export async function openThreadedSqliteStore(
  path: string,
  options: ThreadedStoreOptions = {},
): Promise<Store> {
  const now = options.now ?? Date.now;
  const worker = startWorker(path);
  const pending = new Map<number, Pending>();
  let stopped: Error | null = null;
  const stop = (err: Error) => {
    stopped ??= err;
    for (const p of pending.values()) p.reject(stopped);
    pending.clear();
  };

  await new Promise<void>((resolve, reject) => {
    const onReady = (m: Ready) => {
      worker.off("error", onError);
      if (m.kind === "ready") resolve();
      else reject(deserializeError(m.error));
    };
    const onError = (err: Error) => {
      worker.off("message", onReady);
      reject(err);
    };
    worker.once("message", onReady);
    worker.once("error", onError);
  });

  const wakeups = new WakeUps();
  let local: Store;
  try {
    local = openSqliteStore(path, { now, readonly: true, wakeups });
  } catch (err) {
    await worker.terminate();
    throw err;
  }

  worker.on("message", (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    // Announced before the caller resumes, as the single-connection store does after commit.
    if (reply.leased.length > 0) wakeups.handOver(reply.leased);
    if (reply.woken.length > 0) wakeups.notify(reply.woken);
    if (reply.ok)
      p.resolve(
        reply.json && typeof reply.value === "string" ? JSON.parse(reply.value) : reply.value,
      );
    else p.reject(deserializeError(reply.error));
  });
  worker.on("error", (err) =>
    stop(new SquallError(`the SQLite writer thread failed: ${err.message}`, { cause: err })),
  );
  worker.on("exit", (code) =>
    stop(new SquallError(`the SQLite writer thread has stopped (exit code ${code})`)),
  );

  let nextId = 1;
  const send = (request: Request, pendingEntry: Pending) => {
    if (stopped) {
      pendingEntry.reject(stopped);
      return;
    }
    pending.set(request.id, pendingEntry);
    worker.postMessage(request);
  };
  const call = (aggregate: Aggregate, method: string, args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) =>
      send(
        { kind: "call", id: nextId++, aggregate, method, args, now: now() },
        { resolve, reject },
      ),
    );

  const route = <T extends object>(aggregate: Aggregate, target: T, own: Partial<T> = {}): T =>
    new Proxy(target, {
      get(t, name, receiver) {
        if (typeof name !== "string") return Reflect.get(t, name, receiver);
        if (name in own) return own[name as keyof T];
        const kind = ROUTES[aggregate][name];
        if (kind === "write") return (...args: unknown[]) => call(aggregate, name, args);
        const value: unknown = Reflect.get(t, name, receiver);
        if (typeof value !== "function") return value;
        if (kind === "read") return value.bind(t);
        // An unlisted method would run on the read-only connection: refuse it plainly instead.
        return () =>
          Promise.reject(new SquallError(`store method ${aggregate}.${name} is not routed`));
      },
    });

  const queue: Partial<WorkQueue> = {
    // Jobs the writer handed over (inserted already leased to `owner`) wait here, where their
    // consumer runs; only when there are none does a claim cost a trip to the writer.
    claim: async (kind, n, owner, leaseMs) => {
      if (Number.isInteger(n) && n > 0 && Number.isFinite(leaseMs) && leaseMs > 0) {
        const handed: Job[] = wakeups.take(kind, owner, n, now(), leaseMs / 2);
        if (handed.length > 0) return handed;
      }
      return call("queue", "claim", [kind, n, owner, leaseMs]) as Promise<Job[]>;
    },
    releaseOwner: async (owner) => {
      if (typeof owner !== "string" || owner.length === 0) {
        throw new ValidationError("owner must be a non-empty string", { field: "owner" });
      }
      wakeups.forgetOwner(owner);
      return call("queue", "releaseOwner", [owner]) as Promise<number>;
    },
  };

  let closing: Promise<void> | null = null;
  return {
    executions: route("executions", local.executions),
    queue: route("queue", local.queue, queue),
    content: route("content", local.content),
    kv: route("kv", local.kv),
    reactor: route("reactor", local.reactor),
    workflows: route("workflows", local.workflows),
    close() {
      closing ??= (async () => {
        if (!stopped) {
          const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
          await new Promise((resolve, reject) =>
            send({ kind: "close", id: nextId++ }, { resolve, reject }),
          ).catch(() => {});
          await exited;
        }
        await local.close();
      })();
      return closing;
    },
  };
}

/**
 * The worker runs this package's TypeScript sources, but threads do not inherit the loader
 * hooks the main thread registered (nor does `--import` in a worker's execArgv load them), so
 * a thread started from a .ts module registers tsx itself before importing its entry.
 */
function startWorker(path: string): Worker {
  if (!import.meta.url.endsWith(".ts")) {
    return new Worker(new URL("./worker.js", import.meta.url), { workerData: { path } });
  }
  const entry = new URL("./worker.ts", import.meta.url).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: { path } });
}
