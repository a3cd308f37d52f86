/**
 * Follows an execution's live output until it completes. The stream endpoint replays stored
 * chunks on every connection, so after a dropped connection the follower reconnects and skips
 * chunks by sequence number instead of printing them twice; if the execution finished while
 * disconnected, the remainder comes from the plain output endpoint.
 */

import type { Execution, OutputChunk } from "../core/execution/model.ts";
import { isCompleted, isExecutionStatus } from "../core/execution/status.ts";
import type { SquallClient } from "./client.ts";
import { ApiError, ProtocolError, ResourceNotFoundError } from "./errors.ts";
import { stopsWaiting } from "./execution-view.ts";

export const OUTPUT_EVENT = "st2.execution.output__create";
export const UPDATE_EVENT = "st2.execution__update";
export const EOF_EVENT = "EOF";

/** Reconnects tolerated without any progress before giving up. */
const MAX_RECONNECTS = 5;

export interface FollowOptions {
  onChunk(chunk: OutputChunk): void;
  /** Waits between reconnects; injectable so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

export async function followExecution(
  client: SquallClient,
  executionId: string,
  options: FollowOptions,
): Promise<Execution> {
  const sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  let lastSeq = 0;
  const deliver = (chunk: OutputChunk) => {
    if (chunk.seq <= lastSeq) return;
    lastSeq = chunk.seq;
    options.onChunk(chunk);
  };

  let failures = 0;
  for (;;) {
    const seqBefore = lastSeq;
    try {
      for await (const event of client.streamOutput(executionId)) {
        if (event.event === OUTPUT_EVENT) {
          deliver(parseEventData<OutputChunk>(event.event, event.data));
        } else if (event.event === EOF_EVENT) {
          // st2stream's last word: nothing more for now (completed, or pausing/resuming).
          break;
        } else if (event.event === UPDATE_EVENT) {
          const execution = parseEventData<Execution>(event.event, event.data);
          if (isExecutionStatus(execution.status) && isCompleted(execution.status)) {
            return execution;
          }
        }
      }
    } catch (err) {
      // The server said no, or spoke nonsense: retrying cannot help. Anything else is a dropped
      // connection (a restart, a proxy timeout) and is worth another try.
      if (err instanceof ApiError || err instanceof ResourceNotFoundError) throw err;
      if (err instanceof ProtocolError) throw err;
    }

    const execution = await client.getExecution(executionId);
    if (stopsWaiting(execution.status)) {
      for (const chunk of await client.getOutput(executionId, lastSeq)) deliver(chunk);
      return execution;
    }
    failures = lastSeq > seqBefore ? 0 : failures + 1;
    if (failures > MAX_RECONNECTS) {
      throw new ProtocolError(
        `the output stream of execution ${executionId} closed ${failures} times before it finished; ` +
          `run \`squall execution tail ${executionId}\` to try again.`,
      );
    }
    await sleep(Math.min(250 * 2 ** failures, 2000));
  }
}

function parseEventData<T>(event: string, data: string): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new ProtocolError(
      `the stream sent a ${event} event whose data is not JSON: ${data.slice(0, 200)}`,
    );
  }
}
