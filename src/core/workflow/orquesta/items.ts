/**
 * Status counts over a with-items task's item list, so the questions the machines ask on every
 * item event ("is another item active?", "has any failed?") cost O(1) instead of a scan of all
 * items. Orquesta scans; with 10,000 items that scan per item makes a fan-out quadratic.
 *
 * The index lives beside the serialisable data (a WeakMap keyed by the items array), is built
 * lazily from the array the first time it is needed (e.g. after `deserialize`), and is kept
 * exact by routing every write of an item's status through `setItemStatus`.
 */

import { ABENDED, ACTIVE, COMPLETED, isIn, type Status } from "./statuses.ts";

export interface ItemState {
  status: Status;
}

interface ItemIndex {
  counts: Map<Status, number>;
  /** Entries present (holes left by out-of-order reports are not items yet). */
  total: number;
  /** Every item before this position has started; the next not-started one is at or after it. */
  nextNotStarted: number;
}

const indexes = new WeakMap<ItemState[], ItemIndex>();

function build(items: ItemState[]): ItemIndex {
  const counts = new Map<Status, number>();
  let total = 0;
  let nextNotStarted = items.length;
  items.forEach((item, i) => {
    if (!item) return;
    total++;
    counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
    if (item.status === "null" && i < nextNotStarted) nextNotStarted = i;
  });
  return { counts, total, nextNotStarted };
}

function indexOf(items: ItemState[]): ItemIndex {
  let index = indexes.get(items);
  if (!index) {
    index = build(items);
    indexes.set(items, index);
  }
  return index;
}

/** Sets item `i` to `status`, keeping the index exact. */
export function setItemStatus(items: ItemState[], i: number, status: Status): void {
  const index = indexOf(items);
  const old = items[i];
  if (old) index.counts.set(old.status, (index.counts.get(old.status) ?? 1) - 1);
  else index.total++;
  items[i] = { status };
  index.counts.set(status, (index.counts.get(status) ?? 0) + 1);
  if (status === "null" && i < index.nextNotStarted) index.nextNotStarted = i;
}

/** A new list of `count` not-started items. */
export function newItems(count: number): ItemState[] {
  return Array.from({ length: count }, () => ({ status: "null" as Status }));
}

export interface ItemSummary {
  /** Items counted (all present ones, or all but the excluded one). */
  total: number;
  count(group: readonly Status[]): number;
  has(status: Status): boolean;
}

/** Counts over the items, optionally leaving one item out (the one an event is about). */
export function summarize(items: ItemState[], exclude?: number): ItemSummary {
  const index = indexOf(items);
  const own = exclude === undefined ? undefined : items[exclude]?.status;
  const n = (s: Status) => (index.counts.get(s) ?? 0) - (own === s ? 1 : 0);
  return {
    total: index.total - (own === undefined ? 0 : 1),
    count: (group) => group.reduce((sum, s) => sum + n(s), 0),
    has: (s) => n(s) > 0,
  };
}

export function anyActive(items: ItemState[]): boolean {
  return summarize(items).count(ACTIVE) > 0;
}

export function anyIncomplete(s: ItemSummary): boolean {
  return s.total - s.count(COMPLETED) > 0;
}

export function anyAbended(s: ItemSummary): boolean {
  return s.count(ABENDED) > 0;
}

/** Ids of up to `limit` not-started items, in item order. */
export function notStarted(items: ItemState[], limit: number): number[] {
  const index = indexOf(items);
  const out: number[] = [];
  let i = index.nextNotStarted;
  // Skip the started prefix once; later calls start after it.
  while (i < items.length && items[i]?.status !== "null") i++;
  index.nextNotStarted = i;
  for (; i < items.length && out.length < limit; i++) {
    if (isIn(items[i]?.status, ["null"])) out.push(i);
  }
  return out;
}
