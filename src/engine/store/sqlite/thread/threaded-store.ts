/**
 * The SQLite store with its writes on a second thread: the store a node runs on.
 *
 * Reads run here, on a read-only connection (WAL lets them proceed while the writer commits);
 * writes are sent to the writer thread (worker.ts), one message per call, and their promise
 * settles once the writer has committed. So a caller that awaits a write and then reads sees its
 * write, as with the single-connection store; the contract tests run against both.
 *
 * Start-up does not wait for the thread (a new JavaScript isolate takes a few hundred ms to
 * load the store code, a quarter of the node's start-up budget): until it is ready, writes run
 * on a writable connection here, each finished before the call returns, so none is in flight
 * when writes move to the thread. If the thread cannot start at all, writes stay here.
 *
 * Queue consumers live on this thread, so the writer returns what its commits announce (job
 * kinds to wake, jobs inserted already leased) and this side applies it before settling the
 * call, exactly where the single-connection store applies it after commit.
 */

import { SquallError, ValidationError } from "../../../../core/errors.ts";
import type { Job, Store, WorkQueue } from "../../contract.ts";
import { openSqliteStore, WakeUps } from "../index.ts";
import { type Aggregate, ROUTES } from "./protocol.ts";
import { WriterThread } from "./writer-thread.ts";

export interface ThreadedStoreOptions {
  /** The clock for both threads (the writer uses the time each call was made). */
  now?: () => number;
  /** Told when the writer thread could not start (writes then stay on this thread). */
  onWriterFailed?: (err: unknown) => void;
  /**
   * true: the writer thread starts only on `startWriter()`, so a node can first become ready
   * (the thread's start competes with the node's own for the two cores). Default: at once.
   */
  deferWriter?: boolean;
}

/** The store a caller awaits until the writer thread has taken over (tests, benchmarks). */
export interface ThreadedStore extends Store {
  /** Settles once writes run on the writer thread, or rejects if it could not start. */
  readonly writerReady: Promise<void>;
  /** Starts the writer thread (when deferred); later calls do nothing. */
  startWriter(): void;
}

export function openThreadedSqliteStore(
  path: string,
  options: ThreadedStoreOptions = {},
): ThreadedStore {
  const now = options.now ?? Date.now;
  const wakeups = new WakeUps();
  // Opened first: it creates and migrates the file the other two connections open.
  let direct: Store | null = openSqliteStore(path, { now, wakeups, optimizeOnClose: false });
  let local: Store;
  try {
    local = openSqliteStore(path, { now, readonly: true, wakeups });
  } catch (err) {
    void direct.close();
    throw err;
  }
  let writer: WriterThread | null = null;
  let closed = false;
  let startWriter: () => void = () => {};
  const writerReady = new Promise<void>((resolve, reject) => {
    startWriter = () => {
      if (writer || closed) return;
      writer = new WriterThread(path, wakeups, now);
      writer.ready
        .then(async () => {
          if (closed || !direct) return;
          const retired = direct;
          direct = null;
          await retired.close();
        })
        .then(resolve, reject);
    };
  });
  writerReady.catch((err: unknown) => options.onWriterFailed?.(err));
  if (!options.deferWriter) startWriter();

  const call = (aggregate: Aggregate, method: string, args: unknown[]): Promise<unknown> => {
    if (closed) {
      return Promise.reject(new SquallError("the store is closed (its writer thread has stopped)"));
    }
    if (!direct && writer) return writer.call(aggregate, method, args);
    if (!direct) return Promise.reject(new SquallError("the store has no writer"));
    const target = direct[aggregate] as unknown as Record<string, (...a: unknown[]) => unknown>;
    return Promise.resolve((target[method] as (...a: unknown[]) => unknown).apply(target, args));
  };

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
    writerReady,
    startWriter: () => startWriter(),
    close() {
      closing ??= (async () => {
        closed = true;
        // Waiting consumers are released first, as the single-connection store does.
        wakeups.close();
        await writer?.close();
        await direct?.close();
        direct = null;
        await local.close();
      })();
      return closing;
    },
  };
}
