/**
 * What starting and re-running a workflow need from the engine (engine.ts implements it). Kept
 * apart so start.ts and rerun.ts do not import the engine that imports them.
 */

import type { Execution } from "../../core/execution/model.ts";
import type { ExecutionStatus } from "../../core/execution/status.ts";
import type { CommitResult, WriteOp } from "../store/reactor-contract.ts";
import type { InlineRunner } from "./inline.ts";
import type { WorkflowEngineOptions } from "./options.ts";
import type { SessionOptions, WorkflowSession } from "./session.ts";

export interface EngineHost {
  readonly options: WorkflowEngineOptions;
  readonly snapshotEvery: number;
  session(id: string): Promise<WorkflowSession | null>;
  sessionOptions(): SessionOptions;
  adopt(session: WorkflowSession): void;
  retire(session: WorkflowSession): void;
  inline(): InlineRunner | undefined;
  commitFor(
    execution: Execution,
    to: ExecutionStatus | null,
    ops: WriteOp[],
  ): Promise<CommitResult>;
}
