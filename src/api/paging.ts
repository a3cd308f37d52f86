import type { FastifyReply } from "fastify";
import { ValidationError } from "../core/errors.ts";
import type { Page, PageResult } from "../engine/store/contract.ts";

/** StackStorm's `limit`/`offset` query parameters, validated. `limit=-1` (st2's "all") maps to the cap. */
export function pageFrom(query: Record<string, unknown>, defaultLimit = 50): Page {
  const limit = query.limit === undefined ? defaultLimit : Number(query.limit);
  const offset = query.offset === undefined ? 0 : Number(query.offset);
  if (!Number.isInteger(limit) || (limit < 1 && limit !== -1))
    throw new ValidationError(`limit must be a positive integer, got "${String(query.limit)}"`, {
      field: "limit",
    });
  if (!Number.isInteger(offset) || offset < 0)
    throw new ValidationError(
      `offset must be a non-negative integer, got "${String(query.offset)}"`,
      { field: "offset" },
    );
  return { limit: limit === -1 ? 1000 : limit, offset };
}

export function sendPage<T>(reply: FastifyReply, page: PageResult<T>): T[] {
  void reply.header("X-Total-Count", String(page.total));
  return page.items;
}
