/**
 * `remote-shell-cmd` and `remote-shell-script`: StackStorm's remote runners
 * (`contrib/runners/remote_runner`, `st2common/runners/parallel_ssh.py`) over SSH with ssh2.
 *
 * - `hosts` is a comma-separated list, each entry optionally `host:port` (else `port`, else 22);
 *   the result is an object keyed by host name (see ssh/hosts.ts for colliding names).
 * - Each host gets its own connection (through `bastion_host` when set), runs, and is closed.
 *   `parallel: true` runs up to `maxParallel` hosts at once; StackStorm limits a run to
 *   ⌊hosts/3⌋+1 at once, which keeps two hosts sequential, Squall runs them all (up to the cap).
 * - Credentials, user and key defaults: ssh/credentials.ts. Sudo, cwd, env and how nothing secret
 *   reaches a remote command line: ssh/remote-command.ts. Timeout and cancel: ssh/exec.ts.
 * - Environment on the remote host: the `env` parameter, then the ST2_ACTION_* variables, then
 *   (script runner) the `ST2_ACTION_SECRET_<NAME>` variables of secret action parameters.
 * - `cwd` is written into the shell text unquoted for commands (as StackStorm does, so `~` and
 *   `$HOME` work) and quoted for scripts (as StackStorm does there).
 * - Output streams to the sink as it arrives; with several hosts each line is prefixed with
 *   `[<host>] ` (StackStorm streams nothing at all for more than one host).
 * - Cancel → `canceled`; hosts still running get `{…, error: "Action was canceled"}`.
 */

import { ValidationError } from "../../core/errors.ts";
import { pyStr } from "../../core/expr/pyvalue.ts";
import type { OutputSink, Runner, RunnerOutcome, RunRequest } from "./contract.ts";
import { DEFAULT_KILL_GRACE_MS, DEFAULT_MAX_CAPTURE_BYTES } from "./process-group.ts";
import { quoteShell } from "./shell-args.ts";
import {
  actionEnv,
  readEnvParam,
  readTimeoutParam,
  requireCmd,
  requireScript,
  scriptArgsOf,
} from "./shell-request.ts";
import { type Endpoint, openConnection, type SshConnection } from "./ssh/connection.ts";
import { resolveAuth } from "./ssh/credentials.ts";
import { type RemoteRunResult, runRemote } from "./ssh/exec.ts";
import { DEFAULT_SSH_PORT, parseHosts, type SshTarget, splitHostPort } from "./ssh/hosts.ts";
import { mapLimited } from "./ssh/pool.ts";
import { buildRemotePayload } from "./ssh/remote-command.ts";
import {
  completedResult,
  errorResult,
  type HostResult,
  overallStatus,
  SshCommandTimeoutError,
  traceback,
} from "./ssh/results.ts";
import { localLibDir, remoteScriptPath, removeRemoteDir, uploadScript } from "./ssh/upload.ts";

export const REMOTE_SHELL_CMD = "remote-shell-cmd";
export const REMOTE_SHELL_SCRIPT = "remote-shell-script";
/** StackStorm's REMOTE_RUNNER_DEFAULT_ACTION_TIMEOUT, in seconds. */
const DEFAULT_TIMEOUT_SECONDS = 60;
/** Runner parameters of the remote runners; they are never script arguments. */
const REMOTE_RUNNER_PARAMETERS = [
  "bastion_host",
  "cmd",
  "cwd",
  "dir",
  "env",
  "hosts",
  "kwarg_op",
  "parallel",
  "passphrase",
  "password",
  "port",
  "private_key",
  "sudo",
  "sudo_password",
  "timeout",
  "username",
];

export interface RemoteShellOptions {
  /** Login user when the action names none (StackStorm `[system_user] user`). */
  defaultUser?: string;
  /** Key file when the action gives no password or key (`[system_user] ssh_key_file`). */
  defaultKeyFile?: string | null;
  /** Hosts run at once with `parallel: true` (`[ssh_runner] max_parallel_actions`). */
  maxParallel?: number;
  /** Succeed when any host succeeded (`[ssh_runner] allow_partial_failure`). */
  allowPartialFailure?: boolean;
  /** Seconds allowed to connect and log in (`[ssh_runner] ssh_connect_timeout`). */
  connectTimeoutSeconds?: number;
  /** Milliseconds between TERM and KILL of the remote processes on timeout/cancel. */
  killGraceMs?: number;
  /** Per-stream cap on captured output kept in each host's result. */
  maxCaptureBytes?: number;
}

export const REMOTE_SHELL_DEFAULTS = {
  defaultUser: "stanley",
  defaultKeyFile: "/home/stanley/.ssh/stanley_rsa",
  maxParallel: 50,
  allowPartialFailure: false,
  connectTimeoutSeconds: 60,
} as const;

interface RemoteParams {
  targets: SshTarget[];
  bastion: Endpoint | null;
  parallel: boolean;
  sudo: boolean;
  sudoPassword: string | null;
  cwd: string | null;
  env: Record<string, string>;
  kwargOp: string;
  timeoutSeconds: number | null;
  dir: string;
  username: string | null;
  password: string | null;
  privateKey: string | null;
  passphrase: string | null;
}

/** What one host runs once connected; it returns that host's entry of the result. */
type HostWork = (conn: SshConnection, target: SshTarget, output: OutputSink) => Promise<HostResult>;

export function createRemoteShellCmdRunner(options: RemoteShellOptions = {}): Runner {
  return {
    name: REMOTE_SHELL_CMD,
    async run(request) {
      const cmd = requireCmd(request, REMOTE_SHELL_SCRIPT);
      const params = readRemoteParams(request);
      const payload = buildRemotePayload({
        command: cmd,
        env: { ...params.env, ...actionEnv(request, false) },
        cwdShell: params.cwd,
        sudo: params.sudo,
        sudoPassword: params.sudoPassword,
      });
      return runOnHosts(request, params, options, async (conn, target, output) => {
        const run = await runRemote(conn, execOptions(request, params, options, payload, output));
        return hostResult(run, cmd, target, params, options);
      });
    },
  };
}

export function createRemoteShellScriptRunner(options: RemoteShellOptions = {}): Runner {
  return {
    name: REMOTE_SHELL_SCRIPT,
    async run(request) {
      const script = requireScript(request);
      const params = readRemoteParams(request);
      const { argv, secretEnv } = scriptArgsOf(request, params.kwargOp, REMOTE_RUNNER_PARAMETERS);
      const plan = {
        localScript: script,
        localLib: localLibDir(script),
        remoteDir: `${params.dir.replace(/\/+$/, "")}/${request.executionId}`,
      };
      const remoteScript = remoteScriptPath(plan);
      const command = [remoteScript, ...argv].map(quoteShell).join(" ");
      const payload = buildRemotePayload({
        command,
        env: { ...params.env, ...actionEnv(request, false), ...secretEnv },
        cwdShell: params.cwd === null ? null : quoteShell(params.cwd),
        sudo: params.sudo,
        sudoPassword: params.sudoPassword,
      });
      return runOnHosts(request, params, options, async (conn, target, output) => {
        try {
          await uploadScript(conn, plan);
        } catch (err) {
          await removeRemoteDir(conn, plan.remoteDir);
          return errorResult({
            message: `Failed sending file(s) in path ${script} to host ${target.hostname}`,
            error: err,
          });
        }
        try {
          const run = await runRemote(conn, execOptions(request, params, options, payload, output));
          return hostResult(run, command, target, params, options);
        } finally {
          await removeRemoteDir(conn, plan.remoteDir);
        }
      });
    },
  };
}

async function runOnHosts(
  request: RunRequest,
  params: RemoteParams,
  options: RemoteShellOptions,
  work: HostWork,
): Promise<RunnerOutcome> {
  const connectTimeout = connectTimeoutSeconds(params, options);
  const limit = params.parallel ? (options.maxParallel ?? REMOTE_SHELL_DEFAULTS.maxParallel) : 1;
  const several = params.targets.length > 1;
  let connected = 0;

  const perHost = await mapLimited(params.targets, limit, async (target) => {
    const output = several ? prefixedSink(request.output, target.key) : request.output;
    let conn: SshConnection;
    try {
      const auth = resolveAuth({
        username: params.username,
        password: params.password,
        privateKey: params.privateKey,
        passphrase: params.passphrase,
        defaultUser: options.defaultUser ?? REMOTE_SHELL_DEFAULTS.defaultUser,
        defaultKeyFile:
          options.defaultKeyFile === undefined
            ? REMOTE_SHELL_DEFAULTS.defaultKeyFile
            : options.defaultKeyFile,
      });
      conn = await openConnection(target, {
        auth,
        bastion: params.bastion,
        readyTimeoutMs: connectTimeout * 1000,
        signal: request.signal,
      });
    } catch (err) {
      return { target, connectFailed: true, result: connectErrorResult(target, err) };
    }
    connected += 1;
    try {
      return { target, connectFailed: false, result: await work(conn, target, output) };
    } catch (err) {
      return {
        target,
        connectFailed: false,
        result: errorResult({
          message: `Failed executing command on host "${target.hostname}"`,
          error: err,
        }),
      };
    } finally {
      conn.close();
    }
  });

  if (request.signal.aborted) {
    const results: Record<string, HostResult> = {};
    for (const h of perHost) results[h.target.key] = h.result;
    return { status: "canceled", result: results };
  }
  if (connected === 0) {
    const errors: Record<string, HostResult> = {};
    for (const h of perHost) errors[h.target.key] = h.result;
    const hosts = params.targets.map((t) => t.key);
    return {
      status: "failed",
      result: {
        error: `Unable to connect to any one of the hosts: ${hosts.join(", ")}.\n\n connect_errors=${JSON.stringify(errors, null, 2)}`,
        traceback: perHost.map((h) => `${h.target.key}: ${String(h.result.traceback)}`).join("\n"),
      },
    };
  }
  const results: Record<string, HostResult> = {};
  for (const h of perHost) results[h.target.key] = h.result;
  const allowPartial = options.allowPartialFailure ?? REMOTE_SHELL_DEFAULTS.allowPartialFailure;
  return { status: overallStatus(results, allowPartial), result: results };
}

function connectErrorResult(target: SshTarget, err: unknown): HostResult {
  return {
    ...errorResult({ message: `Failed connecting to host ${target.hostname}.`, error: err }),
    traceback: traceback(err),
  };
}

function hostResult(
  run: RemoteRunResult,
  command: string,
  target: SshTarget,
  params: RemoteParams,
  options: RemoteShellOptions,
): HostResult {
  if (run.timedOut) {
    return errorResult({
      message: `Failed executing command "${command}" on host "${target.hostname}"`,
      error: new SshCommandTimeoutError(
        `Command didn't finish in ${pyStr(params.timeoutSeconds)} seconds or the SSH connection did not succeed in ${connectTimeoutSeconds(params, options)} seconds`,
      ),
      timeout: true,
      stdout: run.stdout,
      stderr: run.stderr,
    });
  }
  if (run.canceled) {
    return {
      ...completedResult(run.stdout, run.stderr, run.returnCode),
      error: "Action was canceled",
    };
  }
  return completedResult(run.stdout, run.stderr, run.returnCode);
}

function execOptions(
  request: RunRequest,
  params: RemoteParams,
  options: RemoteShellOptions,
  payload: string,
  output: OutputSink,
) {
  return {
    payload,
    timeoutMs: params.timeoutSeconds ? params.timeoutSeconds * 1000 : null,
    signal: request.signal,
    onOutput: (stream: "stdout" | "stderr", data: string) => output.write(stream, data),
    killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    maxCaptureBytes: options.maxCaptureBytes ?? DEFAULT_MAX_CAPTURE_BYTES,
  };
}

/** StackStorm caps the connect timeout at two seconds below the action timeout. */
function connectTimeoutSeconds(params: RemoteParams, options: RemoteShellOptions): number {
  const configured = options.connectTimeoutSeconds ?? REMOTE_SHELL_DEFAULTS.connectTimeoutSeconds;
  if (params.timeoutSeconds && configured > params.timeoutSeconds - 2) {
    return Math.max(1, params.timeoutSeconds - 2);
  }
  return configured;
}

function prefixedSink(sink: OutputSink, key: string): OutputSink {
  return {
    write(stream, data) {
      const lines = data.split(/(?<=\n)/);
      sink.write(stream, lines.map((line) => `[${key}] ${line}`).join(""));
    },
  };
}

function readRemoteParams(request: RunRequest): RemoteParams {
  const p = request.parameters;
  const field = (name: string) => ({ field: `parameters.${name}` });
  const optionalString = (name: string): string | null => {
    const value = p[name];
    if (value === undefined || value === null || value === "") return null;
    if (typeof value !== "string")
      throw new ValidationError(`${name} must be a string`, field(name));
    return value;
  };
  const port = p.port ?? null;
  if (
    port !== null &&
    (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535)
  ) {
    throw new ValidationError("port must be an integer between 1 and 65535", field("port"));
  }
  const targets = parseHosts(p.hosts, port as number | null);
  const bastionText = optionalString("bastion_host");
  let bastion: Endpoint | null = null;
  if (bastionText !== null) {
    const hp = splitHostPort(bastionText, "parameters.bastion_host");
    bastion = {
      hostname: hp.hostname,
      port: hp.port ?? (port as number | null) ?? DEFAULT_SSH_PORT,
    };
  }
  const env = readEnvParam(p);
  const timeout = readTimeoutParam(p, DEFAULT_TIMEOUT_SECONDS);
  return {
    targets,
    bastion,
    parallel: p.parallel === true,
    sudo: p.sudo === true,
    sudoPassword: optionalString("sudo_password"),
    cwd: optionalString("cwd"),
    env,
    kwargOp: typeof p.kwarg_op === "string" ? p.kwarg_op : "--",
    timeoutSeconds: timeout === 0 ? null : timeout,
    dir: optionalString("dir") ?? "/tmp",
    username: optionalString("username"),
    password: optionalString("password"),
    privateKey: optionalString("private_key"),
    passphrase: optionalString("passphrase"),
  };
}
