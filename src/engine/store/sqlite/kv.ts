/** The key-value datastore on SQLite, with TTL expiry measured on the store clock. */

import type { Database, Statement } from "better-sqlite3";
import { ValidationError } from "../../../core/errors.ts";
import type { KeyValueStore, KvEntry, Page, PageResult } from "../contract.ts";
import { normalPage, requireText, type Writer } from "./shared.ts";
import * as sql from "./sql/kv.ts";

interface KvRow {
  scope: string;
  name: string;
  value: string;
  secret: number;
}

type KvItem = { name: string; value: string; secret: boolean; scope: string };

/** Key-value writes that run inside a caller's transaction (the store's methods and `commit`). */
export class KvTable {
  readonly #upsert: Statement;
  readonly #delete: Statement<[string, string], { expire_at: number | null }>;
  readonly #purge: Statement<[number]>;

  constructor(
    db: Database,
    private readonly now: () => number,
  ) {
    this.#upsert = db.prepare(sql.UPSERT_KV);
    this.#delete = db.prepare(sql.DELETE_KV);
    this.#purge = db.prepare(sql.PURGE_EXPIRED_KV);
  }

  /** `expireAt` is ms since the epoch on the store clock, or null to keep the pair forever. */
  set(scope: string, name: string, value: string, secret: boolean, expireAt: number | null): void {
    requireText(scope, "scope");
    requireText(name, "name");
    if (typeof value !== "string") {
      throw new ValidationError(`value of ${scope}:${name} must be a string`, { field: "value" });
    }
    if (expireAt !== null && !Number.isFinite(expireAt)) {
      throw new ValidationError(`expiry of ${scope}:${name} must be a finite number of ms`, {
        field: "expiresAt",
      });
    }
    // Writers clear out expired rows as they go, so no separate sweeper is needed.
    this.#purge.run(this.now());
    this.#upsert.run({ scope, name, value, secret: secret ? 1 : 0, expireAt });
  }

  /** Returns whether a pair the caller could see was removed. */
  delete(scope: string, name: string): boolean {
    requireText(scope, "scope");
    requireText(name, "name");
    const removed = this.#delete.get(scope, name);
    if (!removed) return false;
    // Deleting a row that had already expired removes nothing the caller could see.
    return removed.expire_at === null || removed.expire_at > this.now();
  }
}

export class SqliteKeyValueStore implements KeyValueStore {
  readonly #get: Statement<[string, string], KvRow & { expire_at: number | null }>;
  readonly #list: Record<"plain" | "prefix", { rows: Statement; count: Statement }>;
  readonly #purgeExpired: Statement<[number]>;

  constructor(
    private readonly writer: Writer,
    private readonly table: KvTable,
  ) {
    const db = writer.db;
    this.#get = db.prepare(sql.GET_KV);
    this.#purgeExpired = db.prepare(sql.PURGE_EXPIRED_KV);
    this.#list = {
      plain: { rows: db.prepare(sql.listKvSql(false)), count: db.prepare(sql.countKvSql(false)) },
      prefix: { rows: db.prepare(sql.listKvSql(true)), count: db.prepare(sql.countKvSql(true)) },
    };
  }

  async get(scope: string, name: string): Promise<{ value: string; secret: boolean } | null> {
    const row = this.#get.get(scope, name);
    if (!row) return null;
    if (row.expire_at !== null && row.expire_at <= this.writer.now()) return null;
    return { value: row.value, secret: row.secret === 1 };
  }

  async set(
    scope: string,
    name: string,
    value: string,
    options: { secret?: boolean; ttlSeconds?: number } = {},
  ): Promise<void> {
    const { ttlSeconds } = options;
    if (ttlSeconds !== undefined && !(Number.isFinite(ttlSeconds) && ttlSeconds > 0)) {
      throw new ValidationError(`ttl of ${scope}:${name} must be a positive number of seconds`, {
        field: "ttl",
      });
    }
    this.writer.run(() => {
      const expireAt = ttlSeconds === undefined ? null : this.writer.now() + ttlSeconds * 1000;
      this.table.set(scope, name, value, options.secret === true, expireAt);
    });
  }

  async delete(scope: string, name: string): Promise<boolean> {
    return this.writer.run(() => this.table.delete(scope, name));
  }

  async getEntry(scope: string, name: string): Promise<KvEntry | null> {
    const row = this.#get.get(scope, name);
    if (!row) return null;
    if (row.expire_at !== null && row.expire_at <= this.writer.now()) return null;
    return {
      scope,
      name,
      value: row.value,
      secret: row.secret === 1,
      expiresAt: row.expire_at,
    };
  }

  async listEntries(
    scope: string,
    options: { prefix?: string } & Page,
  ): Promise<PageResult<KvEntry>> {
    const { items, total } = this.#listRows(scope, options);
    return {
      items: items.map((r) => ({
        scope: r.scope,
        name: r.name,
        value: r.value,
        secret: r.secret === 1,
        expiresAt: r.expire_at,
      })),
      total,
    };
  }

  async purgeExpired(): Promise<number> {
    return this.writer.run(() => this.#purgeExpired.run(this.writer.now()).changes);
  }

  #listRows(
    scope: string,
    options: { prefix?: string } & Page,
  ): { items: Array<KvRow & { expire_at: number | null }>; total: number } {
    const { limit, offset } = normalPage(options);
    const prefix = options.prefix ?? "";
    const statements = prefix === "" ? this.#list.plain : this.#list.prefix;
    const params = { scope, prefix, now: this.writer.now(), limit, offset };
    const items = statements.rows.all(params) as Array<KvRow & { expire_at: number | null }>;
    const { total } = statements.count.get(params) as { total: number };
    return { items, total };
  }

  async list(scope: string, options: { prefix?: string } & Page): Promise<PageResult<KvItem>> {
    const { items, total } = this.#listRows(scope, options);
    return {
      items: items.map((r) => ({
        scope: r.scope,
        name: r.name,
        value: r.value,
        secret: r.secret === 1,
      })),
      total,
    };
  }
}
