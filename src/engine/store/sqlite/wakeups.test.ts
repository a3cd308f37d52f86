import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Job } from "../contract.ts";
import { WakeUps } from "./wakeups.ts";

const job = (id: number, leaseUntil = 1_000_000, owner = "w", kind = "k"): Job => ({
  id,
  kind,
  payload: {},
  runAt: 0,
  key: null,
  attempts: 1,
  leaseOwner: owner,
  leaseUntil,
});

describe("WakeUps hand-over", () => {
  it("hands a backlog out oldest first, a few at a time, and forgets it once taken", () => {
    const w = new WakeUps();
    w.handOver(Array.from({ length: 5000 }, (_, i) => job(i)));
    const seen: number[] = [];
    for (let round = 0; round < 10_000 && w.hasHandedOver("k"); round++) {
      for (const j of w.take("k", "w", 3, 0, 10)) seen.push(j.id);
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 5000 }, (_, i) => i),
    );
    assert.equal(w.hasHandedOver("k"), false);
    assert.deepEqual(w.take("k", "w", 3, 0, 10), []);
  });

  it("keeps kinds and owners apart, and forgets an owner's jobs", () => {
    const w = new WakeUps();
    w.handOver([job(1, 1e6, "a"), job(2, 1e6, "b"), job(3, 1e6, "a", "other")]);
    assert.deepEqual(
      w.take("k", "a", 10, 0, 10).map((j) => j.id),
      [1],
    );
    w.forgetOwner("b");
    assert.deepEqual(w.take("k", "b", 10, 0, 10), []);
    assert.equal(w.hasHandedOver("other"), true);
  });

  it("drops jobs whose lease ends too soon (the database hands them out later)", () => {
    const w = new WakeUps();
    w.handOver([job(1, 100), job(2, 10_000), job(3, 130)]);
    assert.deepEqual(
      w.take("k", "w", 10, 90, 50).map((j) => j.id),
      [2],
    );
  });

  it("keeps at most HANDOVER_LIMIT per consumer, dropping the oldest", () => {
    const w = new WakeUps();
    const n = WakeUps.HANDOVER_LIMIT + 5;
    w.handOver(Array.from({ length: n }, (_, i) => job(i)));
    const taken = w.take("k", "w", n, 0, 10);
    assert.equal(taken.length, WakeUps.HANDOVER_LIMIT);
    assert.equal(taken[0]?.id, 5);
  });
});
