/**
 * `squall run <ref> [name=value ...]`: st2's `st2 run`.
 *
 * Waiting for the result polls GET /executions/{id} with a backoff from 50 ms to 500 ms rather
 * than following the event stream: the record printed at the end is then always the stored one,
 * polling survives proxies that buffer or cut event streams, and a quick action finishes after
 * one or two cheap requests. `--tail` follows the stream instead, for people who want the output
 * as it is produced.
 */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { ValidationError } from "../../core/errors.ts";
import type { Execution } from "../../core/execution/model.ts";
import type { ExecutionRequest } from "../client.ts";
import { exitCodeFor, printExecution, RUN_ATTRIBUTES, stopsWaiting } from "../execution-view.ts";
import { parseRunArguments } from "../params.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";
import { startSpinner } from "../spinner.ts";
import { followExecution } from "../tail.ts";

export interface RunOptions {
  async?: boolean;
  tail?: boolean;
  traceTag?: string;
  delay?: string;
}

const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 500;

export function registerRunCommand(program: Command, runtime: CliRuntime): void {
  program
    .command("run")
    .description("Run an action and print its result (like `st2 run`).")
    .argument("<ref>", "action reference, pack.name")
    .argument(
      "[parameters...]",
      "name=value pairs; @name=path reads the value from a file; bare words after them form `cmd`",
    )
    .option("-a, --async", "do not wait for the execution to finish")
    .option("--tail", "print the action's output live while waiting")
    .option("--trace-tag <tag>", "trace tag to attach to the execution")
    .option("--delay <ms>", "wait this many milliseconds before scheduling")
    .addHelpText(
      "after",
      "\nValues are cast by the parameter's type: integer, number, boolean (true/false), object\n" +
        "(JSON or k1=v1,k2=v2), array (JSON or comma-separated; repeat the name to add items).\n" +
        "Put `--` before arguments that start with a dash: squall run core.local -- ls -la",
    )
    .action(async (ref: string, parameters: string[], options: RunOptions, command: Command) => {
      await runCommand(runtime, command, (ctx) => runAction(ctx, ref, parameters, options));
    });
}

export async function runAction(
  ctx: CommandContext,
  ref: string,
  args: string[],
  options: RunOptions,
): Promise<number> {
  const request: ExecutionRequest = { action: ref };
  if (options.delay !== undefined) request.delay = parseDelay(options.delay);
  if (options.traceTag !== undefined) {
    request.context = { trace_context: { trace_tag: options.traceTag } };
  }

  const action = await ctx.client.getAction(ref);
  const runners = await ctx.client.listRunnerTypes();
  const runner = runners.find((r) => r.name === action.runner_type);
  if (runner === undefined) {
    throw new ValidationError(
      `Action ${ref} uses runner "${action.runner_type}", which this server does not have. ` +
        "See `squall runner list`.",
      { field: "runner_type" },
    );
  }
  request.parameters = parseRunArguments(args, action, runner, (path) =>
    readFileSync(resolve(ctx.io.cwd, path), "utf8"),
  );

  let execution = await ctx.client.createExecution(request);
  if (options.async) {
    printExecution(ctx, execution, RUN_ATTRIBUTES);
    if (ctx.format === "table") {
      ctx.print(
        `\nTo get the results, execute:\n squall execution get ${execution.id}\n\n` +
          `To view output in real-time, execute:\n squall execution tail ${execution.id}`,
      );
    }
    return 0;
  }

  if (options.tail) {
    // Keep stdout a single JSON/YAML document when one was asked for.
    const live = ctx.format === "table" ? ctx.io.out : ctx.io.err;
    execution = await followExecution(ctx.client, execution.id, {
      onChunk: (chunk) => (chunk.output_type === "stderr" ? ctx.io.err : live)(chunk.data),
    });
    if (ctx.format === "table") ctx.print("");
  }
  execution = await waitForExecution(ctx, execution);
  printExecution(ctx, execution, RUN_ATTRIBUTES);
  if (ctx.format === "table" && (execution.status === "pending" || execution.status === "paused")) {
    ctx.note(
      `Execution ${execution.id} is ${execution.status} and needs someone to act on it; ` +
        `check it later with \`squall execution get ${execution.id}\`.`,
    );
  }
  return exitCodeFor(execution);
}

async function waitForExecution(ctx: CommandContext, first: Execution): Promise<Execution> {
  let execution = first;
  if (stopsWaiting(execution.status)) return execution;
  let delay = FIRST_POLL_MS;
  // Drawn on stderr and only on a terminal (see spinner.ts), so scripts and tests see nothing.
  const spinner = startSpinner(
    ctx.io,
    `Waiting for execution ${execution.id} (${execution.status})`,
  );
  const started = Date.now();
  try {
    while (!stopsWaiting(execution.status)) {
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, MAX_POLL_MS);
      execution = await ctx.client.getExecution(execution.id);
      const seconds = Math.round((Date.now() - started) / 1000);
      spinner.update(`Waiting for execution ${execution.id} (${execution.status}, ${seconds}s)`);
    }
  } finally {
    spinner.stop();
  }
  return execution;
}

function parseDelay(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) {
    throw new ValidationError(`--delay expects a whole number of milliseconds, got "${raw}"`, {
      field: "--delay",
    });
  }
  return n;
}
