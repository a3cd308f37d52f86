/**
 * The main thread's handle on the writer thread (worker.ts): starts it, sends it calls and
 * settles each call from its reply, and rebuilds errors as their own classes.
 */

import { Worker } from "node:worker_threads";
import { SquallError } from "../../../../core/errors.ts";
import type { WriteOp } from "../../reactor-contract.ts";
import type { WakeUps } from "../wakeups.ts";
import { type CompactResult, withPredicted } from "./predict.ts";
import {
  type Aggregate,
  deserializeError,
  type Ready,
  type Reply,
  type Request,
  travelsAsJson,
} from "./protocol.ts";

type Pending = {
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  /** Completes the value the reply carries (a commit's predictable results). */
  complete?: (value: unknown) => unknown;
};

export class WriterThread {
  /** Settles when the thread's store is open (or could not be opened). */
  readonly ready: Promise<void>;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #stopped: Error | null = null;
  #closing: Promise<void> | null = null;

  constructor(
    path: string,
    /** Where committed work is announced, before the call that committed it settles. */
    private readonly wakeups: WakeUps,
    private readonly now: () => number,
  ) {
    this.#worker = startWorker(path);
    this.ready = new Promise<void>((resolve, reject) => {
      const onReady = (m: Ready) => {
        this.#worker.off("error", onError);
        if (m.kind === "ready") resolve();
        else reject(deserializeError(m.error));
      };
      const onError = (err: Error) => {
        this.#worker.off("message", onReady);
        reject(err);
      };
      this.#worker.once("message", onReady);
      this.#worker.once("error", onError);
    });
    // Nobody may be waiting on `ready` when it fails; the failure is reported by the owner.
    this.ready.catch(() => {});
    this.#worker.on("message", (reply: Reply | Ready) => {
      if ("id" in reply) this.#settle(reply);
    });
    this.#worker.on("error", (err) =>
      this.#stop(
        new SquallError(`the SQLite writer thread failed: ${err.message}`, { cause: err }),
      ),
    );
    this.#worker.on("exit", (code) =>
      this.#stop(new SquallError(`the SQLite writer thread has stopped (exit code ${code})`)),
    );
  }

  call(aggregate: Aggregate, method: string, args: unknown[]): Promise<unknown> {
    const now = this.now();
    const complete =
      aggregate === "reactor" && method === "commit" && Array.isArray(args[0])
        ? (value: unknown) => withPredicted(args[0] as WriteOp[], value as CompactResult, now)
        : undefined;
    return new Promise((resolve, reject) =>
      this.#send(
        {
          kind: "call",
          id: this.#nextId++,
          aggregate,
          method,
          args: travelsAsJson(aggregate, method) ? JSON.stringify(args) : args,
          now,
        },
        { resolve, reject, ...(complete ? { complete } : {}) },
      ),
    );
  }

  /** Closes the thread's store (its last commit done) and ends the thread. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#stopped) return;
      const exited = new Promise<void>((resolve) => this.#worker.once("exit", () => resolve()));
      const ready = await this.ready.then(
        () => true,
        () => false,
      );
      if (ready) {
        await new Promise((resolve, reject) =>
          this.#send({ kind: "close", id: this.#nextId++ }, { resolve, reject }),
        ).catch(() => {});
      } else {
        await this.#worker.terminate();
      }
      await exited;
    })();
    return this.#closing;
  }

  #send(request: Request, pending: Pending): void {
    if (this.#stopped) {
      pending.reject(this.#stopped);
      return;
    }
    this.#pending.set(request.id, pending);
    this.#worker.postMessage(request);
  }

  #settle(reply: Reply): void {
    const p = this.#pending.get(reply.id);
    if (!p) return;
    this.#pending.delete(reply.id);
    // Announced before the caller resumes, as the single-connection store does after commit.
    if (reply.leased.length > 0) this.wakeups.handOver(reply.leased);
    if (reply.woken.length > 0) this.wakeups.notify(reply.woken);
    if (!reply.ok) {
      p.reject(deserializeError(reply.error));
      return;
    }
    const value =
      reply.json && typeof reply.value === "string" ? JSON.parse(reply.value) : reply.value;
    if (!p.complete) {
      p.resolve(value);
      return;
    }
    try {
      p.resolve(p.complete(value));
    } catch (err) {
      p.reject(err);
    }
  }

  #stop(err: Error): void {
    this.#stopped ??= err;
    for (const p of this.#pending.values()) p.reject(this.#stopped);
    this.#pending.clear();
  }
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
