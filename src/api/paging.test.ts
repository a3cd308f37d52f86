import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../core/errors.ts";
import { AccessDeniedError } from "../engine/auth/errors.ts";
import type { Page } from "../engine/store/contract.ts";
import {
  checkPageSize,
  listOptions,
  listPage,
  pageInMemory,
  project,
  readOrdered,
  readPage,
  reversedOrder,
  sortKeys,
} from "./paging.ts";

describe("listPage (st2's limit/offset)", () => {
  const cases: Array<
    [Record<string, unknown>, { limit: number | null; offset: number } | "error"]
  > = [
    [{}, { limit: 100, offset: 0 }],
    [{ limit: "5" }, { limit: 5, offset: 0 }],
    [{ limit: -1 }, { limit: null, offset: 0 }],
    [{ limit: 0 }, "error"],
    [{ limit: -2 }, "error"],
    [{ limit: "1.5" }, "error"],
    [{ limit: "ten" }, "error"],
    [{ limit: "" }, "error"],
    [{ offset: -1 }, "error"],
    [{ offset: 2 ** 31 }, "error"],
    [
      { offset: "7", limit: 3 },
      { limit: 3, offset: 7 },
    ],
  ];
  for (const [query, expected] of cases)
    it(`${JSON.stringify(query)} → ${JSON.stringify(expected)}`, () => {
      if (expected === "error") assert.throws(() => listPage(query), ValidationError);
      else assert.deepEqual(listPage(query), expected);
    });
});

describe("sort, include and exclude", () => {
  const rows = [
    { id: "b", name: "b", n: 2, meta: { x: 1, y: 2 } },
    { id: "a", name: "a", n: 3, meta: { x: 3, y: 4 } },
    { id: "c", name: "c", n: 1, meta: { x: 5, y: 6 } },
  ];

  it("sorts ascending and descending, and refuses unknown or hostile keys", () => {
    assert.deepEqual(sortKeys("name,-n", ["name", "n"]), [
      { field: "name", descending: false },
      { field: "n", descending: true },
    ]);
    for (const bad of ["nope", "name;DROP TABLE x", "-.*", "x".repeat(5000)])
      assert.throws(() => sortKeys(bad, ["name"]), ValidationError);
    const page = pageInMemory(rows, listOptions({ sort: "-n" }, { sortable: ["n"] }));
    assert.deepEqual(
      page.items.map((r) => r.id),
      ["a", "b", "c"],
    );
  });

  it("projects dotted attributes, always keeping id", () => {
    assert.deepEqual(project(rows[0] as object, { include: ["meta.x"] }), {
      id: "b",
      meta: { x: 1 },
    });
    assert.deepEqual(project(rows[0] as object, { exclude: ["meta", "n"] }), {
      id: "b",
      name: "b",
    });
  });

  it("refuses both include and exclude, and attribute names that are not names", () => {
    assert.throws(
      () => listOptions({ include_attributes: "a", exclude_attributes: "b" }),
      ValidationError,
    );
    assert.throws(() => listOptions({ include_attributes: "a,$where" }), ValidationError);
  });

  it("pages in memory with the total of all rows", () => {
    const page = pageInMemory(rows, listOptions({ limit: 1, offset: 2 }));
    assert.equal(page.total, 3);
    assert.deepEqual(
      page.items.map((r) => r.id),
      ["c"],
    );
  });

  it("reads limit=-1 through store pages until the end", async () => {
    const all = Array.from({ length: 2500 }, (_, i) => i);
    const calls: number[] = [];
    const page = await readPage(
      async (p) => {
        calls.push(p.offset ?? 0);
        const start = p.offset ?? 0;
        return { items: all.slice(start, start + (p.limit ?? 50)), total: all.length };
      },
      { limit: null, offset: 0 },
    );
    assert.equal(page.items.length, 2500);
    assert.equal(page.total, 2500);
    assert.deepEqual(calls, [0, 1000, 2000]);
  });
});

describe("readOrdered: a store's fixed order, or its reverse", () => {
  // A store listing 0..9 in its own order.
  const store = async (page: Page) => {
    const offset = page.offset ?? 0;
    const limit = page.limit ?? 10;
    return {
      items: Array.from({ length: 10 }, (_, i) => i).slice(offset, offset + limit),
      total: 10,
    };
  };
  const cases: Array<[number | null, number, boolean, number[]]> = [
    [3, 0, false, [0, 1, 2]],
    [3, 0, true, [9, 8, 7]],
    [3, 8, true, [1, 0]],
    [null, 7, true, [2, 1, 0]],
    [5, 10, true, []],
    [2, 12, false, []],
  ];
  for (const [limit, offset, reversed, want] of cases)
    it(`limit=${limit} offset=${offset} reversed=${reversed} → [${want}]`, async () => {
      const page = await readOrdered(store, { limit, offset }, reversed);
      assert.deepEqual(page.items, want);
      assert.equal(page.total, 10);
    });

  it("reversedOrder compares the first sort key with the store's direction", () => {
    assert.equal(reversedOrder([], true), false);
    assert.equal(reversedOrder([{ field: "id", descending: true }], true), false);
    assert.equal(reversedOrder([{ field: "id", descending: false }], true), true);
    assert.equal(reversedOrder([{ field: "name", descending: true }], false), true);
  });
});

describe("checkPageSize (st2's max_page_size)", () => {
  const user = { name: "u", isAdmin: false };
  const admin = { name: "a", isAdmin: true };
  const cases: Array<[unknown, { name: string; isAdmin: boolean } | undefined, boolean]> = [
    [undefined, user, true],
    ["100", user, true],
    ["101", user, false],
    [-1, user, false],
    ["-1", admin, true],
    ["5000", admin, true],
    ["5000", undefined, true],
    ["abc", user, true], // listPage answers 400 for it
  ];
  for (const [limit, who, allowed] of cases)
    it(`limit=${String(limit)} for ${who?.name ?? "nobody"}: ${allowed ? "allowed" : "403"}`, () => {
      if (allowed) checkPageSize(limit, who);
      else assert.throws(() => checkPageSize(limit, who), AccessDeniedError);
    });
});
