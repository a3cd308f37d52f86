/**
 * The runners this node can run, by StackStorm runner name. Actions naming any other runner fail
 * with UnknownRunnerError rather than being silently skipped.
 */

import { NotFoundError } from "../../core/errors.ts";
import type { Runner } from "./contract.ts";
import { createHttpRunner, type HttpRunnerOptions } from "./http.ts";
import {
  createLocalShellCmdRunner,
  createLocalShellScriptRunner,
  type LocalShellOptions,
} from "./local-shell.ts";
import { createNoopRunner } from "./noop.ts";
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
}

export function createRunnerRegistry(options: RunnerRegistryOptions = {}): Map<string, Runner> {
  const runners = [
    createLocalShellCmdRunner(options.localShell),
    createLocalShellScriptRunner(options.localShell),
    createHttpRunner(options.http),
    createRemoteShellCmdRunner(options.remoteShell),
    createRemoteShellScriptRunner(options.remoteShell),
    createNoopRunner(),
  ];
  return new Map(runners.map((r) => [r.name, r]));
}

/** The runner for `name`, or UnknownRunnerError listing the ones that exist. */
export function getRunner(registry: ReadonlyMap<string, Runner>, name: string): Runner {
  const runner = registry.get(name);
  if (!runner) throw new UnknownRunnerError(name, [...registry.keys()].sort());
  return runner;
}
