/**
 * The `nodejs` runner: runs an action written in TypeScript or JavaScript with Squall's SDK
 * (`export default defineAction({...})`, see src/sdk) in a child Node process, the way the
 * `python-script` runner runs a Python action class.
 *
 * - `entry_point` is a .ts/.mts/.js/.mjs file under the pack's `actions/` directory.
 * - Parameters, pack config and the API credentials reach the child in the init message on
 *   stdin; the command line holds only the host script and the word `action`.
 * - The child runs in its own process group (process-group.ts), so timeout and cancel reach
 *   anything it started. It reports its result as a protocol message on fd 3; stdout and stderr
 *   are captured and streamed.
 * - Result, shaped like python-script's: `{result, exit_code, stdout, stderr}` (+ `error` when
 *   `run` threw). `run` returning normally → succeeded; returning `failure(x)` or throwing →
 *   failed; runner parameter `timeout` (seconds, default 600) → timeout; cancel → canceled.
 */

import { extname } from "node:path";
import { ValidationError } from "../../core/errors.ts";
import {
  type ActionInit,
  type ChildMessage,
  encodeMessage,
  LineSplitter,
} from "../../sdk/protocol.ts";
import { parseChildMessage } from "../../sdk/protocol-parse.ts";
import { SDK_HOST_PATH } from "../sensors/launch.ts";
import type { Runner, RunnerOutcome, RunRequest } from "./contract.ts";
import { childEnv, requestHooks, runProcessGroup } from "./process-group.ts";

export const NODEJS_RUNNER = "nodejs";
export const DEFAULT_NODEJS_TIMEOUT_SECONDS = 600;
const EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);

export interface NodejsRunnerOptions {
  /** The pack's config (see python/pack-config.ts createPackConfigLoader); default: none. */
  loadConfig?: (pack: string, user?: string) => Promise<Record<string, unknown>>;
  nodeBinary?: string;
  killGraceMs?: number;
  maxCaptureBytes?: number;
  baseEnv?: Record<string, string | undefined>;
}

function timeoutSeconds(request: RunRequest): number | null {
  const value = request.parameters.timeout;
  if (value === undefined || value === null) return DEFAULT_NODEJS_TIMEOUT_SECONDS;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    throw new ValidationError(
      `action ${request.action.ref}: timeout must be a non-negative number of seconds`,
      {
        field: "timeout",
      },
    );
  return value === 0 ? null : value;
}

function stringEnv(request: RunRequest): Record<string, string> {
  const env = request.parameters.env;
  if (env === undefined || env === null) return {};
  if (typeof env !== "object" || Array.isArray(env))
    throw new ValidationError(`action ${request.action.ref}: env must be an object`, {
      field: "env",
    });
  return Object.fromEntries(
    Object.entries(env as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
}

/** Action parameters without the runner's own (timeout, env), as python-script passes them. */
function actionParameters(request: RunRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(request.parameters))
    if (!(k in request.runner.runner_parameters)) out[k] = v;
  return out;
}

type ResultMessage = Extract<ChildMessage, { type: "result" }>;

/** The first result message on fd 3; lines that are not protocol messages are ignored. */
function reportedResult(channel: string): ResultMessage | undefined {
  let found: ResultMessage | undefined;
  const splitter = new LineSplitter((line) => {
    const parsed = parseChildMessage(line);
    if (!found && parsed.ok && parsed.message.type === "result") found = parsed.message;
  });
  splitter.push(channel);
  splitter.end();
  return found;
}

export function createNodejsRunner(options: NodejsRunnerOptions = {}): Runner {
  return {
    name: NODEJS_RUNNER,
    async run(request): Promise<RunnerOutcome> {
      const file = request.entryPointPath;
      if (!file || !EXTENSIONS.has(extname(file).toLowerCase()))
        throw new ValidationError(
          `action ${request.action.ref}: the nodejs runner needs an entry_point naming a .ts, .mts, .js or .mjs file`,
          { file: request.action.metadata_file, field: "entry_point" },
        );
      const seconds = timeoutSeconds(request);
      const init: ActionInit = {
        type: "init",
        kind: "action",
        pack: request.action.pack,
        name: request.action.name,
        execution_id: request.executionId,
        file_path: file,
        parameters: actionParameters(request),
        config: (await options.loadConfig?.(request.action.pack, request.user)) ?? {},
        api_url: request.apiUrl,
        auth_token: request.authToken,
      };
      const env = {
        ...childEnv(options.baseEnv ?? process.env),
        ...stringEnv(request),
        ST2_ACTION_PACK_NAME: request.action.pack,
        ST2_ACTION_EXECUTION_ID: request.executionId,
        ST2_ACTION_API_URL: request.apiUrl,
      };
      const run = await runProcessGroup({
        command: options.nodeBinary ?? process.execPath,
        args: [SDK_HOST_PATH, "action"],
        cwd: request.packPath,
        env,
        stdin: encodeMessage(init),
        extraPipe: true,
        timeoutMs: seconds === null ? null : seconds * 1000,
        ...requestHooks(request),
        killGraceMs: options.killGraceMs,
        maxCaptureBytes: options.maxCaptureBytes,
      });
      const reported = run.extraTruncated ? undefined : reportedResult(run.extra);
      const result: Record<string, unknown> = {
        result: reported?.result ?? null,
        exit_code: run.returnCode,
        stdout: run.stdout,
        stderr: run.stderr,
      };
      if (reported?.error) result.error = reported.error;
      if (run.canceled) return { status: "canceled", result };
      if (run.timedOut) {
        result.error = `action timed out after ${seconds} seconds`;
        return { status: "timeout", result };
      }
      const ok = run.returnCode === 0 && reported?.status === "succeeded";
      if (run.extraTruncated) result.error = "the action's result was too large to keep";
      else if (!reported && run.returnCode === 0)
        result.error = "the action process ended without reporting a result";
      return { status: ok ? "succeeded" : "failed", result };
    },
  };
}
