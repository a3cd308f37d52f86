import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type InquiryHarness, openInquiryHarness } from "../../../test/support/inquiry-harness.ts";
import { minutesSince, startInquiryExpiry } from "./expiry.ts";
import { InquiryService } from "./service.ts";

const START = Date.parse("2024-05-01T12:00:00.000Z");
const MINUTE = 60_000;
let clock = START;
let h: InquiryHarness;
let controller: AbortController;

beforeEach(() => {
  clock = START;
  // The store stamps start_timestamp from the same fake clock the expiry reads.
  h = openInquiryHarness({ now: () => clock });
  controller = new AbortController();
});
afterEach(async () => {
  controller.abort();
  await h.close();
});

/** Sweeps only when the test calls sweep(): its loop is stopped before it starts. */
async function idleExpiry() {
  const expiry = startInquiryExpiry({
    store: h.store,
    executions: h.executions,
    now: () => clock,
    intervalMs: 3_600_000,
    signal: AbortSignal.abort(),
    log: h.log,
  });
  await expiry.done;
  return expiry;
}

describe("minutesSince", () => {
  const table: Array<[number, number]> = [
    [0, 0],
    [59_999, 0],
    [60_000, 1],
    [10 * MINUTE + 59_000, 10],
  ];
  for (const [elapsed, minutes] of table)
    it(`${elapsed} ms is ${minutes} whole minute(s)`, () => {
      assert.equal(minutesSince(new Date(START).toISOString(), START + elapsed), minutes);
    });
});

describe("inquiry expiry", () => {
  it("times out an inquiry only once more whole minutes than its ttl have passed", async () => {
    const e = await h.inquiry({ ttl: 10 });
    const expiry = await idleExpiry();
    // Exactly ttl minutes (and a bit) is not yet past it: StackStorm compares with `>`.
    clock = START + 10 * MINUTE + 59_000;
    assert.equal(await expiry.sweep(), 0);
    assert.equal((await h.executions.get(e.id)).status, "pending");
    clock = START + 11 * MINUTE;
    assert.equal(await expiry.sweep(), 1);
    const timedOut = await h.executions.get(e.id);
    assert.equal(timedOut.status, "timeout");
    assert.ok(timedOut.end_timestamp);
    // The question stays in the result, as in StackStorm.
    assert.equal((timedOut.result as { ttl: number }).ttl, 10);
    // And it can no longer be answered.
    await assert.rejects(
      new InquiryService({ executions: h.executions }).respond(e.id, { continue: true }, "x"),
      /timed out/,
    );
  });

  it("never expires a ttl of 0 or less, and leaves answered inquiries alone", async () => {
    const forever = await h.inquiry({ ttl: 0 });
    const negative = await h.inquiry({ ttl: -5 });
    const answered = await h.inquiry({ ttl: 1 });
    await new InquiryService({ executions: h.executions }).respond(
      answered.id,
      { continue: true },
      "stanley",
    );
    const expiry = await idleExpiry();
    clock = START + 365 * 24 * 60 * MINUTE;
    assert.equal(await expiry.sweep(), 0);
    assert.equal((await h.executions.get(forever.id)).status, "pending");
    assert.equal((await h.executions.get(negative.id)).status, "pending");
    assert.equal((await h.executions.get(answered.id)).status, "succeeded");
  });

  it("times out each inquiry by its own ttl and start", async () => {
    const short = await h.inquiry({ ttl: 1 });
    clock = START + 5 * MINUTE;
    const later = await h.inquiry({ ttl: 1 });
    const long = await h.inquiry({ ttl: 60 });
    const expiry = await idleExpiry();
    clock = START + 7 * MINUTE; // short: 7 min old, later: 2 min old, long: 2 of 60
    assert.equal(await expiry.sweep(), 2);
    assert.equal((await h.executions.get(short.id)).status, "timeout");
    assert.equal((await h.executions.get(later.id)).status, "timeout");
    assert.equal((await h.executions.get(long.id)).status, "pending");
  });

  it("sweeps on its own every interval until the signal stops it", async () => {
    const e = await h.inquiry({ ttl: 1 });
    const expiry = startInquiryExpiry({
      store: h.store,
      executions: h.executions,
      now: () => clock,
      intervalMs: 5,
      signal: controller.signal,
      log: h.log,
    });
    clock = START + 2 * MINUTE;
    let status = "pending";
    for (let i = 0; i < 400 && status === "pending"; i++) {
      await new Promise((r) => setTimeout(r, 5));
      status = (await h.executions.get(e.id)).status;
    }
    assert.equal(status, "timeout");
    controller.abort();
    await expiry.done;
  });
});
