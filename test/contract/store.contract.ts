/**
 * The store contract suite. Every Store implementation runs it unchanged:
 *
 *   runStoreContract("sqlite", async () => {
 *     const clock = new ManualClock();
 *     const store = openMyStore({ now: clock.now });
 *     return { store, clock, cleanup: async () => { await store.close(); dropData(); } };
 *   });
 *
 * `open` is called once per test and must return an empty store driven by the given clock, so
 * lease expiry and TTLs are tested without sleeping. Nothing here may depend on a particular
 * database; implementation-specific checks belong in that implementation's own test file.
 */

import { describe } from "node:test";
import { contentContract } from "./content.contract.ts";
import { executionContract } from "./executions.contract.ts";
import type { OpenStore } from "./fixtures.ts";
import { kvContract } from "./kv.contract.ts";
import { queueContract } from "./queue.contract.ts";
import { queueLeaseContract } from "./queue-lease.contract.ts";
import { reactorContract } from "./reactor.contract.ts";
import { workflowContract } from "./workflows.contract.ts";

export { ManualClock, type OpenStore, type StoreFixture, type TestClock } from "./fixtures.ts";

export function runStoreContract(name: string, open: OpenStore): void {
  describe(`${name} store contract`, () => {
    executionContract(open);
    queueContract(open);
    queueLeaseContract(open);
    contentContract(open);
    kvContract(open);
    reactorContract(open);
    workflowContract(open);
  });
}
