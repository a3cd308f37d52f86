/**
 * What only the SQLite trace tables can show: the components of the commit that starts a trace
 * are written with its row, each later link appends one component row and never rewrites the
 * trace row, components read back in link order per kind, and migration 004 moves the JSON
 * lists of traces written by earlier versions into the component table unchanged.
 */

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { TraceComponent } from "../../../core/reactor/model.ts";
import { newId } from "../../ids.ts";
import type { WriteOp } from "../reactor-contract.ts";
import { openSqliteStore } from "./index.ts";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "squall-traces-"));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const component = (objectId: string, second: number): TraceComponent => ({
  object_id: objectId,
  ref: `ref.${objectId}`,
  updated_at: `2026-01-01T00:00:0${second}.000Z`,
  caused_by: second === 0 ? {} : { type: "trigger_instance", id: "ti-0" },
});

const link = (
  tag: string,
  kind: "trigger_instance" | "rule" | "action_execution",
  c: TraceComponent,
): WriteOp => ({
  op: "trace.link",
  trace_tag: tag,
  trace_id: newId(),
  kind,
  component: c,
});

describe("sqlite traces", () => {
  it("links one commit's components to one trace, and a rolled-back commit leaves no trace behind", async () => {
    const store = openSqliteStore(join(dir, "commit-cache.db"));
    try {
      const first = link("t9", "trigger_instance", component("ti-0", 0));
      await store.reactor.commit([first, link("t9", "rule", component("r-1", 1))]);
      const traces = (await store.reactor.listTraces({ trace_tag: "t9" }, {})).items;
      assert.equal(traces.length, 1);
      assert.equal(traces[0]?.id, (first as { trace_id: string }).trace_id);
      assert.equal(traces[0]?.rules.length, 1);

      // The trace this commit starts is rolled back with it: the next commit starts its own.
      await assert.rejects(
        store.reactor.commit([
          link("t10", "trigger_instance", component("ti-0", 0)),
          { op: "instance.status", id: newId(), status: "processed" },
        ]),
      );
      const next = link("t10", "trigger_instance", component("ti-1", 1));
      await store.reactor.commit([next, link("t10", "rule", component("r-2", 2))]);
      const after = (await store.reactor.listTraces({ trace_tag: "t10" }, {})).items;
      assert.deepEqual(
        after.map((t) => [t.id, t.trigger_instances.length, t.rules.length]),
        [[(next as { trace_id: string }).trace_id, 1, 1]],
      );
    } finally {
      await store.close();
    }
  });

  it("keeps a trace's first commit in its row, appends later ones as rows, lists them in link order", async () => {
    const path = join(dir, "append.db");
    const store = openSqliteStore(path);
    await store.reactor.commit([
      link("t1", "trigger_instance", component("ti-0", 0)),
      link("t1", "rule", component("r-1", 1)),
      link("t1", "action_execution", component("ex-2", 2)),
    ]);
    const firstRow = () => {
      const db = new Database(path, { readonly: true });
      const row = db.prepare("SELECT first_components FROM traces").get() as {
        first_components: string;
      };
      db.close();
      return row.first_components;
    };
    const before = firstRow();
    await store.reactor.commit([link("t1", "trigger_instance", component("ti-3", 3))]);
    await store.reactor.commit([link("t1", "rule", component("r-4", 4))]);
    const [trace] = (await store.reactor.listTraces({ trace_tag: "t1" }, {})).items;
    assert.ok(trace);
    assert.deepEqual(
      trace.trigger_instances.map((c) => c.object_id),
      ["ti-0", "ti-3"],
    );
    assert.deepEqual(
      trace.rules.map((c) => c.object_id),
      ["r-1", "r-4"],
    );
    assert.deepEqual(trace.action_executions, [component("ex-2", 2)]);
    assert.equal(trace.start_timestamp, "2026-01-01T00:00:00.000Z");
    assert.deepEqual(await store.reactor.getTrace(trace.id), trace);
    await store.close();

    // The trace row is written once; later links are rows of their own.
    assert.equal(firstRow(), before);
    assert.equal((JSON.parse(before) as unknown[]).length, 3);
    const db = new Database(path, { readonly: true });
    const counts = db
      .prepare(
        "SELECT (SELECT COUNT(*) FROM traces) AS traces, (SELECT COUNT(*) FROM trace_components) AS components",
      )
      .get() as { traces: number; components: number };
    db.close();
    assert.deepEqual(counts, { traces: 1, components: 2 });
  });

  it("migration 004 moves version-3 traces' JSON lists into trace_components in order", async () => {
    const path = join(dir, "v3.db");
    const db = new Database(path);
    for (const file of ["001_initial.sql", "002_reactor.sql", "003_workflows.sql"])
      db.exec(readFileSync(new URL(`./sql/${file}`, import.meta.url), "utf8"));
    db.pragma("user_version = 3");
    const id = newId();
    const lists = {
      trigger_instances: [component("ti-0", 0), component("ti-5", 5)],
      rules: [component("r-1", 1)],
      action_executions: [component("ex-2", 2), component("ex-3", 3), component("ex-4", 4)],
    };
    db.prepare(
      `INSERT INTO traces (id, trace_tag, start_timestamp, trigger_instances, rules, action_executions)
       VALUES (?, 'old', '2026-01-01T00:00:00.000Z', ?, ?, ?)`,
    ).run(
      id,
      JSON.stringify(lists.trigger_instances),
      JSON.stringify(lists.rules),
      JSON.stringify(lists.action_executions),
    );
    db.close();

    const store = openSqliteStore(path);
    assert.deepEqual(await store.reactor.getTrace(id), {
      id,
      trace_tag: "old",
      ...lists,
      start_timestamp: "2026-01-01T00:00:00.000Z",
    });
    // New links go to the migrated trace (the newest with the tag), after its old components.
    await store.reactor.commit([link("old", "rule", component("r-6", 6))]);
    const trace = await store.reactor.getTrace(id);
    assert.deepEqual(
      trace?.rules.map((c) => c.object_id),
      ["r-1", "r-6"],
    );
    await store.close();
  });
});
