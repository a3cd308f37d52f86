/**
 * How executions look on screen, shared by `run` and the `execution` commands so an execution
 * reads the same wherever it is printed.
 */

import type { Execution } from "../core/execution/model.ts";
import { isCompleted, isExecutionStatus } from "../core/execution/status.ts";
import { renderData, renderRecord, renderTable, type TableColumn } from "./format.ts";
import type { CommandContext } from "./runtime.ts";

/** st2's `st2 run` / `st2 execution get` attribute order. */
export const RUN_ATTRIBUTES = [
  "id",
  "action.ref",
  "context.user",
  "parameters",
  "status",
  "start_timestamp",
  "end_timestamp",
  "result",
] as const;

export const GET_ATTRIBUTES = [
  "id",
  "action.ref",
  "context.user",
  "parameters",
  "status",
  "start_timestamp",
  "end_timestamp",
  "log",
  "result",
] as const;

export const EXECUTION_COLUMNS: ReadonlyArray<TableColumn<Execution>> = [
  { header: "id", value: (e) => e.id },
  { header: "action.ref", value: (e) => e.action?.ref, flex: true },
  { header: "context.user", value: (e) => e.context?.user, flex: true },
  { header: "status", value: (e) => statusWithElapsed(e) },
  { header: "start_timestamp", value: (e) => e.start_timestamp },
  { header: "end_timestamp", value: (e) => e.end_timestamp },
];

/** `succeeded (3s elapsed)`, as st2 shows it; a running execution counts up to now. */
export function statusWithElapsed(execution: Execution, now: Date = new Date()): string {
  const start = Date.parse(execution.start_timestamp);
  const end = execution.end_timestamp ? Date.parse(execution.end_timestamp) : now.getTime();
  if (!Number.isFinite(start) || !Number.isFinite(end)) return execution.status;
  const seconds = Math.max(0, Math.round((end - start) / 1000));
  return `${execution.status} (${seconds}s elapsed)`;
}

/** One execution in the chosen format; the status line gains the elapsed time in text mode. */
export function printExecution(
  ctx: CommandContext,
  execution: Execution,
  attributes: readonly string[],
): void {
  const data = renderData(ctx.format, execution);
  if (data !== undefined) {
    ctx.print(data);
    return;
  }
  ctx.print(renderRecord({ ...execution, status: statusWithElapsed(execution) }, attributes));
}

export function printExecutionTable(ctx: CommandContext, executions: Execution[]): void {
  ctx.print(renderTable(EXECUTION_COLUMNS, executions, ctx.io.columns));
}

/** The exit code a finished command reports for an execution: 0 only when it succeeded. */
export function exitCodeFor(execution: Execution): number {
  return execution.status === "succeeded" ? 0 : 1;
}

/**
 * States in which waiting is pointless: finished, or parked until a person answers an inquiry or
 * resumes a paused workflow.
 */
export function stopsWaiting(status: string): boolean {
  return (
    isExecutionStatus(status) &&
    (isCompleted(status) || status === "pending" || status === "paused")
  );
}
