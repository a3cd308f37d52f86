/**
 * A real SQLite store and execution service with inquirer executions in them, for the inquiry
 * service, expiry and route tests. Inquiries are created the way the action worker leaves them:
 * `running`, then `pending` with the inquirer runner's result.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Execution } from "../../src/core/execution/model.ts";
import { EventBus } from "../../src/engine/events.ts";
import { newId } from "../../src/engine/ids.ts";
import { inquiryResultFrom } from "../../src/engine/inquiries/model.ts";
import { createLogger, SecretRegistry } from "../../src/engine/logger.ts";
import { ExecutionService } from "../../src/engine/services/executions.ts";
import type { Store } from "../../src/engine/store/contract.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";

export interface InquiryHarness {
  store: Store;
  executions: ExecutionService;
  bus: EventBus;
  log: ReturnType<typeof createLogger>;
  /** A pending inquiry asking with these runner parameters (defaults where left out). */
  inquiry(parameters?: Record<string, unknown>): Promise<Execution>;
  /** A pending execution of a runner other than the inquirer. */
  otherExecution(status: "running" | "succeeded"): Promise<Execution>;
  close(): Promise<void>;
}

export function openInquiryHarness(options: { now?: () => number } = {}): InquiryHarness {
  const dir = mkdtempSync(join(tmpdir(), "squall-inquiry-"));
  const store = openSqliteStore(join(dir, "db.sqlite"), options.now ? { now: options.now } : {});
  const bus = new EventBus();
  const log = createLogger("silent", new SecretRegistry());
  const executions = new ExecutionService(
    store,
    bus,
    (_action, _runner, parameters) => parameters,
    log,
    new Set(["inquirer", "noop"]),
  );
  return {
    store,
    executions,
    bus,
    log,
    async inquiry(parameters = {}) {
      const id = newId();
      await store.executions.create({
        id,
        action: { ref: "core.ask", runner_type: "inquirer" },
        parameters,
        context: { user: "stanley" },
        status: "running",
      });
      return store.executions.transition(id, "pending", {
        patch: { result: inquiryResultFrom(parameters) },
      });
    },
    async otherExecution(status) {
      const id = newId();
      await store.executions.create({
        id,
        action: { ref: "core.noop", runner_type: "noop" },
        parameters: {},
        context: { user: "stanley" },
        status: "running",
      });
      if (status === "running") return (await store.executions.get(id)) as Execution;
      return store.executions.transition(id, "succeeded", { patch: { result: {} } });
    },
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
