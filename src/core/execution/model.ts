import type { ExecutionStatus } from "./status.ts";

/**
 * One execution: StackStorm's LiveActionDB and ActionExecutionDB merged into a single record.
 * StackStorm writes both documents on every status change; Squall writes one row.
 *
 * Field names follow the StackStorm execution API shape so the API layer can return records
 * with little translation.
 */

export interface TransitionLogEntry {
  status: ExecutionStatus;
  /** ISO-8601 UTC with milliseconds. */
  timestamp: string;
}

export interface ExecutionContext {
  user?: string;
  pack?: string;
  /** Parent execution context, set for workflow children. */
  parent?: { execution_id: string; [key: string]: unknown };
  trace_context?: { trace_tag?: string; id?: string };
  api_user?: string;
  source_channel?: string;
  [key: string]: unknown;
}

export interface Execution {
  /** 24 hex characters, time-ordered (the leading 8 are seconds since the epoch), like StackStorm's ObjectIds. */
  id: string;
  action: { ref: string; runner_type: string };
  /** Parameters as requested (before runner defaults and rendering). */
  parameters: Record<string, unknown>;
  status: ExecutionStatus;
  result: unknown;
  context: ExecutionContext;
  parent: string | null;
  /** Requested delay before scheduling, in milliseconds. */
  delay: number | null;
  start_timestamp: string;
  end_timestamp: string | null;
  log: TransitionLogEntry[];
  /** Which process is running it, for crash recovery and debugging. */
  runner_node: string | null;
  /** Bumped on every write; used for optimistic concurrency. */
  revision: number;
}

export interface NewExecution {
  id: string;
  action: { ref: string; runner_type: string };
  parameters: Record<string, unknown>;
  context: ExecutionContext;
  parent?: string | null;
  delay?: number | null;
  /** Defaults to `requested`. */
  status?: ExecutionStatus;
}

export interface OutputChunk {
  /** Monotonic per execution, starting at 1; readers resume after the last seq they saw. */
  seq: number;
  execution_id: string;
  output_type: "stdout" | "stderr";
  data: string;
  timestamp: string;
}
