/**
 * `local-shell-cmd` and `local-shell-script`: StackStorm's local runners
 * (`contrib/runners/local_runner`), on this host, as the Squall process user.
 *
 * - `local-shell-cmd` runs `cmd` with `bash -c` (StackStorm uses `/bin/sh -c` unless `sudo`, then
 *   `bash -c`; bash accepts what sh does). Action parameters are not passed to it.
 * - `local-shell-script` runs the entry point with the arguments from `shell-args.ts`. StackStorm
 *   `chmod +x`es the pack file first; Squall leaves pack files alone and does what the kernel would
 *   after that chmod: exec the file directly when it is executable, else its `#!` interpreter,
 *   else bash (what a shell does with a script that has no `#!`).
 * - `sudo: true` → `sudo [-S] -E -- …`; `sudo_password` goes to sudo's stdin (`-S`), never argv.
 * - Environment: Squall's own environment minus `SQUALL_*` settings (they may hold server
 *   credentials), then the `env` runner parameter, then the `ST2_ACTION_*` variables, then the
 *   secret parameters (`ST2_ACTION_SECRET_<NAME>`, see shell-args.ts).
 * - Result, as StackStorm: `{failed, succeeded, return_code, stdout, stderr}` (+ `error`); stdout
 *   and stderr lose one trailing newline and are JSON-decoded when they parse. Exit 0 → succeeded,
 *   timeout → `timeout` with return_code -9, a signal → minus its number (-9 also reads as
 *   `timeout`, as in StackStorm), anything else → failed. Cancel → `canceled`.
 * Not supported (clear error instead): `content_version` (git worktrees).
 */

import {
  accessSync,
  closeSync,
  constants as fsConstants,
  openSync,
  readSync,
  statSync,
} from "node:fs";
import { ValidationError } from "../../core/errors.ts";
import { pyStr } from "../../core/expr/pyvalue.ts";
import type { Runner, RunnerOutcome, RunRequest } from "./contract.ts";
import {
  childEnv,
  type ProcessGroupResult,
  requestHooks,
  runProcessGroup,
} from "./process-group.ts";
import {
  actionEnv,
  readEnvParam,
  readTimeoutParam,
  requireCmd,
  requireScript,
  scriptArgsOf,
} from "./shell-request.ts";

export const LOCAL_SHELL_CMD = "local-shell-cmd";
export const LOCAL_SHELL_SCRIPT = "local-shell-script";
/** StackStorm's LOCAL_RUNNER_DEFAULT_ACTION_TIMEOUT, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 60;
const TIMEOUT_RETURN_CODE = -9;
/** Runner parameters of the local runners; they are never script arguments. */
const LOCAL_RUNNER_PARAMETERS = [
  "cmd",
  "cwd",
  "env",
  "kwarg_op",
  "sudo",
  "sudo_password",
  "timeout",
  "debug",
  "content_version",
];

export interface LocalShellOptions {
  /** Milliseconds between SIGTERM and SIGKILL on timeout/cancel. Default 5 s. */
  killGraceMs?: number;
  /** Per-stream cap on captured output kept in the result. */
  maxCaptureBytes?: number;
  /** Environment the action's environment starts from (default: process.env). */
  baseEnv?: Record<string, string | undefined>;
}

interface LocalParams {
  sudo: boolean;
  sudoPassword: string | null;
  cwd: string | undefined;
  env: Record<string, string>;
  kwargOp: string;
  timeoutSeconds: number | null;
  debug: boolean;
}

export function createLocalShellCmdRunner(options: LocalShellOptions = {}): Runner {
  return {
    name: LOCAL_SHELL_CMD,
    async run(request) {
      const cmd = requireCmd(request, LOCAL_SHELL_SCRIPT);
      const params = readLocalParams(request);
      return execute(request, params, ["bash", "-c", cmd], {}, options);
    },
  };
}

export function createLocalShellScriptRunner(options: LocalShellOptions = {}): Runner {
  return {
    name: LOCAL_SHELL_SCRIPT,
    async run(request) {
      const script = requireScript(request);
      const params = readLocalParams(request);
      if (request.parameters.content_version) {
        throw new ValidationError("content_version (git worktrees) is not supported yet", {
          field: "parameters.content_version",
        });
      }
      const { argv, secretEnv } = scriptArgsOf(request, params.kwargOp, LOCAL_RUNNER_PARAMETERS);
      const words = [...interpreterFor(script, request.action.metadata_file), ...argv];
      return execute(request, params, words, secretEnv, options);
    },
  };
}

async function execute(
  request: RunRequest,
  params: LocalParams,
  words: string[],
  secretEnv: Record<string, string>,
  options: LocalShellOptions,
): Promise<RunnerOutcome> {
  let command = words[0] as string;
  let args = words.slice(1);
  if (params.sudo) {
    args = [...(params.sudoPassword ? ["-S"] : []), "-E", "--", command, ...args];
    command = "sudo";
  }
  const result = await runProcessGroup({
    command,
    args,
    cwd: params.cwd,
    env: {
      ...childEnv(options.baseEnv ?? process.env),
      ...params.env,
      ...actionEnv(request, params.debug),
      ...secretEnv,
    },
    stdin: params.sudo && params.sudoPassword ? `${params.sudoPassword}\n` : undefined,
    timeoutMs: params.timeoutSeconds === null ? null : params.timeoutSeconds * 1000,
    ...requestHooks(request),
    killGraceMs: options.killGraceMs,
    maxCaptureBytes: options.maxCaptureBytes,
  });
  return toOutcome(result, params);
}

function toOutcome(result: ProcessGroupResult, params: LocalParams): RunnerOutcome {
  let returnCode = result.returnCode;
  let error: string | undefined;
  if (result.timedOut) {
    error = `Action failed to complete in ${pyStr(params.timeoutSeconds)} seconds`;
    returnCode = TIMEOUT_RETURN_CODE;
  } else if (result.canceled) {
    error = "Action was canceled";
  }
  if (params.sudoPassword && /sudo: \d+ incorrect password attempts/.test(result.stderr)) {
    const user = /\[sudo\] password for (.+?):/.exec(result.stderr)?.[1] ?? "unknown";
    error = `Invalid sudo password provided or sudo is not configured for this user (${user})`;
    returnCode = -1;
  }
  const succeeded = returnCode === 0;
  const body: Record<string, unknown> = {
    failed: !succeeded,
    succeeded,
    return_code: returnCode,
    stdout: decodeOutput(result.stdout),
    stderr: decodeOutput(result.stderr),
  };
  if (error !== undefined) body.error = error;
  const status = result.canceled
    ? "canceled"
    : succeeded
      ? "succeeded"
      : returnCode === TIMEOUT_RETURN_CODE
        ? "timeout"
        : "failed";
  return { status, result: body };
}

/** StackStorm's strip_shell_chars (one trailing "\n", then one "\r") and best-effort JSON. */
export function decodeOutput(text: string): unknown {
  let s = text.endsWith("\n") ? text.slice(0, -1) : text;
  s = s.endsWith("\r") ? s.slice(0, -1) : s;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function readLocalParams(request: RunRequest): LocalParams {
  const p = request.parameters;
  const field = (name: string) => ({ field: `parameters.${name}` });
  const cwd = p.cwd ?? undefined;
  if (cwd !== undefined) {
    if (typeof cwd !== "string") throw new ValidationError("cwd must be a string", field("cwd"));
    if (!isDirectory(cwd)) {
      throw new ValidationError(`cwd ${cwd} is not an existing directory`, field("cwd"));
    }
  }
  const env = readEnvParam(p);
  const timeout = readTimeoutParam(p, DEFAULT_TIMEOUT_SECONDS);
  const kwargOp = p.kwarg_op ?? "--";
  if (typeof kwargOp !== "string") {
    throw new ValidationError("kwarg_op must be a string", field("kwarg_op"));
  }
  const sudoPassword = p.sudo_password;
  if (sudoPassword !== undefined && sudoPassword !== null && typeof sudoPassword !== "string") {
    throw new ValidationError("sudo_password must be a string", field("sudo_password"));
  }
  return {
    sudo: p.sudo === true,
    sudoPassword: sudoPassword ? sudoPassword : null,
    cwd,
    env,
    kwargOp,
    timeoutSeconds: timeout,
    debug: p.debug === true,
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** How to start the script: itself, its `#!` interpreter, or bash. */
function interpreterFor(script: string, metadataFile: string): string[] {
  try {
    if (!statSync(script).isFile()) throw new Error("not a file");
  } catch {
    throw new ValidationError(`entry point ${script} does not exist or is not a file`, {
      file: metadataFile,
      field: "entry_point",
    });
  }
  try {
    accessSync(script, fsConstants.X_OK);
    return [script];
  } catch {
    // Not executable: fall through to what exec would do after StackStorm's chmod +x.
  }
  const firstLine = readFirstLine(script);
  if (firstLine.startsWith("#!")) {
    // Linux passes everything after the interpreter as one argument.
    const rest = firstLine.slice(2).trim();
    const space = rest.search(/[ \t]/);
    if (space < 0) return [rest, script];
    return [rest.slice(0, space), rest.slice(space).trim(), script];
  }
  return ["bash", script];
}

function readFirstLine(path: string): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString("utf8");
    const nl = text.indexOf("\n");
    return nl < 0 ? text : text.slice(0, nl);
  } finally {
    closeSync(fd);
  }
}
