/**
 * `python-script`: StackStorm's Python runner (`contrib/runners/python_runner`). It runs the
 * pack's action class in a CPython process through Squall's shim (python/st2shim), with the
 * pack's virtualenv interpreter when the pack has requirements.
 *
 * Differences from StackStorm, on purpose:
 * - parameters, pack config and the API token go to the child on stdin, never on argv (StackStorm
 *   puts parameters and config, secrets included, on the command line);
 * - the result comes back on fd 3, not between delimiters on stdout, so nothing the action
 *   prints can corrupt it; stdout in the result is exactly what the action printed.
 * Same as StackStorm: the result is `{stdout, stderr, exit_code, result}` (+ `error` on timeout);
 * `run()` returning `(False, x)` → failed; a non-bool status → exit 220 and failed; an uncaught
 * exception → exit 1, failed, `result: "None"`; timeout → `timeout` with exit_code -9.
 */

import { statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ValidationError } from "../../core/errors.ts";
import { pyStr } from "../../core/expr/pyvalue.ts";
import type { PythonEnvironments } from "../python/environments.ts";
import type { PackConfigLoader } from "../python/pack-config.ts";
import type { Runner, RunnerOutcome, RunRequest } from "./contract.ts";
import {
  childEnv,
  type ProcessGroupResult,
  requestHooks,
  runProcessGroup,
} from "./process-group.ts";

export const PYTHON_SCRIPT = "python-script";
/** StackStorm's PYTHON_RUNNER_DEFAULT_ACTION_TIMEOUT, in seconds. */
export const DEFAULT_PYTHON_TIMEOUT_SECONDS = 600;
export const DEFAULT_PYTHON_LOG_LEVEL = "DEBUG";
/** StackStorm's PYTHON_RUNNER_INVALID_ACTION_STATUS_EXIT_CODE. */
export const INVALID_STATUS_EXIT_CODE = 220;
const TIMEOUT_EXIT_CODE = -9;
/** What StackStorm reports as `result` when the action produced none (exception, exit). */
const NO_RESULT = "None";
/** Runner parameters of python-script; never passed to run(). */
const PYTHON_RUNNER_PARAMETERS = ["debug", "content_version", "env", "timeout", "log_level"];

export const DEFAULT_SHIM_PATH = fileURLToPath(new URL("../../../python/st2shim", import.meta.url));

export interface PythonScriptRunnerOptions {
  /** Interpreter for packs without a virtualenv (default `python3`). */
  python?: string;
  /** Per-pack virtualenvs; without it every pack runs with `python`. */
  environments?: Pick<PythonEnvironments, "ready">;
  /** The pack config handed to the action (`self.config`); default: none. */
  loadConfig?: PackConfigLoader;
  /** Where pack configs live, only to name the file in "missing config key" errors. */
  configsDir?: string;
  /** Directory holding st2common/, st2actions/ and squall_shim/ (default: python/st2shim). */
  shimPath?: string;
  killGraceMs?: number;
  maxCaptureBytes?: number;
  /** Environment the action's environment starts from (default: process.env). */
  baseEnv?: Record<string, string | undefined>;
}

interface PythonParams {
  timeoutSeconds: number | null;
  logLevel: string;
  env: Record<string, string>;
  debug: boolean;
}

export function createPythonScriptRunner(options: PythonScriptRunnerOptions = {}): Runner {
  const shim = options.shimPath ?? DEFAULT_SHIM_PATH;
  const wrapper = join(shim, "squall_shim", "action_wrapper.py");
  return {
    name: PYTHON_SCRIPT,
    async run(request) {
      const file = entryPoint(request);
      const params = readParams(request);
      const actionParameters = actionParametersOf(request);
      const python = await interpreter(request, options);
      if (python === null) return canceledOutcome();
      // Dynamic config values read the datastore as the execution's user, as StackStorm's do.
      const config = options.loadConfig
        ? await options.loadConfig(request.action.pack, request.user)
        : {};
      const stdin = JSON.stringify({
        pack: request.action.pack,
        file_path: file,
        parameters: actionParameters,
        config,
        config_path: options.configsDir
          ? join(options.configsDir, `${request.action.pack}.yaml`)
          : null,
        user: request.user,
        api_url: request.apiUrl,
        auth_token: request.authToken,
        log_level: params.logLevel,
        lib_paths: libPaths(request.packPath),
      });
      const result = await runProcessGroup({
        command: python,
        args: ["-u", wrapper],
        env: pythonEnv(request, params, python, shim, options.baseEnv ?? process.env),
        stdin,
        // The wrapper writes the result on fd 3 (see the module comment).
        extraPipe: true,
        timeoutMs: params.timeoutSeconds === null ? null : params.timeoutSeconds * 1000,
        ...requestHooks(request),
        killGraceMs: options.killGraceMs,
        maxCaptureBytes: options.maxCaptureBytes,
      });
      return toOutcome(result, params);
    },
  };
}

function entryPoint(request: RunRequest): string {
  const file = request.entryPointPath;
  if (!request.action.entry_point || file === null) {
    throw new ValidationError(`action ${request.action.ref} has no entry_point`, {
      file: request.action.metadata_file,
      field: "entry_point",
    });
  }
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) {
    throw new ValidationError(`entry point ${file} does not exist or is not a file`, {
      file: request.action.metadata_file,
      field: "entry_point",
    });
  }
  return file;
}

/** The pack's interpreter, or null when the execution was canceled while its venv was built. */
async function interpreter(
  request: RunRequest,
  options: PythonScriptRunnerOptions,
): Promise<string | null> {
  if (!options.environments) return options.python ?? "python3";
  if (request.signal.aborted) return null;
  const ready = options.environments.ready({ ref: request.action.pack, path: request.packPath });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<null>((resolve) => {
    onAbort = () => resolve(null);
    request.signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([ready, aborted]);
  } finally {
    if (onAbort) request.signal.removeEventListener("abort", onAbort);
  }
}

function canceledOutcome(): RunnerOutcome {
  return {
    status: "canceled",
    result: { stdout: "", stderr: "", exit_code: null, result: NO_RESULT },
  };
}

/**
 * What run() receives: the action's own parameters. Runner parameters (an action may redeclare
 * one to change its default) stay with the runner, as StackStorm splits them.
 */
function actionParametersOf(request: RunRequest): Record<string, unknown> {
  const runnerNames = new Set([
    ...Object.keys(request.runner.runner_parameters),
    ...PYTHON_RUNNER_PARAMETERS,
  ]);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request.parameters)) {
    if (!runnerNames.has(name)) out[name] = value;
  }
  return out;
}

/** StackStorm's sandbox path: the pack's `actions/lib`, then its common `lib`. */
function libPaths(packPath: string): string[] {
  return [join(packPath, "actions", "lib"), join(packPath, "lib")];
}

function pythonEnv(
  request: RunRequest,
  params: PythonParams,
  python: string,
  shim: string,
  base: Record<string, string | undefined>,
): Record<string, string> {
  const env = { ...childEnv(base), ...params.env };
  env.PYTHONPATH = [shim, ...libPaths(request.packPath)].join(delimiter);
  // Pack directories (and the shim) may be read-only or shared: leave no __pycache__ in them.
  env.PYTHONDONTWRITEBYTECODE = "1";
  // StackStorm puts the virtualenv's bin first, so tools installed by requirements are found.
  const binDir = python.includes("/") ? python.slice(0, python.lastIndexOf("/")) : null;
  if (binDir) env.PATH = env.PATH ? `${binDir}${delimiter}${env.PATH}` : binDir;
  env.ST2_ACTION_PACK_NAME = request.action.pack;
  env.ST2_ACTION_EXECUTION_ID = request.executionId;
  env.ST2_ACTION_API_URL = request.apiUrl;
  env.ST2_ACTION_DEBUG = pyStr(params.debug);
  env.ST2_API_URL = request.apiUrl;
  // The token is the execution's own and short-lived; StackStorm hands it over the same way,
  // for packs that build their own st2client. The environment is not visible in cmdline.
  if (request.authToken) {
    env.ST2_ACTION_AUTH_TOKEN = request.authToken;
    env.ST2_AUTH_TOKEN = request.authToken;
  }
  return env;
}

function readParams(request: RunRequest): PythonParams {
  const p = request.parameters;
  const field = (name: string) => ({ field: `parameters.${name}` });
  const timeout = p.timeout === undefined ? DEFAULT_PYTHON_TIMEOUT_SECONDS : p.timeout;
  if (timeout !== null && (typeof timeout !== "number" || !(timeout >= 0))) {
    throw new ValidationError("timeout must be a number of seconds ≥ 0", field("timeout"));
  }
  const logLevel = p.log_level ?? DEFAULT_PYTHON_LOG_LEVEL;
  if (typeof logLevel !== "string") {
    throw new ValidationError("log_level must be a string", field("log_level"));
  }
  if (p.content_version) {
    throw new ValidationError("content_version (git worktrees) is not supported yet", {
      field: "parameters.content_version",
    });
  }
  const rawEnv = p.env ?? {};
  if (typeof rawEnv !== "object" || Array.isArray(rawEnv)) {
    throw new ValidationError("env must be an object of NAME: value", field("env"));
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawEnv as Record<string, unknown>)) {
    // StackStorm ignores a user PYTHONPATH: it would break the shim's imports.
    if (key.toLowerCase() === "pythonpath") continue;
    if (typeof value === "string") env[key] = value;
    else if (typeof value === "number" || typeof value === "boolean") env[key] = pyStr(value);
    else throw new ValidationError(`env.${key} must be a string`, field(`env.${key}`));
  }
  return { timeoutSeconds: timeout, logLevel, env, debug: p.debug === true };
}

interface Reported {
  result: unknown;
  status: boolean | null;
}

function parseReported(text: string): Reported | null {
  if (text === "") return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === "object" && parsed !== null && "result" in parsed) {
      const status = (parsed as { status?: unknown }).status;
      return {
        result: (parsed as { result: unknown }).result,
        status: typeof status === "boolean" ? status : null,
      };
    }
  } catch {
    // Fall through: the wrapper always writes JSON, so this is a broken or truncated channel.
  }
  return { result: text, status: null };
}

function toOutcome(run: ProcessGroupResult, params: PythonParams): RunnerOutcome {
  const reported = run.extraTruncated ? null : parseReported(run.extra);
  const exitCode = run.timedOut ? TIMEOUT_EXIT_CODE : run.returnCode;
  const body: Record<string, unknown> = {
    stdout: run.stdout,
    stderr: run.stderr,
    exit_code: exitCode,
    result: reported ? reported.result : NO_RESULT,
  };
  if (run.timedOut) {
    body.error = `Action failed to complete in ${pyStr(params.timeoutSeconds)} seconds`;
  } else if (run.extraTruncated) {
    body.error = "The action's result was too large to keep";
  } else if (exitCode === INVALID_STATUS_EXIT_CODE) {
    // StackStorm fails the execution with the wrapper's explanation as its error.
    body.error = run.stderr;
  }
  if (run.canceled) return { status: "canceled", result: body };
  if (run.timedOut) return { status: "timeout", result: body };
  const succeeded = exitCode === 0 && (reported?.status ?? null) !== false && !run.extraTruncated;
  return { status: succeeded ? "succeeded" : "failed", result: body };
}
