-- Version 6: a trace's first components live in its own row.
--
-- The components linked in the commit that starts a trace (for a webhook: its instance, the
-- rule and the execution) are written with the trace row, as one JSON array of
-- {"kind", "component"} in link order, instead of one trace_components row each; components
-- linked by later commits are still appended to trace_components. A trace lists its first
-- components, then the appended ones. Traces written before this version have NULL here.
ALTER TABLE traces ADD COLUMN first_components TEXT;
