/**
 * Concrete triggers on SQLite. Lookup by type and parameters compares a canonical JSON text
 * (keys sorted at every level), so `{a, b}` and `{b, a}` find the same trigger.
 */

import type { Database, Statement } from "better-sqlite3";
import { ValidationError } from "../../../core/errors.ts";
import type { TriggerDef } from "../../../core/reactor/model.ts";
import type { Page, PageResult } from "../contract.ts";
import { isPlainObject, normalPage, parseJson, requireText } from "./shared.ts";
import * as sql from "./sql/reactor.ts";

/**
 * JSON with object keys sorted recursively; array order is kept (it is meaningful). The replacer
 * sees every value after `toJSON`, so nested objects are sorted before being written.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!isPlainObject(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = v[key];
    return sorted;
  });
}

function checkTrigger(trigger: TriggerDef): void {
  requireText(trigger?.ref, "trigger.ref");
  for (const field of ["id", "uid", "name", "pack", "type"] as const) {
    requireText(trigger[field], `trigger ${trigger.ref}: ${field}`);
  }
  if (!isPlainObject(trigger.parameters)) {
    throw new ValidationError(`trigger ${trigger.ref}: parameters must be an object`, {
      field: "parameters",
    });
  }
  if (trigger.description !== undefined && typeof trigger.description !== "string") {
    throw new ValidationError(`trigger ${trigger.ref}: description must be a string`, {
      field: "description",
    });
  }
}

export class TriggerTable {
  readonly #upsert: Statement;
  readonly #delete: Statement<[string]>;
  readonly #get: Statement<[string], { record: string }>;
  readonly #find: Statement<[string, string], { record: string }>;
  readonly #list: Record<"all" | "byType", { rows: Statement; count: Statement }>;

  constructor(db: Database) {
    this.#upsert = db.prepare(sql.UPSERT_TRIGGER);
    this.#delete = db.prepare(sql.DELETE_TRIGGER);
    this.#get = db.prepare(sql.GET_TRIGGER);
    this.#find = db.prepare(sql.FIND_TRIGGER);
    this.#list = {
      all: {
        rows: db.prepare(sql.listTriggersSql(false)),
        count: db.prepare(sql.countTriggersSql(false)),
      },
      byType: {
        rows: db.prepare(sql.listTriggersSql(true)),
        count: db.prepare(sql.countTriggersSql(true)),
      },
    };
  }

  /** In the caller's transaction. Keyed by ref: a second upsert replaces the record. */
  upsert(trigger: TriggerDef): void {
    checkTrigger(trigger);
    this.#upsert.run({
      ref: trigger.ref,
      type: trigger.type,
      canonical: canonicalJson(trigger.parameters),
      record: JSON.stringify(trigger),
    });
  }

  /** In the caller's transaction. Deleting a ref that does not exist is a no-op. */
  delete(ref: string): void {
    requireText(ref, "ref");
    this.#delete.run(ref);
  }

  get(ref: string): TriggerDef | null {
    const row = this.#get.get(ref);
    return row ? decode(row.record) : null;
  }

  find(type: string, parameters: Record<string, unknown>): TriggerDef | null {
    requireText(type, "type");
    if (!isPlainObject(parameters)) {
      throw new ValidationError("parameters must be an object", { field: "parameters" });
    }
    const row = this.#find.get(type, canonicalJson(parameters));
    return row ? decode(row.record) : null;
  }

  list(filter: { type?: string }, page: Page): PageResult<TriggerDef> {
    const { limit, offset } = normalPage(page);
    const byType = filter.type !== undefined;
    const statements = byType ? this.#list.byType : this.#list.all;
    const params = byType ? [filter.type] : [];
    const rows = statements.rows.all(...params, limit, offset) as Array<{ record: string }>;
    const { total } = statements.count.get(...params) as { total: number };
    return { items: rows.map((r) => decode(r.record)), total };
  }
}

function decode(text: string): TriggerDef {
  return parseJson<TriggerDef>(text, "triggers.record");
}
