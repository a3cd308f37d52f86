/** The key-value datastore on SQLite, with TTL expiry measured on the store clock. */

import type { Statement } from "better-sqlite3";
import { ValidationError } from "../../../core/errors.ts";
import type { KeyValueStore, Page, PageResult } from "../contract.ts";
import { normalPage, requireText, type Writer } from "./shared.ts";
import * as sql from "./sql/kv.ts";

interface KvRow {
  scope: string;
  name: string;
  value: string;
  secret: number;
}

type KvItem = { name: string; value: string; secret: boolean; scope: string };

export class SqliteKeyValueStore implements KeyValueStore {
  readonly #get: Statement<[string, string], KvRow & { expire_at: number | null }>;
  readonly #upsert: Statement;
  readonly #delete: Statement<[string, string], { expire_at: number | null }>;
  readonly #purge: Statement<[number]>;
  readonly #list: Record<"plain" | "prefix", { rows: Statement; count: Statement }>;

  constructor(private readonly writer: Writer) {
    const db = writer.db;
    this.#get = db.prepare(sql.GET_KV);
    this.#upsert = db.prepare(sql.UPSERT_KV);
    this.#delete = db.prepare(sql.DELETE_KV);
    this.#purge = db.prepare(sql.PURGE_EXPIRED_KV);
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
    requireText(scope, "scope");
    requireText(name, "name");
    if (typeof value !== "string") {
      throw new ValidationError(`value of ${scope}:${name} must be a string`, { field: "value" });
    }
    const { ttlSeconds } = options;
    if (ttlSeconds !== undefined && !(Number.isFinite(ttlSeconds) && ttlSeconds > 0)) {
      throw new ValidationError(`ttl of ${scope}:${name} must be a positive number of seconds`, {
        field: "ttl",
      });
    }
    this.writer.run(() => {
      const now = this.writer.now();
      // Writers clear out expired rows as they go, so no separate sweeper is needed.
      this.#purge.run(now);
      this.#upsert.run({
        scope,
        name,
        value,
        secret: options.secret ? 1 : 0,
        expireAt: ttlSeconds === undefined ? null : now + ttlSeconds * 1000,
      });
    });
  }

  async delete(scope: string, name: string): Promise<boolean> {
    const removed = this.writer.run(() => this.#delete.get(scope, name));
    if (!removed) return false;
    // Deleting a row that had already expired removes nothing the caller could see.
    return removed.expire_at === null || removed.expire_at > this.writer.now();
  }

  async list(scope: string, options: { prefix?: string } & Page): Promise<PageResult<KvItem>> {
    const { limit, offset } = normalPage(options);
    const prefix = options.prefix ?? "";
    const statements = prefix === "" ? this.#list.plain : this.#list.prefix;
    const params = { scope, prefix, now: this.writer.now(), limit, offset };
    const rows = statements.rows.all(params) as KvRow[];
    const { total } = statements.count.get(params) as { total: number };
    return {
      items: rows.map((r) => ({
        scope: r.scope,
        name: r.name,
        value: r.value,
        secret: r.secret === 1,
      })),
      total,
    };
  }
}
