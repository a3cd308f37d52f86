/**
 * Database files for store tests: a temporary directory for the test file (removed when it
 * ends) and a new file name in it on every call.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";

/** Registers the directory's creation and removal; returns a maker of fresh database paths. */
export function databaseFiles(prefix: string): () => string {
  let dir = "";
  let files = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    files += 1;
    return join(dir, `store-${files}.db`);
  };
}
