/** The workflow engine's dependencies and settings. */

import type { Execution } from "../../core/execution/model.ts";
import type { Logger } from "../logger.ts";
import type { Runner } from "../runners/contract.ts";
import type { PreparedRun } from "../services/action-worker.ts";
import type { ExecutionService } from "../services/executions.ts";
import type { Store } from "../store/contract.ts";
import type { WriteOp } from "../store/reactor-contract.ts";

export interface WorkflowEngineOptions {
  store: Store;
  executions: ExecutionService;
  /** Renders a workflow execution's parameters (the action worker's preparer). */
  prepare: (execution: Execution) => Promise<PreparedRun>;
  log: Logger;
  nodeId: string;
  /** Public API base URL, for `ctx().st2.api_url`. */
  apiUrl: () => string;
  /** Decrypts secret datastore values for `st2kv(key, decrypt=true)`. */
  decryptKv?: (ciphertext: string) => string;
  /** Events between snapshots (compaction); default 500. */
  snapshotEvery?: number;
  /** Workflows kept in memory; default 1,000. */
  cacheSize?: number;
  /**
   * The node's runners: children with an in-process runner (noop) run inside the step that
   * creates them (inline.ts). Without it every child goes through the queue.
   */
  runners?: ReadonlyMap<string, Runner>;
  /** In-process children run per step; default 1,000. */
  inlineBudget?: number;
  /**
   * A completed execution's trigger instances (the reactor's `notifications`, as the action
   * worker gets them), committed with the completion of inline children and of workflows
   * instead of a notifier job per completion. Without it the notifier builds them.
   */
  notifications?: (completed: Execution) => Promise<WriteOp[]>;
}
