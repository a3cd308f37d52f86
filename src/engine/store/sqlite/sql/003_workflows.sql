-- Schema version 3: durable Orquesta workflow state. Applied once by migrations.ts, like 001.
--
-- One row per workflow execution holding its spec and the latest conductor snapshot, and one row
-- per conductor event recorded since. Events are only ever inserted (and deleted by compaction):
-- recording one never rewrites the workflow row, so a workflow of n events costs O(n) bytes
-- written, not the O(n²) of rewriting one growing document per event.
--
-- No foreign key to executions: the workflow record is purged on its own schedule, like the
-- reactor tables of 002.
CREATE TABLE workflows (
  id TEXT PRIMARY KEY,           -- the workflow execution's id
  status TEXT NOT NULL,          -- Orquesta workflow status
  active INTEGER NOT NULL,       -- 1 while status is not completed; derived on write
  spec TEXT NOT NULL,            -- JSON object, the parsed workflow definition
  snapshot TEXT NOT NULL,        -- JSON serialized conductor
  snapshot_seq INTEGER NOT NULL, -- the snapshot reflects events with seq <= this
  created_at TEXT NOT NULL,      -- ISO-8601 UTC with milliseconds
  updated_at TEXT NOT NULL
);
-- Recovery scan (listWorkflows {active}) and status listings, walked in id order.
CREATE INDEX workflows_by_active ON workflows (active, id);
CREATE INDEX workflows_by_status ON workflows (status, id);

-- The event log. The primary key is the only index: it serves the append (highest seq of one
-- workflow), the replay (seq > snapshot_seq in order) and compaction (seq <= upToSeq).
CREATE TABLE workflow_events (
  workflow_id TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  event TEXT NOT NULL,           -- JSON object, as given
  PRIMARY KEY (workflow_id, seq)
);
