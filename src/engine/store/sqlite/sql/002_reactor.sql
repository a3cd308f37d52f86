-- Schema version 2: the reactor. Triggers, trigger instances with their idempotency keys, rule
-- enforcements and traces. Applied once by migrations.ts, like 001.
--
-- No foreign keys between these tables or to executions: StackStorm purges each collection on
-- its own TTL, so an enforcement outlives its trigger instance, and a trace its executions.

-- Concrete triggers (type + parameters). canonical_parameters is the parameters as JSON with
-- keys sorted at every level, so equal parameters compare equal as text whatever their order.
CREATE TABLE triggers (
  ref TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  canonical_parameters TEXT NOT NULL,
  record TEXT NOT NULL -- JSON TriggerDef, as given
);
-- findTrigger: equality on both columns; ref last so the first match by ref is an index seek.
CREATE INDEX triggers_by_parameters ON triggers (type, canonical_parameters, ref);
-- listTriggers by type, in ref order.
CREATE INDEX triggers_by_type ON triggers (type, ref);

-- Trigger instances. Ids are time ordered (ids.ts), so "newest first" walks an index backwards.
-- Listing filters are columns; only the payload is JSON.
CREATE TABLE trigger_instances (
  id TEXT PRIMARY KEY,
  trigger TEXT NOT NULL,
  status TEXT NOT NULL,
  occurrence_time TEXT NOT NULL, -- ISO-8601 UTC with milliseconds, so text order is time order
  trace_tag TEXT NOT NULL,
  idempotency_key TEXT,
  error TEXT,
  payload TEXT NOT NULL -- JSON object
);
-- (column, id) so a filtered page is an index walk in id order, as for executions.
CREATE INDEX trigger_instances_by_trigger ON trigger_instances (trigger, id);
CREATE INDEX trigger_instances_by_status ON trigger_instances (status, id);
CREATE INDEX trigger_instances_by_occurrence ON trigger_instances (occurrence_time);

-- One row per idempotency key while its window lasts. A key whose window has passed may be
-- taken over by a new instance (commit) or removed (expireIdempotencyKeys).
CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL -- ms since the epoch
);
-- expireIdempotencyKeys: a range scan of the expired keys only.
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);

-- Rule enforcements, stored whole as JSON with the filter columns beside.
CREATE TABLE rule_enforcements (
  id TEXT PRIMARY KEY,
  rule_ref TEXT NOT NULL,
  trigger_instance_id TEXT NOT NULL,
  execution_id TEXT,
  record TEXT NOT NULL -- JSON RuleEnforcement
);
CREATE INDEX rule_enforcements_by_rule ON rule_enforcements (rule_ref, id);
CREATE INDEX rule_enforcements_by_instance ON rule_enforcements (trigger_instance_id, id);
CREATE INDEX rule_enforcements_by_execution ON rule_enforcements (execution_id, id);

-- Traces. Each component list is a JSON array that trace.link appends to in SQL (json_insert),
-- so a link never decodes the trace in JavaScript.
CREATE TABLE traces (
  id TEXT PRIMARY KEY,
  trace_tag TEXT NOT NULL,
  start_timestamp TEXT NOT NULL,
  trigger_instances TEXT NOT NULL, -- JSON array of TraceComponent
  rules TEXT NOT NULL,             -- JSON array of TraceComponent
  action_executions TEXT NOT NULL  -- JSON array of TraceComponent
);
-- trace.link (newest trace with a tag) and listTraces by tag, both in id order.
CREATE INDEX traces_by_tag ON traces (trace_tag, id);
