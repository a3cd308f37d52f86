/** Opening the database file: connection settings and schema migration, nothing else. */

import Database from "better-sqlite3";
import { SquallError } from "../../../core/errors.ts";
import { migrate, SCHEMA_VERSION, schemaVersion } from "./migrations.ts";

/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens `path` (creating it if missing), configures the connection and migrates the schema.
 * `readonly`: opens an existing, already migrated file for reading only.
 */
export function openDatabase(
  path: string,
  options: { readonly?: boolean } = {},
): Database.Database {
  let db: Database.Database;
  try {
    db = options.readonly
      ? new Database(path, { readonly: true, fileMustExist: true })
      : new Database(path);
  } catch (err) {
    throw new SquallError(`cannot open SQLite database ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    if (options.readonly) {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      const version = schemaVersion(db);
      if (version !== SCHEMA_VERSION) {
        throw new SquallError(
          `${path}: schema version ${version}, expected ${SCHEMA_VERSION} (the writer migrates it)`,
        );
      }
      return db;
    }
    // WAL lets readers (API, CLI) proceed while a writer commits; NORMAL syncs at checkpoints
    // rather than per commit, which in WAL mode can lose the last commits on power loss but
    // never corrupts the file.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Checkpoints copy WAL pages back into the database file; the hot pages (index leaves,
    // the jobs table) are rewritten by every commit, so checkpointing every 10,000 pages instead
    // of SQLite's 1,000 copies each of them once where it was copied ten times. The WAL file
    // grows to about 40 MB between checkpoints.
    db.pragma("wal_autocheckpoint = 10000");
    // Off by default in SQLite; output chunks rely on it to refuse unknown executions.
    db.pragma("foreign_keys = ON");
    migrate(db, path);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof SquallError) throw err;
    throw new SquallError(`cannot prepare SQLite database ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
