/**
 * Content statements, generated per table from a fixed description (table and column names are
 * constants of this module, never caller input). Every table is keyed by its primary key; the
 * filter columns have (column, ref) indexes so a filtered listing comes out in ref order.
 */

export interface ContentTable {
  table: string;
  /** Primary key column: ref, or name for runner types, or pack for configs. */
  key: string;
  /** Indexed columns that listings filter on, besides the key. */
  columns: readonly string[];
}

export const TABLES = {
  pack: { table: "packs", key: "ref", columns: [] },
  runner_type: { table: "runner_types", key: "name", columns: [] },
  action: { table: "actions", key: "ref", columns: ["pack"] },
  // rules_by_pack (pack, ref) and rules_by_trigger (trigger_type, enabled, ref).
  rule: { table: "rules", key: "ref", columns: ["pack", "enabled", "trigger_type"] },
  sensor: { table: "sensors", key: "ref", columns: ["pack"] },
  trigger_type: { table: "trigger_types", key: "ref", columns: ["pack"] },
  alias: { table: "aliases", key: "ref", columns: ["pack"] },
  // policies_by_pack (pack, ref) and policies_by_resource (resource_ref, ref).
  policy: { table: "policies", key: "ref", columns: ["pack", "resource_ref"] },
  config_schema: { table: "config_schemas", key: "pack", columns: [] },
  config: { table: "configs", key: "pack", columns: [] },
} as const satisfies Record<string, ContentTable>;

/** Idempotent: re-registering the same record rewrites the row with identical values. */
export function upsertSql(t: ContentTable): string {
  const names = [t.key, ...t.columns, "record"];
  const updates = [...t.columns, "record"].map((c) => `${c} = excluded.${c}`).join(", ");
  return `INSERT INTO ${t.table} (${names.join(", ")})
    VALUES (${names.map((c) => `@${c}`).join(", ")})
    ON CONFLICT (${t.key}) DO UPDATE SET ${updates}`;
}

/** Hot. Primary-key lookup. */
export function getSql(t: ContentTable): string {
  return `SELECT record FROM ${t.table} WHERE ${t.key} = ?`;
}

/** Primary-key delete (API deletes of one resource). */
export function deleteSql(t: ContentTable): string {
  return `DELETE FROM ${t.table} WHERE ${t.key} = ?`;
}

function whereClause(filterColumns: readonly string[]): string {
  return filterColumns.length === 0
    ? ""
    : `WHERE ${filterColumns.map((c) => `${c} = ?`).join(" AND ")}`;
}

/**
 * Listing in key order. Unfiltered, it walks the primary key; filtered on pack (or trigger_type
 * and enabled, or resource_ref) it walks the matching (…, ref) index, already in ref order.
 */
export function listSql(t: ContentTable, filterColumns: readonly string[]): string {
  return `SELECT record FROM ${t.table} ${whereClause(filterColumns)}
    ORDER BY ${t.key} LIMIT ? OFFSET ?`;
}

export function countSql(t: ContentTable, filterColumns: readonly string[]): string {
  return `SELECT COUNT(*) AS total FROM ${t.table} ${whereClause(filterColumns)}`;
}

/**
 * Removes a pack's rows whose ref is not in the JSON array bound to the second parameter.
 * Served by the table's (pack, ref) index.
 */
export function pruneSql(t: ContentTable): string {
  return `DELETE FROM ${t.table}
    WHERE pack = ? AND ${t.key} NOT IN (SELECT value FROM json_each(?))`;
}
