/**
 * "The N most recent" listings (trigger instances, rule enforcements, traces), as st2's `-n`
 * works: 50 by default, 0 for all, a note when more exist than were shown.
 */

import type { Command } from "commander";
import { ValidationError } from "../../core/errors.ts";
import { ProtocolError } from "../errors.ts";
import type { CommandContext } from "../runtime.ts";

export const DEFAULT_LIST_SIZE = 50;
/** The server's page ceiling (StackStorm's max_page_size). */
const PAGE_SIZE = 100;

type Query = Record<string, string | number | undefined>;

export function addLastOption(command: Command): Command {
  return command.option(
    "-n, --last <n>",
    `how many to list (default ${DEFAULT_LIST_SIZE}); 0 lists all`,
    String(DEFAULT_LIST_SIZE),
  );
}

/** `-n` as a count; 0 means all. */
export function parseLast(raw: string): number {
  const text = raw.trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n))
    throw new ValidationError(`-n expects a whole number, got "${raw}"`, { field: "-n" });
  return n;
}

export interface RecentPage<T> {
  items: T[];
  /** From X-Total-Count, when the server sent it. */
  total: number | undefined;
}

/** Walks pages of `path` (newest first on the server) until `last` items, or all when 0. */
export async function listRecent<T>(
  ctx: CommandContext,
  path: string,
  query: Query,
  last: number,
): Promise<RecentPage<T>> {
  const items: T[] = [];
  let total: number | undefined;
  for (;;) {
    const want = last === 0 ? PAGE_SIZE : Math.min(PAGE_SIZE, last - items.length);
    const res = await ctx.client.request("GET", path, {
      ...query,
      limit: want,
      offset: items.length,
    });
    if (!Array.isArray(res.json)) throw new ProtocolError(`${res.request} did not return a list`);
    const page = res.json as T[];
    total = res.total;
    items.push(...page);
    const done =
      page.length < want ||
      (last !== 0 && items.length >= last) ||
      (total !== undefined && items.length >= total);
    if (done) return { items, total };
  }
}

/** st2's note box, as one line on stderr. */
export function noteIfMore(ctx: CommandContext, page: RecentPage<unknown>, what: string): void {
  if (page.total !== undefined && page.total > page.items.length)
    ctx.note(
      `Note: only the ${page.items.length} most recent of ${page.total} ${what} are shown. Use -n to see more (0 for all).`,
    );
}
