/**
 * Execution and output statements. Listing SQL is assembled from the fixed fragments below
 * (never from caller text), and each fragment names the index that serves it.
 */

export const EXECUTION_COLUMNS = `id, action_ref, runner_type, status, parent, delay,
  start_timestamp, end_timestamp, runner_node, revision, parameters, result, context, log`;

export const INSERT_EXECUTION = `
  INSERT INTO executions (${EXECUTION_COLUMNS})
  VALUES (@id, @action_ref, @runner_type, @status, @parent, @delay, @start_timestamp,
          @end_timestamp, @runner_node, @revision, @parameters, @result, @context, @log)`;

/** Hot. Primary-key lookup. */
export const GET_EXECUTION = `SELECT ${EXECUTION_COLUMNS} FROM executions WHERE id = ?`;

/**
 * Hot. Primary-key update, guarded by revision: a write based on a stale read changes nothing,
 * which the caller turns into ConflictError. @revisions is the number of transitions applied
 * (an in-process runner's start and end are written at once).
 */
export const UPDATE_EXECUTION = `
  UPDATE executions
  SET status = @status, result = @result, context = @context, end_timestamp = @end_timestamp,
      runner_node = @runner_node, log = @log, revision = revision + @revisions
  WHERE id = @id AND revision = @revision`;

/**
 * WHERE fragments for listings, one per filter. Each single-column filter is served by its
 * (column, id) index — executions_by_status, _by_action, _by_parent, _by_runner_type — which
 * also yields rows in id order, so ORDER BY id needs no sort. Timestamp ranges use
 * executions_by_start. SQLite's planner picks the most selective when several are combined.
 */
export const FILTER_SQL = {
  action: "action_ref = ?",
  runner_type: "runner_type = ?",
  parent: "parent = ?",
  parentIsNull: "parent IS NULL",
  timestamp_gt: "start_timestamp > ?",
  timestamp_lt: "start_timestamp < ?",
  // Context filters scan the rows the other conditions leave; StackStorm has no index there either.
  user: "json_extract(context, '$.user') = ?",
  trigger_instance: "json_extract(context, '$.trigger_instance.id') = ?",
  rule: "json_extract(context, '$.rule.ref') = ?",
} as const;

/**
 * `status IN (?, ?, …)` for `count` statuses, via executions_by_status. One status comes out in
 * id order; several are one index range each, merged by a sort of the matching rows.
 */
export function statusInSql(count: number): string {
  return `status IN (${Array.from({ length: count }, () => "?").join(", ")})`;
}

function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
}

/** Hot (execution history). Walks an index in id order and stops after LIMIT + OFFSET rows. */
export function listExecutionsSql(conditions: readonly string[], order: "ASC" | "DESC"): string {
  return `SELECT ${EXECUTION_COLUMNS} FROM executions ${whereClause(conditions)}
    ORDER BY id ${order} LIMIT ? OFFSET ?`;
}

/** The X-Total-Count for a listing; counts index entries of the same filter, no row reads. */
export function countExecutionsSql(conditions: readonly string[]): string {
  return `SELECT COUNT(*) AS total FROM executions ${whereClause(conditions)}`;
}

/**
 * Cold (`/executions/views/filters`). Distinct values of one attribute: the column ones walk
 * their (column, id) index; the context ones scan the table, as StackStorm's distinct does.
 */
export const DISTINCT_SQL = {
  action: "SELECT DISTINCT action_ref AS value FROM executions ORDER BY value",
  status: "SELECT DISTINCT status AS value FROM executions ORDER BY value",
  runner: "SELECT DISTINCT runner_type AS value FROM executions ORDER BY value",
  user: `SELECT DISTINCT json_extract(context, '$.user') AS value FROM executions
    WHERE value IS NOT NULL ORDER BY value`,
  rule: "SELECT DISTINCT json_extract(context, '$.rule.ref') AS value FROM executions ORDER BY value",
} as const;

/** Hot. MAX over the primary key (execution_id, seq) reads one index entry. */
export const LAST_OUTPUT_SEQ =
  "SELECT COALESCE(MAX(seq), 0) AS last FROM execution_output WHERE execution_id = ?";

/** Hot. Appends under the primary key; the foreign key rejects an unknown execution. */
export const INSERT_OUTPUT = `
  INSERT INTO execution_output (execution_id, seq, output_type, data, timestamp)
  VALUES (?, ?, ?, ?, ?)`;

/**
 * Hot (output streaming). Range scan of the primary key from @after; the type filter is applied
 * to rows in that range. A negative LIMIT means no limit in SQLite.
 */
export const READ_OUTPUT = `
  SELECT execution_id, seq, output_type, data, timestamp FROM execution_output
  WHERE execution_id = @id AND seq > @after AND (@type IS NULL OR output_type = @type)
  ORDER BY seq LIMIT @limit`;
