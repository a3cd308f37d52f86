/**
 * Group commit: concurrent callers' unit-of-work commits that arrive in the same turn of the
 * event loop are applied in ONE database transaction. Under load this turns hundreds of tiny
 * transactions a second (scheduler, workers, notifier, webhooks, each committing alone) into a
 * few large ones, which is what the durable-commit budget allows; when idle, a commit waits at
 * most one `setImmediate` turn.
 *
 * Each caller keeps all-or-nothing semantics: if the combined transaction fails, every caller's
 * operations are retried in their own transaction, so one caller's illegal transition fails
 * only that caller.
 */

import { withContentCache } from "./content-cache.ts";
import type { Store } from "./contract.ts";
import type { CommitResult, ReactorStore, WriteOp } from "./reactor-contract.ts";

interface Pending {
  ops: WriteOp[];
  resolve: (result: CommitResult) => void;
  reject: (err: unknown) => void;
}

/** How many execution / instance results a caller's ops produce, to split the combined result. */
function shape(ops: WriteOp[]): { executions: number; instances: number } {
  let executions = 0;
  let instances = 0;
  for (const op of ops) {
    if (op.op === "execution.create" || op.op === "execution.transition") executions++;
    else if (op.op === "instance.create") instances++;
  }
  return { executions, instances };
}

export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly store: Pick<ReactorStore, "commit">,
    /** Upper bound on operations per combined transaction, to keep each one short. */
    private readonly maxOps = 5_000,
    /**
     * Combined transactions sent before the first has answered. With the writer on its own
     * thread, two keep it busy: it commits one group while the next is already waiting, instead
     * of idling while this thread settles the previous group's callers. A group only ever holds
     * commits whose callers saw everything they depend on committed (they awaited it), so
     * groups in flight together are independent of each other; the store applies them in order.
     */
    private readonly maxInFlight = 2,
  ) {}

  commit(ops: WriteOp[]): Promise<CommitResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ops, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const group: Pending[] = [];
      let count = 0;
      while (
        this.queue.length > 0 &&
        (group.length === 0 || count + (this.queue[0]?.ops.length ?? 0) <= this.maxOps)
      ) {
        const next = this.queue.shift() as Pending;
        group.push(next);
        count += next.ops.length;
      }
      this.inFlight++;
      void this.apply(group).finally(() => {
        this.inFlight--;
        this.kick();
      });
    }
  }

  private async apply(group: Pending[]): Promise<void> {
    if (group.length === 1) {
      const only = group[0] as Pending;
      await this.store.commit(only.ops).then(only.resolve, only.reject);
      return;
    }
    let combined: CommitResult;
    try {
      combined = await this.store.commit(group.flatMap((p) => p.ops));
    } catch {
      // Someone's operations are invalid: isolate them by committing each caller alone.
      for (const p of group) await this.store.commit(p.ops).then(p.resolve, p.reject);
      return;
    }
    let e = 0;
    let i = 0;
    for (const p of group) {
      const s = shape(p.ops);
      p.resolve({
        executions: combined.executions.slice(e, e + s.executions),
        instances: combined.instances.slice(i, i + s.instances),
      });
      e += s.executions;
      i += s.instances;
    }
  }
}

/** The store as one node uses it: commits grouped per event-loop turn, content reads cached. */
export function nodeStore(store: Store): Store {
  const committer = new GroupCommitter(store.reactor);
  // Delegate with bound methods: implementations may keep private fields, which a prototype
  // chain (Object.create) would not reach.
  const reactor = new Proxy(store.reactor, {
    get(target, name, receiver) {
      if (name === "commit") return (ops: WriteOp[]) => committer.commit(ops);
      const value: unknown = Reflect.get(target, name, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    executions: store.executions,
    queue: store.queue,
    content: withContentCache(store.content),
    kv: store.kv,
    reactor,
    workflows: store.workflows,
    close: () => store.close(),
  };
}
