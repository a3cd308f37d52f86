/**
 * Run one payload (remote-command.ts) over an open connection: stream its output, enforce the
 * timeout, obey cancel.
 *
 * On timeout or cancel StackStorm only closes the channel, which leaves the remote command
 * running (without a pty, sshd does not signal it). Squall also kills it: the wrapper reported
 * its process-group id first thing, so a second channel on the same connection sends TERM to
 * the group, waits up to the grace period, then KILL. Processes started through sudo belong to
 * root and can only be killed this way when the login user may signal them (as root can).
 */

import type { ClientChannel } from "ssh2";
import type { SshConnection } from "./connection.ts";
import { RemoteStream } from "./output.ts";
import { killGroupCommand, REMOTE_WRAPPER } from "./remote-command.ts";

/** paramiko's exit status when the remote side sent none (killed by a signal, channel closed). */
export const NO_EXIT_STATUS = -1;
/** Extra time allowed for the kill channel beyond its own grace loop. */
const KILL_SLACK_MS = 5_000;

export interface RemoteRunOptions {
  payload: string;
  timeoutMs: number | null;
  signal: AbortSignal;
  onOutput: (stream: "stdout" | "stderr", data: string) => void;
  killGraceMs: number;
  maxCaptureBytes: number;
}

export interface RemoteRunResult {
  returnCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  canceled: boolean;
}

export async function runRemote(
  conn: SshConnection,
  options: RemoteRunOptions,
): Promise<RemoteRunResult> {
  if (options.signal.aborted) {
    return { returnCode: NO_EXIT_STATUS, stdout: "", stderr: "", timedOut: false, canceled: true };
  }
  const channel = await conn.exec(REMOTE_WRAPPER);
  const out = new RemoteStream("stdout", options.maxCaptureBytes, options.onOutput, true);
  const err = new RemoteStream("stderr", options.maxCaptureBytes, options.onOutput, false);

  return new Promise((resolve) => {
    let returnCode: number = NO_EXIT_STATUS;
    let timedOut = false;
    let canceled = false;
    let settled = false;
    let killDone: Promise<void> = Promise.resolve();
    let fallback: NodeJS.Timeout | undefined;

    channel.on("data", (chunk: Buffer) => out.add(chunk));
    channel.stderr.on("data", (chunk: Buffer) => err.add(chunk));
    channel.on("exit", (code: number | null) => {
      if (typeof code === "number") returnCode = code;
    });
    // Writes after a failed channel are harmless; the close event still ends the run.
    channel.on("error", () => {});

    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(fallback);
      options.signal.removeEventListener("abort", onAbort);
      out.finish();
      err.finish();
      void killDone.then(() =>
        resolve({
          returnCode: timedOut || canceled ? NO_EXIT_STATUS : returnCode,
          stdout: out.text(),
          stderr: err.text(),
          timedOut,
          canceled,
        }),
      );
    };
    const stop = (): void => {
      killDone = killRemote(conn, channel, out.pgid, options.killGraceMs);
      // A dead connection may never report the channel closed: stop waiting for it.
      fallback = setTimeout(finish, options.killGraceMs + KILL_SLACK_MS);
    };
    const timer =
      options.timeoutMs === null
        ? undefined
        : setTimeout(() => {
            if (canceled) return;
            timedOut = true;
            stop();
          }, options.timeoutMs);
    const onAbort = (): void => {
      if (timedOut || canceled) return;
      canceled = true;
      stop();
    };
    options.signal.addEventListener("abort", onAbort, { once: true });

    channel.on("close", finish);
    channel.end(options.payload);
  });
}

/** Kill the remote process group (when known) and close the channel; bounded in time. */
async function killRemote(
  conn: SshConnection,
  channel: ClientChannel,
  pgid: number | null,
  graceMs: number,
): Promise<void> {
  if (pgid === null) {
    // The wrapper has not even reported in: ask sshd to signal it (OpenSSH ≥ 7.9), then go.
    try {
      channel.signal("KILL");
    } catch {
      // The channel may already be gone.
    }
    channel.close();
    return;
  }
  const done = (async () => {
    try {
      const killer = await conn.exec(killGroupCommand(pgid, graceMs / 1000));
      killer.on("error", () => {});
      killer.resume();
      killer.stderr.resume();
      channel.close();
      await new Promise<void>((resolve) => killer.on("close", () => resolve()));
    } catch {
      channel.close();
    }
  })();
  let bound: NodeJS.Timeout | undefined;
  await Promise.race([
    done,
    new Promise<void>((resolve) => {
      bound = setTimeout(resolve, graceMs + KILL_SLACK_MS);
    }),
  ]);
  clearTimeout(bound);
}
