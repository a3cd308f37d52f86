/**
 * The shapes of remote results, as StackStorm's `ParallelSSHClient` produces them.
 *
 * Per host, on completion: `{stdout, stderr, return_code, succeeded, failed}`, stdout/stderr with
 * one trailing newline (then one "\r") removed and JSON-decoded when they parse.
 * Per host, on error (connection, copy, timeout): `{failed: true, succeeded: false, timeout,
 * return_code, stdout, stderr, error, traceback}` with return_code 255, or -9 and
 * `timeout: true` for a timeout; stdout/stderr there are stripped but not decoded.
 * When no host could be connected to at all, StackStorm fails the whole action before running
 * anything, and the result is just `{error, traceback}`; Squall does the same.
 *
 * Status: succeeded when every host succeeded (with `allow_partial_failure`, when any did);
 * timeout only when every host timed out; otherwise failed.
 *
 * "traceback": StackStorm puts a Python traceback there. Squall puts the chain of error
 * messages (error class and message, then each cause), which is what a reader needs from it.
 *
 * Pure logic: no node: imports.
 */

import { SquallError } from "../../../core/errors.ts";
import type { RunnerOutcomeStatus } from "../contract.ts";

/** The remote command outlived its `timeout`. */
export class SshCommandTimeoutError extends SquallError {
  override readonly code: string = "ssh_command_timeout";
}

export const CONNECT_ERROR_RETURN_CODE = 255;
export const TIMEOUT_RETURN_CODE = -9;

export type HostResult = Record<string, unknown>;

export function completedResult(stdout: string, stderr: string, returnCode: number): HostResult {
  const succeeded = returnCode === 0;
  return {
    stdout: decodeOutput(stdout),
    stderr: decodeOutput(stderr),
    return_code: returnCode,
    succeeded,
    failed: !succeeded,
  };
}

export interface ErrorResultInput {
  message: string;
  error: unknown;
  timeout?: boolean;
  returnCode?: number;
  stdout?: string;
  stderr?: string;
}

export function errorResult(input: ErrorResultInput): HostResult {
  const timeout = input.timeout === true;
  return {
    failed: true,
    succeeded: false,
    timeout,
    return_code: input.returnCode ?? (timeout ? TIMEOUT_RETURN_CODE : CONNECT_ERROR_RETURN_CODE),
    stdout: stripShellChars(input.stdout ?? ""),
    stderr: stripShellChars(input.stderr ?? ""),
    error: `${input.message} ${errorMessage(input.error)}`.trim(),
    traceback: traceback(input.error),
  };
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? "" : String(error);
}

/** `Name: message`, then `caused by Name: message` for each cause. */
export function traceback(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    const line = current instanceof Error ? `${current.name}: ${current.message}` : String(current);
    lines.push(depth === 0 ? line : `caused by ${line}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join("\n");
}

/** StackStorm's `strip_shell_chars`: one trailing "\n", then one trailing "\r". */
export function stripShellChars(text: string): string {
  const s = text.endsWith("\n") ? text.slice(0, -1) : text;
  return s.endsWith("\r") ? s.slice(0, -1) : s;
}

export function decodeOutput(text: string): unknown {
  const s = stripShellChars(text);
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export function overallStatus(
  results: Record<string, HostResult>,
  allowPartialFailure: boolean,
): RunnerOutcomeStatus {
  const values = Object.values(results);
  const succeeded = values.map((r) => r.succeeded === true);
  const success = allowPartialFailure ? succeeded.some(Boolean) : succeeded.every(Boolean);
  if (values.length > 0 && success) return "succeeded";
  if (values.length > 0 && values.every((r) => r.timeout === true)) return "timeout";
  return "failed";
}
