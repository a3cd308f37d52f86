/**
 * What only the SQLite workflow tables can show: an append writes one row and never updates the
 * workflow row, compaction really deletes rows, and each hot statement is served by its index.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { SerializedConductor } from "../../../core/workflow/orquesta/conductor.ts";
import { newId } from "../../ids.ts";
import type { WriteOp } from "../reactor-contract.ts";
import { openSqliteStore } from "./index.ts";
import * as sql from "./sql/workflows.ts";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "squall-workflows-"));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const snapshot: SerializedConductor = {
  spec: { version: 1 },
  input: {},
  context: { pad: "x".repeat(4_000) },
  state: { contexts: [], routes: [], sequence: [], staged: [], status: "running", tasks: {} },
  log: [],
  errors: [],
  output: null,
};

function create(id: string): WriteOp {
  return { op: "workflow.create", id, spec: { version: 1 }, snapshot: structuredClone(snapshot) };
}

function events(workflowId: string, n: number): WriteOp[] {
  return Array.from({ length: n }, (_, i) => ({
    op: "workflow.event",
    workflowId,
    event: { task_id: `t${i}`, result: { i } },
  }));
}

describe("sqlite workflow tables", () => {
  it("appends one row per event and never rewrites the workflow row; compaction deletes", async () => {
    const path = join(dir, "append.db");
    const store = openSqliteStore(path);
    // A second connection counts every UPDATE of the workflows table, whoever makes it.
    const side = new Database(path);
    side.pragma("busy_timeout = 5000");
    side.exec(`
      CREATE TABLE workflow_updates (n INTEGER);
      CREATE TRIGGER count_workflow_updates AFTER UPDATE ON workflows
      BEGIN INSERT INTO workflow_updates VALUES (1); END;`);
    const count = (text: string): number =>
      (side.prepare(text).get() as { n: number } | undefined)?.n ?? -1;
    try {
      const id = newId();
      await store.reactor.commit([create(id), create(newId())]);
      const size = () => count(`SELECT length(snapshot) AS n FROM workflows WHERE id = '${id}'`);
      const sizeBefore = size();
      assert.ok(sizeBefore > 4_000);
      for (let i = 0; i < 20; i++) await store.reactor.commit(events(id, 500));
      assert.equal(count("SELECT COUNT(*) AS n FROM workflow_events"), 10_000);
      assert.equal(count("SELECT COUNT(*) AS n FROM workflow_updates"), 0);
      assert.equal(size(), sizeBefore);

      await store.reactor.commit([
        { op: "workflow.snapshot", workflowId: id, upToSeq: 9_990, snapshot },
        { op: "workflow.status", workflowId: id, status: "succeeded" },
      ]);
      assert.equal(count("SELECT COUNT(*) AS n FROM workflow_events"), 10);
      assert.equal(count("SELECT COUNT(*) AS n FROM workflow_updates"), 2);
      assert.equal(count("SELECT MIN(seq) AS n FROM workflow_events"), 9_991);
    } finally {
      side.close();
      await store.close();
    }
  });

  it("serves each hot statement from an index", async () => {
    const path = join(dir, "plans.db");
    const store = openSqliteStore(path);
    const db = new Database(path, { readonly: true });
    try {
      const plan = (text: string, params: unknown[]): string =>
        (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as Array<{ detail: string }>)
          .map((r) => r.detail)
          .join(" | ");
      const named = { workflowId: "w", seq: 1, event: "{}", snapshot: "{}", upToSeq: 1, now: "" };
      const filtered = (keys: Array<keyof typeof sql.WORKFLOW_FILTER_SQL>) =>
        sql.listWorkflowsSql(keys.map((k) => sql.WORKFLOW_FILTER_SQL[k]));
      const cases: Array<[string, unknown[], string]> = [
        [sql.GET_WORKFLOW, ["w"], "sqlite_autoindex_workflows_1"],
        [sql.NEXT_EVENT_SEQ, ["w"], "sqlite_autoindex_workflow_events_1"],
        [sql.EVENTS_AFTER, ["w", 0], "sqlite_autoindex_workflow_events_1"],
        [sql.DROP_EVENTS_UP_TO, ["w", 3], "sqlite_autoindex_workflow_events_1"],
        [sql.SET_SNAPSHOT, [named], "sqlite_autoindex_workflows_1"],
        [filtered(["active"]), [1, 5, 0], "workflows_by_active"],
        [filtered(["status"]), ["running", 5, 0], "workflows_by_status"],
      ];
      for (const [text, params, index] of cases) {
        const detail = plan(text, params);
        assert.match(detail, new RegExp(index), `${text.trim().slice(0, 60)}: ${detail}`);
        assert.doesNotMatch(detail, /TEMP B-TREE/, `${text.trim().slice(0, 60)}: ${detail}`);
      }
    } finally {
      db.close();
      await store.close();
    }
  });
});
