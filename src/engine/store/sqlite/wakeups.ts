/**
 * In-process wake-ups for queue consumers. SQLite has no LISTEN/NOTIFY; with a single writer
 * process, every enqueue passes through this object, so announcing committed work here is enough
 * to let idle workers sleep instead of polling.
 */

import { EventEmitter } from "node:events";

/** Resolves on wake-up, timeout or abort; `cancel` resolves it early and frees the listener. */
export interface Waiter {
  promise: Promise<void>;
  cancel(): void;
}

export class WakeUps {
  readonly #emitter = new EventEmitter();
  #closed = false;

  constructor() {
    // Any number of workers may wait on one kind; that is not a leak.
    this.#emitter.setMaxListeners(0);
  }

  /** Announces committed work. Call only after the transaction that wrote it has committed. */
  notify(kinds: Iterable<string>): void {
    for (const kind of kinds) this.#emitter.emit(eventName(kind));
  }

  /** Registers synchronously, so work enqueued after this call is never missed. */
  wait(kind: string, timeoutMs: number, signal?: AbortSignal): Waiter {
    if (this.#closed || signal?.aborted) return { promise: Promise.resolve(), cancel: () => {} };
    const event = eventName(kind);
    let finish: () => void = () => {};
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), Math.max(0, timeoutMs));
      finish = () => {
        clearTimeout(timer);
        this.#emitter.off(event, finish);
        this.#emitter.off(CLOSE, finish);
        signal?.removeEventListener("abort", finish);
        resolve();
      };
      this.#emitter.once(event, finish);
      this.#emitter.once(CLOSE, finish);
      signal?.addEventListener("abort", finish, { once: true });
    });
    return { promise, cancel: () => finish() };
  }

  /** Releases every waiter, so workers notice the store closing instead of sleeping on. */
  close(): void {
    this.#closed = true;
    this.#emitter.emit(CLOSE);
  }
}

// Prefixed so a kind such as "error" cannot collide with EventEmitter's special events.
const eventName = (kind: string) => `kind:${kind}`;
const CLOSE = "store:close";
