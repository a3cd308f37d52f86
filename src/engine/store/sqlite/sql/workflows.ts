/**
 * Workflow state statements (tables of 003_workflows.sql). Hot ones run once per task completion
 * of every running workflow; each says which index serves it. Listing SQL is built from the fixed
 * fragments below, never from caller text.
 */

export const WORKFLOW_COLUMNS = "id, status, spec, snapshot, snapshot_seq, created_at, updated_at";

/** Once per workflow. Primary-key insert plus the two index entries. */
export const INSERT_WORKFLOW = `
  INSERT INTO workflows (id, status, active, spec, snapshot, snapshot_seq, created_at, updated_at)
  VALUES (@id, @status, @active, @spec, @snapshot, 0, @now, @now)`;

/** Hot (replay). Primary-key lookup. */
export const GET_WORKFLOW = `SELECT ${WORKFLOW_COLUMNS} FROM workflows WHERE id = ?`;

/**
 * Hot (every event). The seq the next event gets: one primary-key lookup on workflows and one
 * seek to the last entry of this workflow's range in workflow_events' primary key (ORDER BY seq
 * DESC LIMIT 1 reads that entry and stops). Cost does not grow with the number of events beyond
 * the B-tree depth. No row when the workflow does not exist.
 */
export const NEXT_EVENT_SEQ = `
  SELECT MAX(w.snapshot_seq,
             COALESCE((SELECT e.seq FROM workflow_events e WHERE e.workflow_id = w.id
                       ORDER BY e.seq DESC LIMIT 1), 0))
         + 1 AS next
  FROM workflows w WHERE w.id = ?`;

/** Hot (every event). One insert into the events table and its primary key; no other row. */
export const INSERT_EVENT = `
  INSERT INTO workflow_events (workflow_id, seq, event) VALUES (@workflowId, @seq, @event)`;

/** Hot (replay). A range of workflow_events' primary key, already in seq order. */
export const EVENTS_AFTER = `
  SELECT seq, event FROM workflow_events WHERE workflow_id = ? AND seq > ? ORDER BY seq`;

/** Compaction, step 1. Primary-key update; `changes` = 0 means the workflow does not exist. */
export const SET_SNAPSHOT = `
  UPDATE workflows SET snapshot = @snapshot, snapshot_seq = @upToSeq, updated_at = @now
  WHERE id = @workflowId`;

/** Compaction, step 2. A range delete at the start of the workflow's primary-key range. */
export const DROP_EVENTS_UP_TO = "DELETE FROM workflow_events WHERE workflow_id = ? AND seq <= ?";

/** Primary-key update; `changes` = 0 means the workflow does not exist. */
export const SET_STATUS = `
  UPDATE workflows SET status = @status, active = @active, updated_at = @now
  WHERE id = @workflowId`;

/**
 * WHERE fragments for listings. active is served by workflows_by_active (active, id) and status
 * by workflows_by_status (status, id), each walked in id order; with both set SQLite picks one.
 */
export const WORKFLOW_FILTER_SQL = {
  active: "active = ?",
  status: "status = ?",
} as const;

const SUMMARY_COLUMNS = "id, status, snapshot_seq, created_at, updated_at";

export function listWorkflowsSql(conditions: string[]): string {
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  return `SELECT ${SUMMARY_COLUMNS} FROM workflows ${where} ORDER BY id LIMIT ? OFFSET ?`;
}

export function countWorkflowsSql(conditions: string[]): string {
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  return `SELECT COUNT(*) AS total FROM workflows ${where}`;
}
