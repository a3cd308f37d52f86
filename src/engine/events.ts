/**
 * In-process notifications for what was just committed: execution changes and output chunks.
 * They drive the SSE endpoints and wake waiting clients. They are hints, never the source of
 * truth: a listener that missed one re-reads the store. (Cross-node delivery arrives with the
 * PostgreSQL backend's LISTEN/NOTIFY.)
 */

import { EventEmitter } from "node:events";
import type { Execution, OutputChunk } from "../core/execution/model.ts";

export interface EngineEvents {
  "execution.update": [Execution];
  "execution.output": [OutputChunk];
  /** An execution removed from the store (garbage collection); st2.execution__delete. */
  "execution.delete": [Execution];
  /** What the announcement runner publishes: st2.announcement__<route> with the payload. */
  announcement: [{ route: string; payload: unknown }];
}

export class EventBus extends EventEmitter<EngineEvents> {
  constructor() {
    super();
    // One SSE client is one listener; many clients following executions is normal.
    this.setMaxListeners(0);
  }
}
