/**
 * The runners this node can run, by StackStorm runner name. Actions naming any other runner fail
 * with UnknownRunnerError rather than being silently skipped.
 */

import { NotFoundError } from "../../core/errors.ts";
import type { Runner } from "./contract.ts";
import { createHttpRunner, type HttpRunnerOptions } from "./http.ts";
import { createInquirerRunner } from "./inquirer.ts";
import {
  createLocalShellCmdRunner,
  createLocalShellScriptRunner,
  type LocalShellOptions,
} from "./local-shell.ts";
import { createNodejsRunner, type NodejsRunnerOptions } from "./nodejs.ts";
import { createNoopRunner } from "./noop.ts";
import { createPythonScriptRunner, type PythonScriptRunnerOptions } from "./python-script.ts";
import {
  createRemoteShellCmdRunner,
  createRemoteShellScriptRunner,
  type RemoteShellOptions,
} from "./remote-shell.ts";

export class UnknownRunnerError extends NotFoundError {
  override readonly code: string = "unknown_runner";
  constructor(
    readonly runnerName: string,
    readonly available: readonly string[],
  ) {
    super(`no runner named "${runnerName}" (available: ${available.join(", ")})`);
  }
}

export interface RunnerRegistryOptions {
  localShell?: LocalShellOptions;
  http?: HttpRunnerOptions;
  remoteShell?: RemoteShellOptions;
  python?: PythonScriptRunnerOptions;
  nodejs?: NodejsRunnerOptions;
}

export function createRunnerRegistry(options: RunnerRegistryOptions = {}): Map<string, Runner> {
  const runners = [
    createLocalShellCmdRunner(options.localShell),
    createLocalShellScriptRunner(options.localShell),
    createHttpRunner(options.http),
    createRemoteShellCmdRunner(options.remoteShell),
    createRemoteShellScriptRunner(options.remoteShell),
    createNoopRunner(),
    createPythonScriptRunner(options.python),
    createNodejsRunner(options.nodejs),
    createInquirerRunner(),
  ];
  return new Map(runners.map((r) => [r.name, r]));
}

/** The runner for `name`, or UnknownRunnerError listing the ones that exist. */
export function getRunner(registry: ReadonlyMap<string, Runner>, name: string): Runner {
  const runner = registry.get(name);
  if (!runner) throw new UnknownRunnerError(name, [...registry.keys()].sort());
  return runner;
}
