/**
 * The SQLite store: one database file, WAL mode, one connection per process.
 *
 * better-sqlite3 is synchronous; the async contract methods do their work synchronously and
 * return settled promises. That is deliberate: a transaction never spans an `await`, so no other
 * caller's statements can interleave with it on the shared connection.
 */

import type { Store } from "../contract.ts";
import { openDatabase } from "./connection.ts";
import { SqliteContentStore } from "./content.ts";
import { ExecutionTable } from "./execution-table.ts";
import { SqliteExecutionStore } from "./executions.ts";
import { KvTable, SqliteKeyValueStore } from "./kv.ts";
import { JobTable, SqliteWorkQueue } from "./queue.ts";
import { SqliteReactorStore } from "./reactor.ts";
import { StatementCache, Writer } from "./shared.ts";
import { WakeUps } from "./wakeups.ts";
import { SqliteWorkflowStore, WorkflowTable } from "./workflows.ts";

export { BUSY_TIMEOUT_MS, openDatabase } from "./connection.ts";
export { SCHEMA_VERSION } from "./migrations.ts";
export { WakeUps } from "./wakeups.ts";

export interface SqliteStoreOptions {
  /** The clock for timestamps, leases, run times and TTLs (ms since the epoch). Tests inject one. */
  now?: () => number;
  /**
   * Opens the file read-only, without migrating (the writer thread's connection has): every
   * write fails with SQLITE_READONLY, so a write routed to the wrong connection cannot go
   * unnoticed.
   */
  readonly?: boolean;
  /**
   * Where committed work is announced; the writer thread passes one that forwards it. One given
   * here is shared, so `close` leaves it open (its owner closes it).
   */
  wakeups?: WakeUps;
  /**
   * false: `close` does not refresh planner statistics (which can write), for a connection that
   * hands over to another writer in the same process.
   */
  optimizeOnClose?: boolean;
  /**
   * false: returned records may share objects with the caller's arguments instead of being
   * decoded afresh from what was written. Only for a store whose results are serialised
   * before anyone sees them (the writer thread's); see asStored.
   */
  copyResults?: boolean;
}

/** Opens (creating and migrating if needed) the database at `path`. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  return openSqliteWriter(path, options).store;
}

/**
 * The store, and a way to run several of its writes as one transaction: inside `transaction`,
 * each write method's own transaction becomes a savepoint, so a failing write undoes only its
 * own changes while the others commit together (the writer thread's batches).
 */
export function openSqliteWriter(
  path: string,
  options: SqliteStoreOptions = {},
): { store: Store; transaction<T>(fn: () => T): T; inTransaction(): boolean } {
  const now = options.now ?? Date.now;
  const db = openDatabase(path, { readonly: options.readonly === true });
  const wakeups = options.wakeups ?? new WakeUps();
  const writer = new Writer(db, wakeups, now);
  // Statements for writes several aggregates make, prepared once and shared, so the reactor's
  // commit runs the very code the execution, queue and kv methods run.
  const copyResults = options.copyResults !== false;
  const executions = new ExecutionTable(db, () => writer.nowIso(), copyResults);
  const jobs = new JobTable(db, now, copyResults);
  const kv = new KvTable(db, now);
  const workflows = new WorkflowTable(db, new StatementCache(db), () => writer.nowIso());
  const store: Store = {
    executions: new SqliteExecutionStore(writer, executions, jobs),
    queue: new SqliteWorkQueue(writer, jobs, wakeups),
    content: new SqliteContentStore(writer),
    kv: new SqliteKeyValueStore(writer, kv),
    reactor: new SqliteReactorStore(writer, { executions, jobs, kv, workflows }, copyResults),
    workflows: new SqliteWorkflowStore(workflows),
    async close() {
      if (!options.wakeups) wakeups.close();
      if (!db.open) return;
      if (db.readonly || options.optimizeOnClose === false) {
        db.close();
        return;
      }
      // SQLite's advice for connections that close: refresh planner statistics where stale.
      db.pragma("optimize");
      db.close();
    },
  };
  return {
    store,
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    inTransaction: () => db.inTransaction,
  };
}
