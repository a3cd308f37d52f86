/**
 * Key-value statements. Expired rows stay until a writer purges them, so every read filters on
 * expire_at; the filter is applied to rows the primary key already narrowed.
 */

const VISIBLE = "(expire_at IS NULL OR expire_at > @now)";

/** Hot (template rendering reads keys). Primary-key lookup on (scope, name). */
export const GET_KV = "SELECT value, secret, expire_at FROM kv WHERE scope = ? AND name = ?";

export const UPSERT_KV = `
  INSERT INTO kv (scope, name, value, secret, expire_at)
  VALUES (@scope, @name, @value, @secret, @expireAt)
  ON CONFLICT (scope, name) DO UPDATE
  SET value = excluded.value, secret = excluded.secret, expire_at = excluded.expire_at`;

/** Primary-key delete; RETURNING tells whether a visible row was removed. */
export const DELETE_KV = "DELETE FROM kv WHERE scope = ? AND name = ? RETURNING expire_at";

/** Range scan of the partial index kv_by_expiry, touching only rows that have expired. */
export const PURGE_EXPIRED_KV = "DELETE FROM kv WHERE expire_at <= ?";

/**
 * Hot (prefix listing). `name >= @prefix AND name < @prefix || char(0x10ffff)` is a range on
 * the primary key (scope, name), in name order, where LIKE would scan the scope (and LIKE is
 * case-insensitive and treats % and _ as wildcards, which key names may contain).
 */
const PREFIX = "name >= @prefix AND name < @prefix || char(1114111)";

function where(withPrefix: boolean): string {
  return `WHERE scope = @scope AND ${VISIBLE}${withPrefix ? ` AND ${PREFIX}` : ""}`;
}

export function listKvSql(withPrefix: boolean): string {
  return `SELECT scope, name, value, secret, expire_at FROM kv ${where(withPrefix)}
    ORDER BY name LIMIT @limit OFFSET @offset`;
}

export function countKvSql(withPrefix: boolean): string {
  return `SELECT COUNT(*) AS total FROM kv ${where(withPrefix)}`;
}
