/**
 * Query-string handling shared by the reactor routes: StackStorm's boolean spelling, refusing
 * filters Squall cannot honour, and trigger lookup by ref or id.
 */

import { NotFoundError, ValidationError } from "../../core/errors.ts";
import type { TriggerDef } from "../../core/reactor/model.ts";
import type { SecretRegistry } from "../../engine/logger.ts";
import { MAX_PAGE_SIZE, type Store } from "../../engine/store/contract.ts";

/** What the reactor routes need from the engine. */
export interface ReactorRouteDeps {
  store: Store;
  /** Values the node knows to be secret, scrubbed from trigger instance payloads. */
  secrets?: SecretRegistry;
  /**
   * Re-reads rules into the matcher after an update. When it resolves to a list of
   * `{rule, message}` (as RulesService.reload does), a rule listed there is refused.
   */
  rules: { reload(): Promise<unknown> };
  dispatcher: {
    dispatchTrigger(
      ref: string,
      payload: Record<string, unknown>,
      options: { traceTag?: string },
    ): Promise<{ created: string[]; duplicates: string[]; traceTag?: string }>;
  };
}

export type Query = Record<string, string | undefined>;

/** st2's `transform_to_bool`: 1/true/True and 0/false/False. */
export function parseBool(raw: string, field: string): boolean {
  if (raw === "1" || raw.toLowerCase() === "true") return true;
  if (raw === "0" || raw.toLowerCase() === "false") return false;
  throw new ValidationError(`${field} must be true or false, got "${raw}"`, { field });
}

/**
 * StackStorm filters that Squall's store cannot apply. Ignoring them would return a list that
 * looks filtered but is not, so they are refused instead.
 */
export function refuseFilters(query: Query, names: readonly string[], hint = ""): void {
  for (const name of names) {
    if (query[name] !== undefined && query[name] !== "")
      throw new ValidationError(
        `filtering by ${name} is not supported here${hint ? `; ${hint}` : ""}`,
        { field: name },
      );
  }
}

/** Any page of a listing, walked to the end; for small sets (triggers) searched by a field. */
export async function findInPages<T>(
  list: (page: { limit: number; offset: number }) => Promise<{ items: T[] }>,
  match: (item: T) => boolean,
): Promise<T | undefined> {
  for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
    const page = await list({ limit: MAX_PAGE_SIZE, offset });
    const found = page.items.find(match);
    if (found) return found;
    if (page.items.length < MAX_PAGE_SIZE) return undefined;
  }
}

/**
 * StackStorm addresses triggers by id (`/triggers/{trigger_id}`) and timers by ref or id.
 * Shadow triggers have id == ref; parameterised ones are named by a UUID, so an id lookup
 * walks the (small) trigger table.
 */
export async function getTriggerByRefOrId(store: Store, refOrId: string): Promise<TriggerDef> {
  const byRef = await store.reactor.getTrigger(refOrId);
  if (byRef) return byRef;
  const byId = await findInPages(
    (page) => store.reactor.listTriggers({}, page),
    (t) => t.id === refOrId,
  );
  if (!byId) throw new NotFoundError(`trigger ${refOrId} does not exist`);
  return byId;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Every item of a listing, for small sets that must be merged or searched before paging. */
export async function collectAll<T>(
  list: (page: { limit: number; offset: number }) => Promise<{ items: T[] }>,
): Promise<T[]> {
  const all: T[] = [];
  for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
    const page = await list({ limit: MAX_PAGE_SIZE, offset });
    all.push(...page.items);
    if (page.items.length < MAX_PAGE_SIZE) return all;
  }
}
