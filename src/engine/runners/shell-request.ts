/**
 * What the local and remote shell runners read from a run request in the same way: the `cmd` or
 * entry point an action must have, the `env` and `timeout` runner parameters, the ST2_ACTION_*
 * variables and the script's arguments. One place, so both families refuse bad input alike.
 */

import { ValidationError } from "../../core/errors.ts";
import { pyStr } from "../../core/expr/pyvalue.ts";
import type { RunRequest } from "./contract.ts";
import { buildScriptArgs, type ScriptArgs } from "./shell-args.ts";

const field = (name: string) => ({ field: `parameters.${name}` });

/** The `cmd` of a `*-shell-cmd` action; such an action may not name an entry point. */
export function requireCmd(request: RunRequest, scriptRunner: string): string {
  if (request.action.entry_point) {
    throw new ValidationError(
      `action ${request.action.ref}: entry_point is only valid for the ${scriptRunner} runner`,
      { file: request.action.metadata_file, field: "entry_point" },
    );
  }
  const cmd = request.parameters.cmd;
  if (typeof cmd !== "string" || cmd === "") {
    throw new ValidationError(`action ${request.action.ref}: parameter "cmd" is required`, {
      field: "parameters.cmd",
    });
  }
  return cmd;
}

/** The local path of a `*-shell-script` action's entry point. */
export function requireScript(request: RunRequest): string {
  const script = request.entryPointPath;
  if (!request.action.entry_point || script === null) {
    throw new ValidationError(`action ${request.action.ref} has no entry_point`, {
      file: request.action.metadata_file,
      field: "entry_point",
    });
  }
  return script;
}

/** The `env` runner parameter as strings; numbers and booleans read as Python prints them. */
export function readEnvParam(p: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  const rawEnv = p.env ?? {};
  if (typeof rawEnv !== "object" || Array.isArray(rawEnv)) {
    throw new ValidationError("env must be an object of NAME: value", field("env"));
  }
  for (const [key, value] of Object.entries(rawEnv as Record<string, unknown>)) {
    if (typeof value === "string") env[key] = value;
    else if (typeof value === "number" || typeof value === "boolean") env[key] = pyStr(value);
    else throw new ValidationError(`env.${key} must be a string`, field(`env.${key}`));
  }
  return env;
}

/** The `timeout` runner parameter in seconds (null: none), `fallback` when absent. */
export function readTimeoutParam(p: Record<string, unknown>, fallback: number): number | null {
  const timeout = p.timeout === undefined ? fallback : p.timeout;
  if (timeout !== null && (typeof timeout !== "number" || !(timeout >= 0))) {
    throw new ValidationError("timeout must be a number of seconds ≥ 0", field("timeout"));
  }
  return timeout;
}

/** The ST2_ACTION_* variables every StackStorm action sees (`runners/base.py`). */
export function actionEnv(request: RunRequest, debug: boolean): Record<string, string> {
  const env: Record<string, string> = {
    ST2_ACTION_PACK_NAME: request.action.pack,
    ST2_ACTION_EXECUTION_ID: request.executionId,
    ST2_ACTION_API_URL: request.apiUrl,
    ST2_ACTION_DEBUG: pyStr(debug),
  };
  if (request.authToken) env.ST2_ACTION_AUTH_TOKEN = request.authToken;
  return env;
}

/** A script action's arguments: its own parameters, never the runner's (`runnerParameters`). */
export function scriptArgsOf(
  request: RunRequest,
  kwargOp: string,
  runnerParameters: readonly string[],
): ScriptArgs {
  return buildScriptArgs({
    parameters: request.parameters,
    actionSchema: request.action.parameters,
    runnerParameterNames: [...Object.keys(request.runner.runner_parameters), ...runnerParameters],
    secretNames: request.secretNames,
    kwargOp,
  });
}
