/**
 * Tokens and API keys in the node's SQLite database (migration 007). Only SHA-256 hashes of the
 * secrets are stored; the raw token or key exists in the answer that created it and nowhere else.
 */

import { hash } from "node:crypto";
import type { Database } from "better-sqlite3";

export interface TokenRow {
  id: string;
  user: string;
  /** ms since the epoch */
  expiry: number;
  metadata: Record<string, unknown>;
  service: boolean;
}

export interface ApiKeyRow {
  id: string;
  user: string;
  key_hash: string;
  metadata: Record<string, unknown>;
  created_at: string;
  enabled: boolean;
}

/**
 * Hex SHA-256 of a token or key: every authenticated request hashes its credential, and the
 * one-shot `crypto.hash` (Node 20.12+) costs about a third of a Hash object's setup.
 */
export function sha256(text: string): string {
  return hash("sha256", text, "hex");
}

interface RawToken {
  id: string;
  user: string;
  expiry: number;
  metadata: string;
  service: number;
}

interface RawKey {
  id: string;
  user: string;
  key_hash: string;
  metadata: string;
  created_at: string;
  enabled: number;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

const toToken = (r: RawToken): TokenRow => ({
  id: r.id,
  user: r.user,
  expiry: r.expiry,
  metadata: parseObject(r.metadata),
  service: r.service === 1,
});

const toKey = (r: RawKey): ApiKeyRow => ({
  id: r.id,
  user: r.user,
  key_hash: r.key_hash,
  metadata: parseObject(r.metadata),
  created_at: r.created_at,
  enabled: r.enabled === 1,
});

export class AuthStore {
  constructor(private readonly db: Database) {}

  insertToken(tokenHash: string, row: TokenRow, now: number): void {
    this.db
      .prepare(
        "INSERT INTO auth_tokens (token_hash, id, user, expiry, metadata, service, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        tokenHash,
        row.id,
        row.user,
        row.expiry,
        JSON.stringify(row.metadata),
        row.service ? 1 : 0,
        now,
      );
  }

  findToken(tokenHash: string): TokenRow | null {
    const r = this.db
      .prepare("SELECT id, user, expiry, metadata, service FROM auth_tokens WHERE token_hash = ?")
      .get(tokenHash) as RawToken | undefined;
    return r ? toToken(r) : null;
  }

  deleteToken(tokenHash: string): boolean {
    return (
      this.db.prepare("DELETE FROM auth_tokens WHERE token_hash = ?").run(tokenHash).changes > 0
    );
  }

  /** Removes tokens that expired before `now`; returns how many. */
  purgeExpiredTokens(now: number): number {
    return this.db.prepare("DELETE FROM auth_tokens WHERE expiry <= ?").run(now).changes;
  }

  insertApiKey(row: ApiKeyRow): void {
    this.db
      .prepare(
        "INSERT INTO api_keys (id, user, key_hash, metadata, created_at, enabled) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(
        row.id,
        row.user,
        row.key_hash,
        JSON.stringify(row.metadata),
        row.created_at,
        row.enabled ? 1 : 0,
      );
  }

  apiKeyByHash(keyHash: string): ApiKeyRow | null {
    const r = this.db.prepare("SELECT * FROM api_keys WHERE key_hash = ?").get(keyHash) as
      | RawKey
      | undefined;
    return r ? toKey(r) : null;
  }

  apiKeyById(id: string): ApiKeyRow | null {
    const r = this.db.prepare("SELECT * FROM api_keys WHERE id = ?").get(id) as RawKey | undefined;
    return r ? toKey(r) : null;
  }

  listApiKeys(
    filter: { user?: string },
    page: { limit: number; offset: number },
  ): { items: ApiKeyRow[]; total: number } {
    const where = filter.user !== undefined ? "WHERE user = ?" : "";
    const args = filter.user !== undefined ? [filter.user] : [];
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM api_keys ${where}`).get(...args) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT * FROM api_keys ${where} ORDER BY id LIMIT ? OFFSET ?`)
      .all(...args, page.limit, page.offset) as RawKey[];
    return { items: rows.map(toKey), total };
  }

  updateApiKey(row: ApiKeyRow): void {
    this.db
      .prepare("UPDATE api_keys SET user = ?, metadata = ?, enabled = ? WHERE id = ?")
      .run(row.user, JSON.stringify(row.metadata), row.enabled ? 1 : 0, row.id);
  }

  deleteApiKey(id: string): boolean {
    return this.db.prepare("DELETE FROM api_keys WHERE id = ?").run(id).changes > 0;
  }
}
