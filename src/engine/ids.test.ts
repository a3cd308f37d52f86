import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isoTime, newId, nowIso } from "./ids.ts";

describe("ids", () => {
  it("are 24 lowercase hex characters led by the current second", () => {
    const before = Math.floor(Date.now() / 1000);
    const id = newId();
    const after = Math.floor(Date.now() / 1000);
    assert.match(id, /^[0-9a-f]{24}$/);
    const seconds = Number.parseInt(id.slice(0, 8), 16);
    assert.ok(seconds >= before && seconds <= after, `${seconds} not in [${before}, ${after}]`);
  });

  it("sort in creation order and never repeat within a process", () => {
    const ids = Array.from({ length: 10_000 }, () => newId());
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  it("share the process part and step the counter by one", () => {
    const [a, b] = [newId(), newId()];
    assert.equal(a.slice(8, 18), b.slice(8, 18));
    const counter = (id: string) => Number.parseInt(id.slice(18), 16);
    assert.equal((counter(a) + 1) & 0xffffff, counter(b));
  });

  it("take the new second when the clock moves on, within one process", () => {
    const realNow = Date.now;
    try {
      const t = 1_900_000_000_000;
      Date.now = () => t;
      const first = newId();
      Date.now = () => t + 999;
      const sameSecond = newId();
      Date.now = () => t + 1000;
      const nextSecond = newId();
      assert.equal(first.slice(0, 8), (t / 1000).toString(16));
      assert.equal(sameSecond.slice(0, 8), (t / 1000).toString(16));
      assert.equal(nextSecond.slice(0, 8), (t / 1000 + 1).toString(16));
      assert.equal(first.slice(8, 18), nextSecond.slice(8, 18));
    } finally {
      Date.now = realNow;
    }
    const seconds = Number.parseInt(newId().slice(0, 8), 16);
    assert.ok(Math.abs(seconds - Math.floor(Date.now() / 1000)) <= 1);
  });

  it("isoTime formats each millisecond as toISOString does, repeated or not", () => {
    const times = [0, 1_714_564_800_000, 1_714_564_800_000, 1_714_564_800_001, 0, 946_684_799_999];
    for (const ms of times) assert.equal(isoTime(ms), new Date(ms).toISOString());
    assert.throws(() => isoTime(Number.NaN), RangeError);
  });

  it("nowIso is ISO-8601 UTC with milliseconds", () => {
    assert.match(nowIso(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});
