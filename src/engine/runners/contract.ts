/**
 * The runner contract: `run(request, signal) → outcome`, with output streamed through a sink.
 *
 * Runners never touch the store. The worker owns status changes; a runner only reports how the
 * action ended. A runner enforces its own `timeout` runner parameter (resolving with status
 * `timeout`); cancel arrives through the AbortSignal, and the runner must kill what it started
 * and resolve (not reject) with status `canceled`. A thrown error means the runner itself broke;
 * the worker records it as `failed` with the error message.
 */

import type { ActionDef, RunnerType } from "../../core/content/model.ts";

/**
 * `pending`: the action now waits for something outside any runner (an inquiry's answer). The
 * worker records it `pending` and lets go of it; another service completes it later.
 */
export type RunnerOutcomeStatus = "succeeded" | "failed" | "timeout" | "canceled" | "pending";

export interface RunnerOutcome {
  status: RunnerOutcomeStatus;
  result: unknown;
}

export interface OutputSink {
  write(outputType: "stdout" | "stderr", data: string): void;
}

export interface RunRequest {
  executionId: string;
  action: ActionDef;
  runner: RunnerType;
  /** Rendered, cast and merged runner + action parameters (secrets in clear; never log them). */
  parameters: Record<string, unknown>;
  /** Names of parameters marked `secret`, so a runner can keep them off argv and out of logs. */
  secretNames: ReadonlySet<string>;
  /** Absolute path of the action's pack directory. */
  packPath: string;
  /** Absolute path of the entry point, when the action has one. */
  entryPointPath: string | null;
  /** Base URL of the API, for ST2_ACTION_API_URL. */
  apiUrl: string;
  /** Token the action may use to call back into the API (ST2_ACTION_AUTH_TOKEN). */
  authToken: string;
  /** Name of the user the execution runs as (for sudo decisions and context). */
  user: string;
  output: OutputSink;
  /** Aborted when the execution is canceled. */
  signal: AbortSignal;
  /**
   * Runners that start a process group report its id here, so that if Squall dies with the
   * action running, the group can be found and killed when the execution is abandoned.
   */
  onSpawn?: (processGroupId: number) => void;
}

export interface Runner {
  readonly name: string;
  /**
   * The run happens inside Squall, quickly, with no effect outside it (noop): the worker may
   * commit the start and the end of the execution together, since a crash in between leaves
   * nothing behind to abandon.
   */
  readonly inProcess?: boolean;
  run(request: RunRequest): Promise<RunnerOutcome>;
}
