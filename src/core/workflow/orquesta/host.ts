/**
 * What the task-level conducting needs from the conductor. Kept apart so task-flow.ts and
 * conductor.ts do not import each other.
 */

import type { OrquestaCallbacks } from "../../expr/jinja/orquesta.ts";
import type { Dict } from "./data.ts";
import type { WorkflowGraph } from "./graph.ts";
import type { MachineHost } from "./machines.ts";
import type { WorkflowSpec } from "./spec.ts";
import type { WorkflowState } from "./state.ts";
import type { Status } from "./statuses.ts";

export interface LogEntry {
  type: "info" | "warn" | "error";
  message: string;
  task_id?: string;
  route?: number;
  task_transition_id?: string;
  result?: unknown;
  data?: unknown;
}

export type InboundStatus = "satisfied" | "wip" | "not_satisfied";

export interface ConductorHost extends MachineHost {
  readonly spec: WorkflowSpec;
  readonly graph: WorkflowGraph;
  readonly state: WorkflowState;
  readonly callbacks: OrquestaCallbacks | undefined;
  readonly errors: LogEntry[];
  getWorkflowStatus(): Status;
  requestWorkflowStatus(status: Status): void;
  getTaskContext(idxs: number[]): Dict;
  getInboundCriteriaStatus(taskId: string, route: number): InboundStatus;
  logEntry(entry: LogEntry): void;
  resetWorkflowOutput(): void;
}
