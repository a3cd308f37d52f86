/**
 * Process groups of running actions, recorded on disk so a node that was killed can, on
 * restart, kill the groups its dead predecessor left behind when it marks their executions
 * abandoned. A record holds the group id and the leader's start time (from /proc), so a pid
 * reused by an unrelated process is never killed.
 */

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22 (starttime) follows the parenthesised command name, which may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export class ProcessGroupRecords {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(executionId: string): string {
    return join(this.dir, `${executionId.replace(/[^0-9a-zA-Z_-]/g, "")}.pgid`);
  }

  record(executionId: string, pgid: number): void {
    const started = startTime(pgid);
    if (started === null) return;
    writeFileSync(this.file(executionId), `${pgid} ${started}\n`, { mode: 0o600 });
  }

  forget(executionId: string): void {
    rmSync(this.file(executionId), { force: true });
  }

  /** Kills the execution's recorded group if its leader is still the process we started. */
  killOrphan(executionId: string): boolean {
    let text: string;
    try {
      text = readFileSync(this.file(executionId), "utf8");
    } catch {
      return false;
    }
    this.forget(executionId);
    const [pid, started] = text.trim().split(" ");
    const pgid = Number(pid);
    if (!Number.isInteger(pgid) || pgid <= 1 || startTime(pgid) !== started) return false;
    try {
      process.kill(-pgid, "SIGKILL");
      return true;
    } catch {
      return false;
    }
  }
}
