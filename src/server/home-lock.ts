/**
 * One running node per data directory. Two nodes on one SQLite file with the same node id
 * would release each other's leases at start-up and run the same work twice, so the second
 * one refuses to start. A lock left by a killed process (its pid is gone) is taken over.
 */

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ValidationError } from "../core/errors.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function acquireHomeLock(home: string): () => void {
  const path = join(home, "squall.pid");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: "wx", mode: 0o600 });
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder))
        throw new ValidationError(
          `another Squall (pid ${holder}) is already using ${home}; stop it first, or give this one its own data directory with --home or SQUALL_HOME`,
          { file: path },
        );
      rmSync(path, { force: true });
    }
  }
  throw new ValidationError(`could not lock ${path}`, { file: path });
}
