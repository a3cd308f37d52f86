/**
 * Times out inquiries nobody answered within their TTL, like StackStorm's garbage collector
 * (`purge_inquiries`): an inquiry whose whole minutes since it started exceed its `ttl` moves to
 * `timeout`; a `ttl` of 0 or less never expires. The move is an ordinary completion, so a
 * parent workflow sees its child time out and carries on from there.
 */

import { ConflictError, IllegalTransitionError } from "../../core/errors.ts";
import type { Logger } from "../logger.ts";
import type { ExecutionService } from "../services/executions.ts";
import { MAX_PAGE_SIZE, type Store } from "../store/contract.ts";
import { INQUIRER_RUNNER, toInquiry } from "./model.ts";

export interface InquiryExpiryOptions {
  store: Pick<Store, "executions">;
  executions: Pick<ExecutionService, "transition">;
  /** Clock, ms since the epoch. */
  now: () => number;
  /** Pause between sweeps. */
  intervalMs: number;
  signal: AbortSignal;
  log: Logger;
}

export interface InquiryExpiry {
  /** Settles once the signal fired and the sweep under way finished. */
  done: Promise<void>;
  /** One pass now; resolves to how many inquiries it timed out. */
  sweep(): Promise<number>;
}

/** Whole minutes since `startIso`, truncated as StackStorm does. */
export function minutesSince(startIso: string, now: number): number {
  return Math.trunc((now - Date.parse(startIso)) / 60_000);
}

export function startInquiryExpiry(options: InquiryExpiryOptions): InquiryExpiry {
  const { store, executions, log, signal } = options;

  async function pendingIds(): Promise<Array<{ id: string; start: string; ttl: number }>> {
    const found: Array<{ id: string; start: string; ttl: number }> = [];
    // Collected before any moves, so timing some out cannot shift the pages still to read.
    for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
      const page = await store.executions.list(
        { status: "pending", runner_type: INQUIRER_RUNNER, sort: "asc" },
        { limit: MAX_PAGE_SIZE, offset },
      );
      for (const e of page.items)
        found.push({ id: e.id, start: e.start_timestamp, ttl: toInquiry(e).ttl });
      if (page.items.length < MAX_PAGE_SIZE || offset + page.items.length >= page.total)
        return found;
    }
  }

  async function sweep(): Promise<number> {
    const now = options.now();
    let expired = 0;
    for (const inquiry of await pendingIds()) {
      if (inquiry.ttl <= 0 || minutesSince(inquiry.start, now) <= inquiry.ttl) continue;
      try {
        // The result (the question) stays as it was, as in StackStorm.
        await executions.transition(inquiry.id, "timeout", { expectFrom: ["pending"] });
        expired++;
        log.info({ executionId: inquiry.id, ttl: inquiry.ttl }, "inquiry TTL expired; timed out");
      } catch (err) {
        // Answered or canceled since the listing: nothing to expire.
        if (!(err instanceof ConflictError || err instanceof IllegalTransitionError)) throw err;
      }
    }
    return expired;
  }

  const done = (async () => {
    while (!signal.aborted) {
      try {
        await sweep();
      } catch (err) {
        log.error({ err }, "inquiry expiry sweep failed");
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, options.intervalMs);
        function finish() {
          clearTimeout(timer);
          signal.removeEventListener("abort", finish);
          resolve();
        }
        signal.addEventListener("abort", finish, { once: true });
      });
    }
  })();

  return { done, sweep };
}
