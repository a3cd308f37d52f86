/**
 * Copying a script action to a remote host over SFTP, as StackStorm's remote script runner does:
 * a fresh directory `<dir>/<execution id>`, the entry point inside it with mode 0744, and the
 * `lib` directory that sits next to the entry point (when there is one) copied recursively with
 * its files' modes. The directory is removed with `rm -rf` when the run is over.
 */

import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, posix } from "node:path";
import type { SFTPWrapper } from "ssh2";
import { quoteShell } from "../shell-args.ts";
import type { SshConnection } from "./connection.ts";

const SCRIPT_MODE = 0o744;
/** Directories and files a lib tree may hold before we refuse to copy it. */
const MAX_LIB_ENTRIES = 10_000;

export interface UploadPlan {
  localScript: string;
  /** `<entry point dir>/lib`, or null when it does not exist. */
  localLib: string | null;
  remoteDir: string;
}

export function remoteScriptPath(plan: UploadPlan): string {
  return posix.join(plan.remoteDir, basename(plan.localScript));
}

export function localLibDir(entryPointPath: string): string | null {
  const lib = join(entryPointPath, "..", "lib");
  try {
    return statSync(lib).isDirectory() ? lib : null;
  } catch {
    return null;
  }
}

export async function uploadScript(conn: SshConnection, plan: UploadPlan): Promise<void> {
  const sftp = await conn.sftp();
  try {
    await call((cb) => sftp.mkdir(plan.remoteDir, { mode: 0o755 }, cb));
    await putFile(sftp, plan.localScript, remoteScriptPath(plan), SCRIPT_MODE);
    if (plan.localLib !== null) {
      await putTree(sftp, plan.localLib, posix.join(plan.remoteDir, "lib"), { count: 0 });
    }
  } finally {
    sftp.end();
  }
}

/** `rm -rf` of the run's directory; failures are ignored (StackStorm only logs them). */
export async function removeRemoteDir(conn: SshConnection, remoteDir: string): Promise<void> {
  try {
    const channel = await conn.exec(`rm -rf -- ${quoteShell(remoteDir)}`);
    channel.on("error", () => {});
    channel.resume();
    channel.stderr.resume();
    channel.end();
    await new Promise<void>((resolve) => channel.on("close", () => resolve()));
  } catch {
    // The connection is gone: nothing more can be done from here.
  }
}

async function putFile(sftp: SFTPWrapper, local: string, remote: string, mode: number) {
  const data = readFileSync(local);
  await call((cb) => sftp.writeFile(remote, data, { mode }, cb));
  // writeFile's mode is filtered by the remote umask; set it exactly.
  await call((cb) => sftp.chmod(remote, mode, cb));
}

async function putTree(
  sftp: SFTPWrapper,
  local: string,
  remote: string,
  budget: { count: number },
): Promise<void> {
  await call((cb) => sftp.mkdir(remote, { mode: statSync(local).mode & 0o7777 }, cb));
  for (const entry of readdirSync(local, { withFileTypes: true })) {
    budget.count += 1;
    if (budget.count > MAX_LIB_ENTRIES) {
      throw new Error(`${local} holds more than ${MAX_LIB_ENTRIES} entries`);
    }
    const from = join(local, entry.name);
    const to = posix.join(remote, entry.name);
    if (entry.isDirectory()) await putTree(sftp, from, to, budget);
    else if (entry.isFile()) await putFile(sftp, from, to, statSync(from).mode & 0o7777);
  }
}

function call(fn: (cb: (err?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    fn((err) => (err ? reject(err) : resolve()));
  });
}
