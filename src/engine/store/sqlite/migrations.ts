/**
 * Schema migrations, versioned by `PRAGMA user_version`.
 *
 * Each migration runs in its own transaction together with the version bump, so a crash leaves
 * the file at the old or the new version, never half way. Migrations are append-only: a released
 * file is never edited, a change is a new file.
 */

import { readFileSync } from "node:fs";
import type { Database } from "better-sqlite3";
import { SquallError } from "../../../core/errors.ts";

interface Migration {
  version: number;
  file: string;
}

const MIGRATIONS: readonly Migration[] = [
  { version: 1, file: "001_initial.sql" },
  { version: 2, file: "002_reactor.sql" },
  { version: 3, file: "003_workflows.sql" },
  { version: 4, file: "004_trace_components.sql" },
  { version: 5, file: "005_auth.sql" },
  { version: 6, file: "006_trace_first_components.sql" },
];

/** The schema version this code writes; a file at a higher version came from newer Squall. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

function readSql(file: string): string {
  return readFileSync(new URL(`./sql/${file}`, import.meta.url), "utf8");
}

export function schemaVersion(db: Database): number {
  const version = db.pragma("user_version", { simple: true });
  return typeof version === "number" ? version : 0;
}

/** Brings the database up to SCHEMA_VERSION; returns the versions applied (none when current). */
export function migrate(db: Database, path: string): number[] {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new SquallError(
      `${path}: database schema version ${current} is newer than this Squall supports ` +
        `(${SCHEMA_VERSION}); upgrade Squall or use another database file`,
    );
  }
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    const sql = readSql(migration.file);
    // IMMEDIATE so two processes opening a fresh file at once cannot both apply version 1:
    // the second waits on the write lock, then sees the new version and skips.
    db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return;
      db.exec(sql);
      db.pragma(`user_version = ${migration.version}`);
      applied.push(migration.version);
    }).immediate();
  }
  return applied;
}
