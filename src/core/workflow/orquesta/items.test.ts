import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { anyIncomplete, newItems, notStarted, setItemStatus, summarize } from "./items.ts";
import { ACTIVE, COMPLETED } from "./statuses.ts";

describe("with-items status index", () => {
  it("counts statuses, leaving one item out, and stays exact through updates", () => {
    const items = newItems(5);
    setItemStatus(items, 0, "running");
    setItemStatus(items, 1, "succeeded");
    setItemStatus(items, 2, "failed");
    const all = summarize(items);
    assert.equal(all.total, 5);
    assert.equal(all.count(ACTIVE), 1);
    assert.equal(all.count(COMPLETED), 2);
    const others = summarize(items, 0);
    assert.equal(others.count(ACTIVE), 0, "the item itself is left out");
    assert.equal(others.total, 4);
    assert.ok(anyIncomplete(others));
    setItemStatus(items, 0, "succeeded");
    assert.equal(summarize(items).count(ACTIVE), 0);
    // The index agrees with a fresh scan of the same data.
    const rebuilt = items.map((i) => ({ ...i }));
    assert.equal(summarize(rebuilt).count(COMPLETED), summarize(items).count(COMPLETED));
  });

  it("hands out not-started items in order, and again after a reset", () => {
    const items = newItems(6);
    assert.deepEqual(notStarted(items, 2), [0, 1]);
    setItemStatus(items, 0, "running");
    setItemStatus(items, 1, "running");
    assert.deepEqual(notStarted(items, 3), [2, 3, 4]);
    for (const i of [2, 3, 4, 5]) setItemStatus(items, i, "succeeded");
    assert.deepEqual(notStarted(items, 10), []);
    setItemStatus(items, 1, "null");
    assert.deepEqual(notStarted(items, 10), [1], "a reset item is handed out again");
  });
});
