import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newId, nowIso } from "./ids.ts";

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

  it("nowIso is ISO-8601 UTC with milliseconds", () => {
    assert.match(nowIso(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});
