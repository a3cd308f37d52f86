-- Schema version 1: executions and their output, the work queue, pack content, key-value pairs.
-- Applied once by migrations.ts, which then sets PRAGMA user_version = 1 in the same transaction.

-- One row per execution (StackStorm's LiveAction and ActionExecution merged). Fields that are
-- only ever read whole are JSON text; fields that listings filter on are plain columns.
CREATE TABLE executions (
  id TEXT PRIMARY KEY,
  action_ref TEXT NOT NULL,
  runner_type TEXT NOT NULL,
  status TEXT NOT NULL,
  parent TEXT,
  delay INTEGER,
  start_timestamp TEXT NOT NULL,
  end_timestamp TEXT,
  runner_node TEXT,
  revision INTEGER NOT NULL,
  parameters TEXT NOT NULL, -- JSON object
  result TEXT,              -- JSON, NULL until the first result is written
  context TEXT NOT NULL,    -- JSON object
  log TEXT NOT NULL         -- JSON array of {status, timestamp}
);

-- Each listing filters on one column and pages in id order (ids are time ordered). Putting id
-- second lets SQLite walk the index in page order, so a page costs O(limit), not a sort.
CREATE INDEX executions_by_status ON executions (status, id);
CREATE INDEX executions_by_action ON executions (action_ref, id);
CREATE INDEX executions_by_parent ON executions (parent, id);
CREATE INDEX executions_by_runner_type ON executions (runner_type, id);
CREATE INDEX executions_by_start ON executions (start_timestamp);

-- Output chunks; the primary key both numbers chunks per execution and serves "after seq" reads.
CREATE TABLE execution_output (
  execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  output_type TEXT NOT NULL CHECK (output_type IN ('stdout', 'stderr')),
  data TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  PRIMARY KEY (execution_id, seq)
);

-- The durable work queue. A row exists while the job is unfinished; completing deletes it.
-- run_at is when the job was asked to run; ready_at is when it may next be claimed: run_at while
-- free, the lease end while leased. Claiming on ready_at alone keeps jobs that are being worked on
-- out of the claim scan, yet an expired lease makes its job claimable with no extra query.
-- AUTOINCREMENT so a finished job's id is never reused by a later job a stale owner could touch.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL, -- JSON object
  run_at INTEGER NOT NULL,
  ready_at INTEGER NOT NULL,
  key TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL
);

-- Claim and nextRunAt: equality on kind, range and order on ready_at (then rowid = id).
CREATE INDEX jobs_claimable ON jobs (kind, ready_at);
-- At most one unfinished job per key; enqueue relies on this to de-duplicate.
CREATE UNIQUE INDEX jobs_by_key ON jobs (key) WHERE key IS NOT NULL;

-- Jobs that failed for good, kept with their error so nothing disappears silently.
CREATE TABLE dead_jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  run_at INTEGER NOT NULL,
  key TEXT,
  attempts INTEGER NOT NULL,
  lease_owner TEXT,
  error TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  failed_at INTEGER NOT NULL
);

-- Pack content. Each record is stored whole as JSON; columns beside it exist only for filters.
-- Indexes end in ref because every listing is ordered by ref.
CREATE TABLE packs (ref TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE runner_types (name TEXT PRIMARY KEY, record TEXT NOT NULL);

CREATE TABLE actions (ref TEXT PRIMARY KEY, pack TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX actions_by_pack ON actions (pack, ref);

CREATE TABLE rules (
  ref TEXT PRIMARY KEY,
  pack TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  trigger_type TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX rules_by_pack ON rules (pack, ref);
-- The rules engine's hot query: enabled rules for one trigger type.
CREATE INDEX rules_by_trigger ON rules (trigger_type, enabled, ref);

CREATE TABLE sensors (ref TEXT PRIMARY KEY, pack TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX sensors_by_pack ON sensors (pack, ref);

CREATE TABLE trigger_types (ref TEXT PRIMARY KEY, pack TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX trigger_types_by_pack ON trigger_types (pack, ref);

CREATE TABLE aliases (ref TEXT PRIMARY KEY, pack TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX aliases_by_pack ON aliases (pack, ref);

CREATE TABLE policies (
  ref TEXT PRIMARY KEY,
  pack TEXT NOT NULL,
  resource_ref TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX policies_by_pack ON policies (pack, ref);
-- The scheduler's hot query: policies that apply to one action.
CREATE INDEX policies_by_resource ON policies (resource_ref, ref);

CREATE TABLE config_schemas (pack TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE configs (pack TEXT PRIMARY KEY, record TEXT NOT NULL);

-- Key-value pairs. expire_at is ms since the epoch; expired rows are filtered out on read.
CREATE TABLE kv (
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  secret INTEGER NOT NULL,
  expire_at INTEGER,
  PRIMARY KEY (scope, name)
);
-- Lets writers purge expired rows without scanning the table.
CREATE INDEX kv_by_expiry ON kv (expire_at) WHERE expire_at IS NOT NULL;
