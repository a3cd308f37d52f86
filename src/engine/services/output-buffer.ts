/**
 * Collects a running action's stdout/stderr and writes it to the store in small batches, so
 * a chatty process costs a few transactions a second instead of one per line, while readers
 * still see output within about `flushMs` of it being printed.
 */

import type { OutputChunk } from "../../core/execution/model.ts";
import type { EventBus } from "../events.ts";
import type { Logger } from "../logger.ts";
import type { OutputSink } from "../runners/contract.ts";
import type { ExecutionStore } from "../store/contract.ts";

export class OutputBuffer implements OutputSink {
  private pending: Array<Pick<OutputChunk, "output_type" | "data">> = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** The store numbers chunks from 1 per execution and this buffer is its only writer. */
  private seq = 0;

  constructor(
    private readonly executionId: string,
    private readonly store: ExecutionStore,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly mask: (text: string) => string,
    private readonly flushMs = 100,
    private readonly maxPendingBytes = 64 * 1024,
  ) {}

  write(outputType: "stdout" | "stderr", data: string): void {
    if (data.length === 0) return;
    this.pending.push({ output_type: outputType, data: this.mask(data) });
    this.pendingBytes += data.length;
    if (this.pendingBytes >= this.maxPendingBytes) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes everything buffered so far; safe to call concurrently (flushes are chained). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      try {
        await this.store.appendOutput(this.executionId, batch);
      } catch (err) {
        this.log.error({ err, executionId: this.executionId }, "storing output failed");
        return;
      }
      const timestamp = new Date().toISOString();
      for (const chunk of batch) {
        this.seq += 1;
        this.bus.emit("execution.output", {
          ...chunk,
          seq: this.seq,
          execution_id: this.executionId,
          timestamp,
        });
      }
    });
    return this.flushing;
  }
}
