/**
 * Reactor statements: triggers, trigger instances, idempotency keys, rule enforcements, traces.
 * Hot ones (run per event by the rules worker) say which index serves them. Listing SQL is built
 * from the fixed fragments below, never from caller text.
 */

// Triggers --------------------------------------------------------------------------------------

export const UPSERT_TRIGGER = `
  INSERT INTO triggers (ref, type, canonical_parameters, record)
  VALUES (@ref, @type, @canonical, @record)
  ON CONFLICT (ref) DO UPDATE
  SET type = excluded.type, canonical_parameters = excluded.canonical_parameters,
      record = excluded.record`;

/** Primary-key delete. */
export const DELETE_TRIGGER = "DELETE FROM triggers WHERE ref = ?";

/** Hot. Primary-key lookup. */
export const GET_TRIGGER = "SELECT record FROM triggers WHERE ref = ?";

/**
 * Hot (webhooks and sensors resolve their trigger by type and parameters). One seek on
 * triggers_by_parameters; its trailing ref column makes the first match by ref the first entry.
 */
export const FIND_TRIGGER = `
  SELECT record FROM triggers WHERE type = ? AND canonical_parameters = ?
  ORDER BY ref LIMIT 1`;

/** triggers_by_type (type, ref) walks one type in ref order; unfiltered, the primary key does. */
export function listTriggersSql(byType: boolean): string {
  return `SELECT record FROM triggers ${byType ? "WHERE type = ?" : ""}
    ORDER BY ref LIMIT ? OFFSET ?`;
}

export function countTriggersSql(byType: boolean): string {
  return `SELECT COUNT(*) AS total FROM triggers ${byType ? "WHERE type = ?" : ""}`;
}

// Trigger instances and idempotency keys --------------------------------------------------------

export const INSTANCE_COLUMNS =
  "id, trigger, status, occurrence_time, trace_tag, idempotency_key, error, payload";

/** Hot. Primary-key insert plus the three index entries. */
export const INSERT_INSTANCE = `
  INSERT INTO trigger_instances (${INSTANCE_COLUMNS})
  VALUES (@id, @trigger, @status, @occurrence_time, @trace_tag, @idempotency_key, @error,
          @payload)`;

/** Hot. Primary-key lookup. */
export const GET_INSTANCE = `SELECT ${INSTANCE_COLUMNS} FROM trigger_instances WHERE id = ?`;

/** Hot. Primary-key update; `changes` = 0 means the instance does not exist. */
export const SET_INSTANCE_STATUS =
  "UPDATE trigger_instances SET status = @status, error = @error WHERE id = @id";

/**
 * Hot. Takes the key in one statement on its primary key: inserted when new, taken over when its
 * window has passed, untouched (changes = 0) while a live instance holds it.
 */
export const CLAIM_IDEMPOTENCY_KEY = `
  INSERT INTO idempotency_keys (key, instance_id, expires_at)
  VALUES (@key, @id, @expiresAt)
  ON CONFLICT (key) DO UPDATE
  SET instance_id = excluded.instance_id, expires_at = excluded.expires_at
  WHERE idempotency_keys.expires_at <= @now`;

/** Rare path: re-points a live key whose instance is gone (purged), so the new one can take it. */
export const TAKE_IDEMPOTENCY_KEY = `
  UPDATE idempotency_keys SET instance_id = @id, expires_at = @expiresAt WHERE key = @key`;

/** The instance holding a key: two primary-key lookups. */
export const INSTANCE_BY_KEY = `
  SELECT ${INSTANCE_COLUMNS.split(", ")
    .map((c) => `i.${c}`)
    .join(", ")}
  FROM idempotency_keys k JOIN trigger_instances i ON i.id = k.instance_id
  WHERE k.key = ?`;

/** Range scan of idempotency_keys_by_expiry over the expired keys only. */
export const EXPIRE_IDEMPOTENCY_KEYS = "DELETE FROM idempotency_keys WHERE expires_at <= ?";

/**
 * WHERE fragments for instance listings. trigger and status are served by their (column, id)
 * indexes in id order; time ranges by trigger_instances_by_occurrence.
 */
export const INSTANCE_FILTER_SQL = {
  trigger: "trigger = ?",
  status: "status = ?",
  timestamp_gt: "occurrence_time > ?",
  timestamp_lt: "occurrence_time < ?",
} as const;

// Rule enforcements -----------------------------------------------------------------------------

/** Hot. Primary-key insert plus the three index entries. */
export const INSERT_ENFORCEMENT = `
  INSERT INTO rule_enforcements (id, rule_ref, trigger_instance_id, execution_id, record)
  VALUES (@id, @rule_ref, @trigger_instance_id, @execution_id, @record)`;

export const GET_ENFORCEMENT = "SELECT record FROM rule_enforcements WHERE id = ?";

/** Each served by its (column, id) index: _by_rule, _by_instance, _by_execution. */
export const ENFORCEMENT_FILTER_SQL = {
  rule: "rule_ref = ?",
  trigger_instance: "trigger_instance_id = ?",
  execution: "execution_id = ?",
} as const;

// Traces ----------------------------------------------------------------------------------------

export const TRACE_COLUMNS = "id, trace_tag, start_timestamp, first_components";

/** Hot (every trace.link). The last entry for the tag in traces_by_tag: one seek. */
export const NEWEST_TRACE_BY_TAG =
  "SELECT id FROM traces WHERE trace_tag = ? ORDER BY id DESC LIMIT 1";

export const INSERT_TRACE = `
  INSERT INTO traces (${TRACE_COLUMNS})
  VALUES (@id, @trace_tag, @start_timestamp, @first_components)`;

/** Hot (every trace.link): an append; seq (the rowid) keeps the components' order. */
export const INSERT_TRACE_COMPONENT = `
  INSERT INTO trace_components (trace_id, kind, component) VALUES (@id, @kind, @component)`;

/** trace_components_by_trace: one range scan, in insertion order. */
export const TRACE_COMPONENTS = `
  SELECT kind, component FROM trace_components WHERE trace_id = ? ORDER BY seq`;

export const GET_TRACE = `SELECT ${TRACE_COLUMNS} FROM traces WHERE id = ?`;

/** traces_by_tag (trace_tag, id) serves the tag filter in id order. */
export const TRACE_FILTER_SQL = { trace_tag: "trace_tag = ?" } as const;

// Listings --------------------------------------------------------------------------------------

function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
}

/**
 * Newest first: a walk of the filter's (column, id) index backwards, or of the primary key when
 * unfiltered, stopping after LIMIT + OFFSET rows. `table` and `columns` are constants above.
 */
export function listNewestSql(
  table: string,
  columns: string,
  conditions: readonly string[],
): string {
  return `SELECT ${columns} FROM ${table} ${whereClause(conditions)}
    ORDER BY id DESC LIMIT ? OFFSET ?`;
}

/** The X-Total-Count of a listing: counts index entries of the same filter. */
export function countSql(table: string, conditions: readonly string[]): string {
  return `SELECT COUNT(*) AS total FROM ${table} ${whereClause(conditions)}`;
}
