/**
 * The SQLite store: the shared contract against real database files, then what only SQLite has
 * (WAL, schema versions, the file surviving a re-open, dead jobs kept in their table).
 */

import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { SquallError, ValidationError } from "../../src/core/errors.ts";
import { newId } from "../../src/engine/ids.ts";
import {
  BUSY_TIMEOUT_MS,
  openDatabase,
  openSqliteStore,
  SCHEMA_VERSION,
} from "../../src/engine/store/sqlite/index.ts";
import { migrate, schemaVersion } from "../../src/engine/store/sqlite/migrations.ts";
import * as contentSql from "../../src/engine/store/sqlite/sql/content.ts";
import * as executionSql from "../../src/engine/store/sqlite/sql/executions.ts";
import * as kvSql from "../../src/engine/store/sqlite/sql/kv.ts";
import * as queueSql from "../../src/engine/store/sqlite/sql/queue.ts";
import * as reactorSql from "../../src/engine/store/sqlite/sql/reactor.ts";
import { ManualClock, runStoreContract } from "../contract/store.contract.ts";
import { databaseFiles } from "../support/db-files.ts";

/** A path for a new database file in this run's temp dir. */
const freshPath = databaseFiles("squall-store-");

runStoreContract("sqlite", async () => {
  const path = freshPath();
  const clock = new ManualClock();
  const store = openSqliteStore(path, { now: clock.now });
  return {
    store,
    clock,
    cleanup: async () => {
      await store.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
    },
  };
});

describe("sqlite store specifics", () => {
  it("configures WAL, NORMAL sync, a busy timeout and foreign keys", () => {
    const path = freshPath();
    const db = openDatabase(path);
    try {
      assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
      assert.equal(db.pragma("synchronous", { simple: true }), 1, "1 is NORMAL");
      assert.equal(db.pragma("busy_timeout", { simple: true }), BUSY_TIMEOUT_MS);
      assert.equal(db.pragma("foreign_keys", { simple: true }), 1);
    } finally {
      db.close();
    }
    // WAL is a property of the file: a plain connection sees it too.
    const plain = new Database(path);
    assert.equal(plain.pragma("journal_mode", { simple: true }), "wal");
    plain.close();
  });

  it("migrations apply once and are no-ops afterwards", () => {
    const path = freshPath();
    const db = openDatabase(path);
    try {
      assert.equal(schemaVersion(db), SCHEMA_VERSION);
      assert.deepEqual(migrate(db, path), []);
      assert.equal(schemaVersion(db), SCHEMA_VERSION);
    } finally {
      db.close();
    }
    const raw = new Database(freshPath());
    try {
      assert.deepEqual(
        migrate(raw, "raw"),
        Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
      );
      assert.deepEqual(migrate(raw, "raw"), []);
    } finally {
      raw.close();
    }
  });

  it("keeps data across a re-open and does not migrate twice", async () => {
    const path = freshPath();
    const first = openSqliteStore(path);
    const id = newId();
    await first.executions.create({
      id,
      action: { ref: "core.local", runner_type: "local-shell-cmd" },
      parameters: {},
      context: {},
    });
    await first.kv.set("st2kv.system", "k", "v");
    await first.queue.enqueue([{ kind: "run", payload: { id } }]);
    await first.close();

    const second = openSqliteStore(path);
    assert.equal((await second.executions.get(id))?.status, "requested");
    assert.deepEqual(await second.kv.get("st2kv.system", "k"), { value: "v", secret: false });
    assert.deepEqual(await second.queue.stats(), { run: { pending: 1, leased: 0 } });
    await second.close();

    const db = new Database(path);
    assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
    db.close();
  });

  it("upgrades a version-1 file to the reactor schema, keeping its data", async () => {
    const path = freshPath();
    const v1 = new Database(path);
    const initial = new URL("../../src/engine/store/sqlite/sql/001_initial.sql", import.meta.url);
    v1.exec(readFileSync(initial, "utf8"));
    v1.pragma("user_version = 1");
    v1.prepare("INSERT INTO kv (scope, name, value, secret) VALUES (?, ?, ?, 0)").run(
      "st2kv.system",
      "old",
      "kept",
    );
    v1.close();

    const store = openSqliteStore(path);
    try {
      assert.deepEqual(await store.kv.get("st2kv.system", "old"), { value: "kept", secret: false });
      const id = newId();
      await store.reactor.commit([
        {
          op: "instance.create",
          instance: {
            id,
            trigger: "core.t",
            payload: {},
            occurrence_time: new Date().toISOString(),
            trace_tag: `trigger_instance-${id}`,
          },
        },
      ]);
      assert.equal((await store.reactor.getInstance(id))?.status, "pending");
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
    db.close();
  });

  it("names the failing operation of a commit in validation errors", async () => {
    const store = openSqliteStore(freshPath());
    try {
      await assert.rejects(
        store.reactor.commit([
          { op: "kv.delete", scope: "st2kv.system", name: "a" },
          { op: "instance.status", id: newId(), status: "nope" as never },
        ]),
        (err: unknown) =>
          err instanceof ValidationError &&
          err.location?.field === "ops[1].status" &&
          err.message.startsWith("ops[1] (instance.status): "),
      );
    } finally {
      await store.close();
    }
  });

  it("refuses a file written by a newer schema, naming the file", async () => {
    const path = freshPath();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(
      () => openSqliteStore(path),
      (err: unknown) => err instanceof SquallError && err.message.includes(path),
    );
  });

  it("reports a path it cannot open as a SquallError naming it", () => {
    const path = join(dirname(freshPath()), "no-such-dir", "x.db");
    assert.throws(
      () => openSqliteStore(path),
      (err: unknown) => err instanceof SquallError && err.message.includes(path),
    );
  });

  it("keeps a job that failed for good in dead_jobs with its error", async () => {
    const path = freshPath();
    const clock = new ManualClock();
    const store = openSqliteStore(path, { now: clock.now });
    await store.queue.enqueue([{ kind: "run", payload: { n: 1 }, key: "k1" }]);
    const [job] = await store.queue.claim("run", 1, "w", 1_000);
    assert.ok(job);
    clock.advance(5);
    await store.queue.fail({ id: job.id, owner: "w" }, "exit code 2");
    await store.close();

    const db = new Database(path, { readonly: true });
    const dead = db.prepare("SELECT * FROM dead_jobs").all();
    db.close();
    assert.deepEqual(dead, [
      {
        id: job.id,
        kind: "run",
        payload: JSON.stringify({ n: 1 }),
        run_at: job.runAt,
        key: "k1",
        attempts: 1,
        lease_owner: "w",
        error: "exit code 2",
        created_at: job.runAt,
        failed_at: clock.now(),
      },
    ]);
  });

  it("close releases anyone waiting for work", async () => {
    const store = openSqliteStore(freshPath());
    const guard = AbortSignal.timeout(4_000);
    const waiting = store.queue.waitFor("run", 600_000, guard);
    await store.close();
    await waiting;
    assert.equal(guard.aborted, false);
  });

  it("serves hot queries from indexes, without a sort step", () => {
    const path = freshPath();
    const db = openDatabase(path);
    // The planner does not look at bound values here, but binding is required to prepare.
    const named = {
      ...{ kind: "run", now: 1, n: 5, owner: "w", until: 2, id: "x", after: 0, type: null },
      ...{ limit: 5, offset: 0, scope: "st2kv.system", prefix: "a." },
    };
    const plan = (text: string, args: unknown[]) =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${text}`)
        .all(...args)
        .map((r) => (r as { detail: string }).detail)
        .join("; ");
    const list = (filter: string) => executionSql.listExecutionsSql([filter], "DESC");
    const newest = (table: string, conditions: string[]) =>
      reactorSql.listNewestSql(table, "*", conditions);
    const instanceFilter = reactorSql.INSTANCE_FILTER_SQL;
    const enforcementFilter = reactorSql.ENFORCEMENT_FILTER_SQL;
    const cases: Array<[text: string, args: unknown[], index: string]> = [
      [list(executionSql.FILTER_SQL.action), ["a.b", 5, 0], "executions_by_action"],
      [list(executionSql.statusInSql(1)), ["running", 5, 0], "executions_by_status"],
      [list(executionSql.FILTER_SQL.parent), ["p", 5, 0], "executions_by_parent"],
      [list(executionSql.FILTER_SQL.runner_type), ["orquesta", 5, 0], "executions_by_runner_type"],
      [executionSql.READ_OUTPUT, [named], "sqlite_autoindex_execution_output_1"],
      [executionSql.LAST_OUTPUT_SEQ, ["x"], "sqlite_autoindex_execution_output_1"],
      [queueSql.CLAIM_JOBS, [named], "jobs_claimable"],
      [queueSql.HAS_DUE, ["run", 1], "jobs_claimable"],
      [queueSql.NEXT_READY, ["run"], "jobs_claimable"],
      [
        contentSql.listSql(contentSql.TABLES.rule, ["trigger_type", "enabled"]),
        ["core.st2.webhook", 1, 5, 0],
        "rules_by_trigger",
      ],
      [
        contentSql.listSql(contentSql.TABLES.policy, ["resource_ref"]),
        ["a.b", 5, 0],
        "policies_by_resource",
      ],
      [contentSql.listSql(contentSql.TABLES.action, ["pack"]), ["a", 5, 0], "actions_by_pack"],
      [kvSql.listKvSql(true), [named], "sqlite_autoindex_kv_1"],
      [kvSql.PURGE_EXPIRED_KV, [1], "kv_by_expiry"],
      [reactorSql.GET_TRIGGER, ["a.b"], "sqlite_autoindex_triggers_1"],
      [reactorSql.FIND_TRIGGER, ["core.st2.webhook", "{}"], "triggers_by_parameters"],
      [reactorSql.listTriggersSql(true), ["core.st2.webhook", 5, 0], "triggers_by_type"],
      [reactorSql.GET_INSTANCE, ["x"], "sqlite_autoindex_trigger_instances_1"],
      [reactorSql.INSTANCE_BY_KEY, ["k"], "sqlite_autoindex_idempotency_keys_1"],
      [reactorSql.EXPIRE_IDEMPOTENCY_KEYS, [1], "idempotency_keys_by_expiry"],
      [reactorSql.NEWEST_TRACE_BY_TAG, ["t"], "traces_by_tag"],
      [newest("trigger_instances", []), [5, 0], "sqlite_autoindex_trigger_instances_1"],
      [newest("trigger_instances", [instanceFilter.trigger]), ["t", 5, 0], "instances_by_trigger"],
      [newest("trigger_instances", [instanceFilter.status]), ["pending", 5, 0], "by_status"],
      [newest("rule_enforcements", [enforcementFilter.rule]), ["a.b", 5, 0], "by_rule"],
      [
        newest("rule_enforcements", [enforcementFilter.trigger_instance]),
        ["x", 5, 0],
        "rule_enforcements_by_instance",
      ],
      [
        newest("rule_enforcements", [enforcementFilter.execution]),
        ["x", 5, 0],
        "rule_enforcements_by_execution",
      ],
      [newest("traces", [reactorSql.TRACE_FILTER_SQL.trace_tag]), ["t", 5, 0], "traces_by_tag"],
      [reactorSql.countSql("trigger_instances", [instanceFilter.trigger]), ["t"], "by_trigger"],
    ];
    try {
      for (const [text, args, index] of cases) {
        const detail = plan(text, args);
        assert.match(detail, new RegExp(index), `${text}\n  plan: ${detail}`);
        assert.doesNotMatch(
          detail,
          /TEMP B-TREE|SCAN (executions|jobs|rules|policies|kv|triggers|trigger_instances|idempotency_keys|rule_enforcements|traces)\b(?! USING)/,
          `${text}\n  plan: ${detail}`,
        );
      }
    } finally {
      db.close();
    }
  });
});
