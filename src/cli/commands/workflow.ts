/**
 * `squall workflow rehearse|inspect`: checks Orquesta workflows locally, with no server.
 * - `rehearse -p <base> (-f <spec> | -d <dir>)` runs orquesta-rehearse test specs (the format of
 *   orquesta/rehearsing.py) against the conductor: `PASS <file>` / `FAIL <file>: <reason>` per
 *   spec, then `N passed, M failed`; exit 1 on any failure.
 * - `inspect <file>` lists what is wrong with a definition before it runs; exit 1 if anything is.
 */

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { flattenInspection, inspectWorkflow } from "../../core/workflow/orquesta/inspect.ts";
import {
  type RehearsalOutcome,
  rehearseSpecFile,
} from "../../core/workflow/orquesta/rehearsal-spec.ts";
import type { CliRuntime } from "../runtime.ts";

/** StackStorm's API inspects with the `st2` context its runner provides; so does the CLI. */
const APP_CONTEXT = ["st2"];

class UsageError extends Error {}

/** A spec path as orquesta-rehearse takes it: under the base path, else as given. */
function locate(base: string, cwd: string, path: string): string {
  if (isAbsolute(path)) return path;
  const underBase = resolve(base, path);
  return existsSync(underBase) ? underBase : resolve(cwd, path);
}

function specFiles(base: string, cwd: string, opts: RehearseOptions): string[] {
  if ((opts.testSpec === undefined) === (opts.testSpecDir === undefined)) {
    throw new UsageError("give exactly one of -f <spec> or -d <spec dir>");
  }
  if (opts.testSpec !== undefined) {
    const file = locate(base, cwd, opts.testSpec);
    if (!existsSync(file)) throw new UsageError(`no such test spec: ${opts.testSpec}`);
    return [file];
  }
  const dir = locate(base, cwd, opts.testSpecDir as string);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`no such test spec directory: ${opts.testSpecDir}`);
  }
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
  if (files.length === 0) throw new UsageError(`no .yaml test specs in ${opts.testSpecDir}`);
  return files;
}

interface RehearseOptions {
  basePath: string;
  testSpec?: string;
  testSpecDir?: string;
}

function rehearseFile(base: string, cwd: string, file: string): RehearsalOutcome {
  // Named as under the base path, like the paths inside the specs; else as from here.
  const fromBase = relative(base, file);
  const shown = fromBase.startsWith("..") || isAbsolute(fromBase) ? relative(cwd, file) : fromBase;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { file: shown, passed: false, differences: [(e as Error).message] };
  }
  return rehearseSpecFile(shown, text, (path) => readFileSync(resolve(base, path), "utf8"));
}

function runRehearse(runtime: CliRuntime, opts: RehearseOptions): number {
  const { cwd } = runtime.io;
  const base = resolve(cwd, opts.basePath);
  if (!existsSync(base) || !statSync(base).isDirectory()) {
    throw new UsageError(`no such base path: ${opts.basePath}`);
  }
  let passed = 0;
  let failed = 0;
  for (const file of specFiles(base, cwd, opts)) {
    const outcome = rehearseFile(base, cwd, file);
    if (outcome.passed) {
      passed++;
      runtime.io.out(`PASS ${outcome.file}\n`);
    } else {
      failed++;
      runtime.io.out(`FAIL ${outcome.file}: ${outcome.differences.join("; ")}\n`);
    }
  }
  runtime.io.out(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

function runInspect(runtime: CliRuntime, path: string, json: boolean): number {
  let text: string;
  try {
    text = readFileSync(resolve(runtime.io.cwd, path), "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const errors = flattenInspection(inspectWorkflow(text, { appContext: APP_CONTEXT }));
  if (json) runtime.io.out(`${JSON.stringify(errors, null, 2)}\n`);
  else if (errors.length === 0) runtime.io.out(`${path}: no errors\n`);
  else {
    for (const e of errors) {
      const where = [e.task_name ? `task ${e.task_name}` : null, e.spec_path ?? null]
        .filter((x) => x !== null)
        .join(" at ");
      runtime.io.out(`${e.type} error${where ? ` (${where})` : ""}: ${e.message}\n`);
    }
    runtime.io.out(`${errors.length} error${errors.length === 1 ? "" : "s"} in ${path}\n`);
  }
  return errors.length > 0 ? 1 : 0;
}

/** Reports a bad definition or bad usage as one `ERROR:` line, exit 1, instead of a crash. */
function guarded(runtime: CliRuntime, body: () => number): void {
  try {
    runtime.exitCode = body();
  } catch (e) {
    runtime.io.err(`ERROR: ${e instanceof Error ? e.message : String(e)}\n`);
    runtime.exitCode = 1;
  }
}

export function registerWorkflowCommands(program: Command, runtime: CliRuntime): void {
  const workflow = program
    .command("workflow")
    .description("Check Orquesta workflows locally: rehearse test specs, inspect definitions");
  workflow
    .command("rehearse")
    .description("Run orquesta-rehearse test specs against mocked actions (no server needed)")
    .requiredOption(
      "-p, --base-path <dir>",
      "directory the specs' workflow and result paths are in",
    )
    .option("-f, --test-spec <file>", "one test spec (relative to the base path, or as given)")
    .option("-d, --test-spec-dir <dir>", "a directory of test specs (*.yaml, *.yml)")
    .action((opts: RehearseOptions) => guarded(runtime, () => runRehearse(runtime, opts)));
  workflow
    .command("inspect <file>")
    .description("List the errors in an Orquesta workflow definition, with task and path")
    .action((file: string, _opts: unknown, command: Command) => {
      const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
      guarded(runtime, () => runInspect(runtime, file, json));
    });
}
