-- Trace components in their own append-only table. A link was a json_insert that rewrote the
-- trace's whole JSON list in place; now it is one row insert, and a trace is read by joining
-- its components in insertion order. Existing traces' lists move over in their order.
CREATE TABLE trace_components (
  seq INTEGER PRIMARY KEY,          -- insertion order, the order components are listed in
  trace_id TEXT NOT NULL,
  kind TEXT NOT NULL,               -- trigger_instance | rule | action_execution
  component TEXT NOT NULL           -- JSON TraceComponent
);
-- Reading a trace: its components in insertion order, one range scan.
CREATE INDEX trace_components_by_trace ON trace_components (trace_id, seq);

INSERT INTO trace_components (trace_id, kind, component)
SELECT id, kind, component FROM (
  SELECT t.id AS id, 0 AS k, 'trigger_instance' AS kind, CAST(j.key AS INTEGER) AS n, j.value AS component
    FROM traces t, json_each(t.trigger_instances) j
  UNION ALL
  SELECT t.id, 1, 'rule', CAST(j.key AS INTEGER), j.value FROM traces t, json_each(t.rules) j
  UNION ALL
  SELECT t.id, 2, 'action_execution', CAST(j.key AS INTEGER), j.value
    FROM traces t, json_each(t.action_executions) j
)
ORDER BY id, k, n;

ALTER TABLE traces DROP COLUMN trigger_instances;
ALTER TABLE traces DROP COLUMN rules;
ALTER TABLE traces DROP COLUMN action_executions;
