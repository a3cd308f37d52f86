/**
 * StackStorm's list conventions (st2api `ResourceController._get_all`): `limit`/`offset`,
 * `sort`, `include_attributes`/`exclude_attributes`, and the `X-Total-Count`/`X-Limit` headers.
 */

import type { FastifyReply } from "fastify";
import { ValidationError } from "../core/errors.ts";
import { AccessDeniedError } from "../engine/auth/errors.ts";
import { MAX_PAGE_SIZE, type Page, type PageResult } from "../engine/store/contract.ts";

/** st2's `[api] max_page_size` default, and the default page of most list endpoints. */
export const ST2_DEFAULT_LIMIT = 100;

/** A page request; `limit: null` is st2's `limit=-1`, every record. */
export interface ListPage {
  limit: number | null;
  offset: number;
}

export interface SortKey {
  field: string;
  descending: boolean;
}

export interface ListOptions {
  page: ListPage;
  sort: SortKey[];
  include?: string[];
  exclude?: string[];
}

function integer(raw: unknown, field: string): number {
  const n = typeof raw === "number" ? raw : Number(String(raw).trim());
  if (!Number.isSafeInteger(n) || String(raw).trim() === "")
    throw new ValidationError(`${field} must be an integer, got "${String(raw).slice(0, 64)}"`, {
      field,
    });
  return n;
}

/**
 * `limit` as st2 reads it: -1 means everything, 0 and below -1 are refused. Offsets beyond a
 * 32-bit int are refused as st2 does.
 */
export function listPage(
  query: Record<string, unknown>,
  defaultLimit = ST2_DEFAULT_LIMIT,
): ListPage {
  const limit = query.limit === undefined ? defaultLimit : integer(query.limit, "limit");
  const offset = query.offset === undefined ? 0 : integer(query.offset, "offset");
  if (limit === 0 || limit < -1)
    throw new ValidationError(
      `limit, "${limit}" specified, must be a positive number or -1 for full result set`,
      { field: "limit" },
    );
  if (offset < 0)
    throw new ValidationError(`offset must be a non-negative integer, got "${offset}"`, {
      field: "offset",
    });
  if (offset >= 2 ** 31)
    throw new ValidationError(`offset "${offset}" specified is more than 32-bit int`, {
      field: "offset",
    });
  return { limit: limit === -1 ? null : limit, offset };
}

/** The store page for a request; `limit=-1` and limits above the store cap are read in pieces by `readPage`. */
export function pageFrom(query: Record<string, unknown>, defaultLimit = 50): Page {
  const page = listPage(query, defaultLimit);
  return { limit: Math.min(page.limit ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE), offset: page.offset };
}

/**
 * `sort=name,-ref`: keys with an optional `+`/`-` direction. Unlike st2, which skips keys it does
 * not know, an unknown key is refused so a client never mistakes an unsorted list for a sorted one.
 */
export function sortKeys(raw: unknown, allowed: readonly string[]): SortKey[] {
  if (raw === undefined || raw === "") return [];
  const keys: SortKey[] = [];
  for (const token of String(raw).split(",")) {
    const t = token.trim();
    if (t === "") continue;
    const descending = t.startsWith("-");
    const field = t.startsWith("-") || t.startsWith("+") ? t.slice(1) : t;
    if (!allowed.includes(field))
      throw new ValidationError(
        `cannot sort by "${field.slice(0, 64)}"; sortable fields: ${allowed.join(", ") || "none"}`,
        { field: "sort" },
      );
    keys.push({ field, descending });
  }
  return keys;
}

function attributeList(raw: unknown, field: string): string[] | undefined {
  if (raw === undefined || raw === "") return undefined;
  const list = (Array.isArray(raw) ? raw.map(String) : String(raw).split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of list)
    if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(name))
      throw new ValidationError(`${field}: "${name.slice(0, 64)}" is not an attribute name`, {
        field,
      });
  return list;
}

export function listOptions(
  query: Record<string, unknown>,
  options: { defaultLimit?: number; sortable?: readonly string[] } = {},
): ListOptions {
  const include = attributeList(query.include_attributes, "include_attributes");
  const exclude = attributeList(query.exclude_attributes, "exclude_attributes");
  if (include && exclude)
    throw new ValidationError(
      "include_attributes and exclude_attributes are mutually exclusive; give one or the other",
      { field: "include_attributes" },
    );
  return {
    page: listPage(query, options.defaultLimit),
    sort: sortKeys(query.sort, options.sortable ?? []),
    ...(include ? { include } : {}),
    ...(exclude ? { exclude } : {}),
  };
}

/**
 * Reads one API page from a store listing, in store-sized pieces when the API page is larger than
 * the store cap (or is `limit=-1`), so "all" really means all.
 */
export async function readPage<T>(
  list: (page: Page) => Promise<PageResult<T>>,
  page: ListPage,
): Promise<PageResult<T>> {
  if (page.limit !== null && page.limit <= MAX_PAGE_SIZE)
    return list({ limit: page.limit, offset: page.offset });
  const items: T[] = [];
  let total = 0;
  for (let offset = page.offset; ; offset += MAX_PAGE_SIZE) {
    const want =
      page.limit === null ? MAX_PAGE_SIZE : Math.min(MAX_PAGE_SIZE, page.limit - items.length);
    const chunk = await list({ limit: want, offset });
    total = chunk.total;
    items.push(...chunk.items);
    if (chunk.items.length < want || (page.limit !== null && items.length >= page.limit)) break;
  }
  return { items, total };
}

/**
 * One API page of a store listing that has a fixed order, read in that order or, when
 * `reversed`, in the opposite one (the store's first record last). The reversed page is the
 * matching slice counted from the end, so it costs one count and one page read, not a scan.
 */
export async function readOrdered<T>(
  list: (page: Page) => Promise<PageResult<T>>,
  page: ListPage,
  reversed: boolean,
): Promise<PageResult<T>> {
  if (!reversed) return readPage(list, page);
  const { total } = await list({ limit: 1, offset: 0 });
  const end = total - page.offset;
  if (end <= 0) return { items: [], total };
  const start = page.limit === null ? 0 : Math.max(0, end - page.limit);
  const slice = await readPage(list, { limit: end - start, offset: start });
  return { items: slice.items.reverse(), total: slice.total };
}

/**
 * Whether `sort` asks for the reverse of a store's fixed order. `natural` names the keys that
 * follow that order (e.g. `id` and a creation timestamp) and whether the store lists them
 * descending; the caller's `sortKeys` has already refused any other key.
 */
export function reversedOrder(sort: readonly SortKey[], storeDescending: boolean): boolean {
  const first = sort[0];
  if (!first) return false;
  return first.descending !== storeDescending;
}

/**
 * st2's `[api] max_page_size` rule (`validate_limit_query_param`): only administrators may ask
 * for more than 100 records at once or for all of them (`limit=-1`). Requests without a known
 * user (authentication not installed) are not limited, as st2 does with RBAC off.
 */
export function checkPageSize(
  rawLimit: unknown,
  user: { name: string; isAdmin: boolean } | undefined,
): void {
  if (rawLimit === undefined || rawLimit === "" || !user || user.isAdmin) return;
  const limit = Number(rawLimit);
  if (!Number.isSafeInteger(limit)) return; // listPage refuses it with a 400
  if (limit === -1)
    throw new AccessDeniedError(
      "Administrator access required to be able to specify limit=-1 and retrieve all the records",
      user.name,
    );
  if (limit > ST2_DEFAULT_LIMIT)
    throw new AccessDeniedError(
      `Limit "${limit}" specified, maximum value is "${ST2_DEFAULT_LIMIT}"`,
      user.name,
    );
}

/** Sorts, pages and projects a list held in memory (content kinds are small). */
export function pageInMemory<T extends object>(
  all: T[],
  options: ListOptions,
): PageResult<Record<string, unknown>> {
  const sorted = options.sort.length > 0 ? sortRecords(all, options.sort) : all;
  const { offset, limit } = options.page;
  const slice = sorted.slice(offset, limit === null ? undefined : offset + limit);
  return { total: all.length, items: slice.map((r) => project(r, options)) };
}

export function sortRecords<T extends object>(items: T[], keys: readonly SortKey[]): T[] {
  return [...items].sort((a, b) => {
    for (const { field, descending } of keys) {
      const c = compare(pathValue(a, field), pathValue(b, field));
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  });
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = typeof a === "string" ? a : JSON.stringify(a);
  const y = typeof b === "string" ? b : JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function pathValue(record: object, path: string): unknown {
  let cur: unknown = record;
  for (const part of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * `include_attributes` keeps the named (possibly dotted) attributes plus `id`, as st2's
 * mandatory include fields; `exclude_attributes` drops them.
 */
export function project(
  record: object,
  options: Pick<ListOptions, "include" | "exclude">,
): Record<string, unknown> {
  const source = record as Record<string, unknown>;
  if (options.include) {
    const out: Record<string, unknown> = {};
    for (const path of ["id", ...options.include]) copyPath(source, out, path.split("."));
    return out;
  }
  if (options.exclude) {
    const out = structuredClone(source);
    for (const path of options.exclude) deletePath(out, path.split("."));
    return out;
  }
  return source;
}

function copyPath(
  from: Record<string, unknown>,
  to: Record<string, unknown>,
  parts: string[],
): void {
  const [head, ...rest] = parts;
  if (head === undefined || !Object.hasOwn(from, head)) return;
  const value = from[head];
  if (rest.length === 0) {
    to[head] = value;
    return;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return;
  const existing = to[head];
  const target =
    typeof existing === "object" && existing !== null ? (existing as Record<string, unknown>) : {};
  to[head] = target;
  copyPath(value as Record<string, unknown>, target, rest);
}

function deletePath(record: Record<string, unknown>, parts: string[]): void {
  const [head, ...rest] = parts;
  if (head === undefined || !Object.hasOwn(record, head)) return;
  if (rest.length === 0) {
    delete record[head];
    return;
  }
  const value = record[head];
  if (typeof value === "object" && value !== null && !Array.isArray(value))
    deletePath(value as Record<string, unknown>, rest);
}

/** Sets `X-Total-Count` (and `X-Limit` when a positive limit was asked, as st2 does). */
export function sendPage<T>(reply: FastifyReply, page: PageResult<T>, limit?: number | null): T[] {
  void reply.header("X-Total-Count", String(page.total));
  if (typeof limit === "number" && limit > 0) void reply.header("X-Limit", String(limit));
  return page.items;
}
