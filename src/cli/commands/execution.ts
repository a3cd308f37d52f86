/**
 * `squall execution list|get|cancel|tail|pause|resume|re-run`: st2's `st2 execution` commands.
 */

import type { Command } from "commander";
import { ValidationError } from "../../core/errors.ts";
import type { Execution, OutputChunk } from "../../core/execution/model.ts";
import { EXECUTION_STATUSES, isExecutionStatus } from "../../core/execution/status.ts";
import {
  exitCodeFor,
  GET_ATTRIBUTES,
  printExecution,
  printExecutionTable,
} from "../execution-view.ts";
import { renderData, toYaml } from "../format.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";
import { followExecution, OUTPUT_EVENT, UPDATE_EVENT } from "../tail.ts";
import { followWorkflow, LinePrefixer, WORKFLOW_RUNNERS } from "../workflow-tail.ts";

const DEFAULT_LIST_SIZE = 50;
/** The server's page ceiling; `-n 0` ("all") walks pages of this size. */
const PAGE_SIZE = 100;

export function registerExecutionCommands(program: Command, runtime: CliRuntime): void {
  const execution = program.command("execution").description("Inspect and control executions.");

  execution
    .command("list")
    .description(`List the most recent executions (${DEFAULT_LIST_SIZE} unless -n says otherwise).`)
    .option("-n, --last <n>", "how many to list; 0 lists all", String(DEFAULT_LIST_SIZE))
    .option("--action <ref>", "only executions of this action")
    .option(
      "--status <status>",
      `only executions in this status (${EXECUTION_STATUSES.join(", ")})`,
    )
    .action(async (options: ListOptions, command: Command) => {
      await runCommand(runtime, command, (ctx) => listExecutions(ctx, options));
    });

  execution
    .command("get")
    .description("Show executions in full: parameters, status history and result.")
    .argument("<ids...>", "execution ids")
    .action(async (ids: string[], _options: unknown, command: Command) => {
      await runCommand(runtime, command, (ctx) => getExecutions(ctx, ids));
    });

  execution
    .command("cancel")
    .description("Ask the server to cancel executions.")
    .argument("<ids...>", "execution ids")
    .action(async (ids: string[], _options: unknown, command: Command) => {
      await runCommand(runtime, command, (ctx) => cancelExecutions(ctx, ids));
    });

  registerWorkflowControl(execution, runtime);

  execution
    .command("tail")
    .description(
      "Print an execution's output live until it finishes; the exit code is 0 only if it succeeded.",
    )
    .argument("[id]", 'execution id, or "last" for the most recent one', "last")
    .option("--type <type>", "only this output: stdout or stderr")
    .action(async (id: string, options: TailOptions, command: Command) => {
      await runCommand(runtime, command, (ctx) => tailExecution(ctx, id, options));
    });
}

interface ListOptions {
  last: string;
  action?: string;
  status?: string;
}

async function listExecutions(ctx: CommandContext, options: ListOptions): Promise<number> {
  const last = Number(options.last);
  if (!/^\d+$/.test(options.last.trim()) || !Number.isSafeInteger(last)) {
    throw new ValidationError(`-n expects a whole number, got "${options.last}"`, { field: "-n" });
  }
  if (options.status !== undefined && !isExecutionStatus(options.status)) {
    throw new ValidationError(
      `--status must be one of ${EXECUTION_STATUSES.join(", ")}; got "${options.status}"`,
      { field: "--status" },
    );
  }
  const filter = { action: options.action, status: options.status };
  const executions: Execution[] = [];
  let total: number | undefined;
  for (;;) {
    const want = last === 0 ? PAGE_SIZE : Math.min(PAGE_SIZE, last - executions.length);
    const page = await ctx.client.listExecutions({
      ...filter,
      limit: want,
      offset: executions.length,
    });
    total = page.total;
    executions.push(...page.items);
    const done =
      page.items.length < want ||
      (last !== 0 && executions.length >= last) ||
      (total !== undefined && executions.length >= total);
    if (done) break;
  }

  const data = renderData(ctx.format, executions);
  if (data !== undefined) {
    ctx.print(data);
    return 0;
  }
  if (executions.length === 0) {
    ctx.note("No executions found. Start one with `squall run <pack.action>`.");
    return 0;
  }
  printExecutionTable(ctx, executions);
  if (total !== undefined && total > executions.length) {
    ctx.note(
      `Note: only the ${executions.length} most recent of ${total} executions are shown. Use -n to see more (0 for all).`,
    );
  }
  return 0;
}

async function getExecutions(ctx: CommandContext, ids: string[]): Promise<number> {
  const executions: Execution[] = [];
  for (const id of ids) executions.push(await ctx.client.getExecution(id));
  if (ctx.format !== "table") {
    // One id gives one object, as `st2 execution get --json` does; several give a list.
    ctx.print(renderData(ctx.format, executions.length === 1 ? executions[0] : executions) ?? "");
    return 0;
  }
  executions.forEach((execution, i) => {
    if (i > 0) ctx.print("");
    printExecution(ctx, execution, GET_ATTRIBUTES);
  });
  return 0;
}

async function cancelExecutions(ctx: CommandContext, ids: string[]): Promise<number> {
  const results: Execution[] = [];
  for (const id of ids) {
    const execution = await ctx.client.cancelExecution(id);
    results.push(execution);
    if (ctx.format === "table") {
      ctx.print(
        `Cancellation requested for execution ${execution.id} (status: ${execution.status}).`,
      );
    }
  }
  if (ctx.format !== "table") {
    ctx.print(renderData(ctx.format, results.length === 1 ? results[0] : results) ?? "");
  }
  return 0;
}

interface TailOptions {
  type?: string;
}

async function tailExecution(
  ctx: CommandContext,
  idArg: string,
  options: TailOptions,
): Promise<number> {
  if (options.type !== undefined && options.type !== "stdout" && options.type !== "stderr") {
    throw new ValidationError(`--type must be stdout or stderr, got "${options.type}"`, {
      field: "--type",
    });
  }
  const id = idArg === "last" ? await lastExecutionId(ctx) : idArg;
  if (id === undefined) {
    ctx.note("No executions found. Start one with `squall run <pack.action>`.");
    return 0;
  }

  const root = await ctx.client.getExecution(id);
  const execution = WORKFLOW_RUNNERS.has(root.action.runner_type)
    ? await tailWorkflow(ctx, id, options)
    : await followExecution(ctx.client, id, {
        onChunk: (chunk: OutputChunk) => {
          if (options.type !== undefined && chunk.output_type !== options.type) return;
          if (ctx.format === "table")
            (chunk.output_type === "stderr" ? ctx.io.err : ctx.io.out)(chunk.data);
          else printStreamEvent(ctx, OUTPUT_EVENT, chunk);
        },
      });
  if (ctx.format === "table") {
    ctx.note(`\nExecution ${execution.id} has completed (status=${execution.status}).`);
  } else {
    printStreamEvent(ctx, UPDATE_EVENT, execution);
  }
  return exitCodeFor(execution);
}

/**
 * A workflow's tail, as st2 prints it: each task's start and end announced, its output lines
 * marked with the task's name.
 */
function tailWorkflow(ctx: CommandContext, id: string, options: TailOptions): Promise<Execution> {
  const prefixer = new LinePrefixer();
  const table = ctx.format === "table";
  return followWorkflow(ctx.client, id, {
    onChunk(chunk, task) {
      if (!table || (options.type !== undefined && chunk.output_type !== options.type)) return;
      const text =
        task === null ? chunk.data : prefixer.prefix(chunk.execution_id, task, chunk.data);
      (chunk.output_type === "stderr" ? ctx.io.err : ctx.io.out)(text);
    },
    onChildStarted(child, task) {
      if (table) ctx.io.out(`Child execution (task=${task}) ${child.id} has started.\n`);
    },
    onChildFinished(child, task) {
      if (table)
        ctx.io.out(
          `Child execution (task=${task}) ${child.id} has finished (status=${child.status}).\n`,
        );
    },
    onEvent(event, data) {
      // The workflow's own completing update is printed once, by the caller.
      if (table || (event !== OUTPUT_EVENT && (data as Execution).id === id)) return;
      const chunk = data as OutputChunk;
      if (
        event === OUTPUT_EVENT &&
        options.type !== undefined &&
        chunk.output_type !== options.type
      )
        return;
      printStreamEvent(ctx, event, data);
    },
  });
}

/** Machine-readable tail output: one JSON line, or one YAML document, per stream event. */
function printStreamEvent(ctx: CommandContext, event: string, data: unknown): void {
  if (ctx.format === "json") ctx.print(JSON.stringify({ event, data }));
  else ctx.print(`---\n${toYaml({ event, data }).trimEnd()}`);
}

async function lastExecutionId(ctx: CommandContext): Promise<string | undefined> {
  const page = await ctx.client.listExecutions({ limit: 1 });
  return page.items[0]?.id;
}

/** `pause`, `resume` and `re-run` (st2's ActionExecutionPauseCommand, …ResumeCommand, …ReRunCommand). */
function registerWorkflowControl(execution: Command, runtime: CliRuntime): void {
  execution
    .command("pause")
    .description("Pause workflow executions (they finish their running tasks first).")
    .argument("<ids...>", "execution ids")
    .action(async (ids: string[], _options: unknown, command: Command) => {
      await runCommand(runtime, command, (ctx) => setStatus(ctx, ids, "paused"));
    });

  execution
    .command("resume")
    .description("Resume paused workflow executions.")
    .argument("<ids...>", "execution ids")
    .action(async (ids: string[], _options: unknown, command: Command) => {
      await runCommand(runtime, command, (ctx) => setStatus(ctx, ids, "running"));
    });

  execution
    .command("re-run")
    .description(
      "Run an execution again; for an Orquesta workflow, --tasks continues it from those tasks.",
    )
    .argument("<id>", "execution id")
    .argument("[parameters...]", "parameters to change, as name=value")
    .option("--tasks <tasks...>", "workflow tasks to re-run (Orquesta only)")
    .option(
      "--no-reset <tasks...>",
      "of --tasks, the with-items tasks to re-run only failed items of",
    )
    .option("-p, --parameter <name=value>", "a parameter to change (repeatable)", collect, [])
    .option("--delay <ms>", "wait this many milliseconds before scheduling")
    .action(async (id: string, parameters: string[], options: ReRunOptions, command: Command) => {
      await runCommand(runtime, command, (ctx) => reRun(ctx, id, parameters, options));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function setStatus(
  ctx: CommandContext,
  ids: string[],
  status: "paused" | "running",
): Promise<number> {
  const results: Execution[] = [];
  for (const id of ids) {
    const res = await ctx.client.request(
      "PUT",
      `/api/v1/executions/${encodeURIComponent(id)}`,
      {},
      {
        status,
      },
    );
    const execution = res.json as Execution;
    results.push(execution);
    if (ctx.format === "table")
      printExecution(ctx, execution, [
        "id",
        "action.ref",
        "parameters",
        "status",
        "start_timestamp",
      ]);
  }
  if (ctx.format !== "table")
    ctx.print(renderData(ctx.format, results.length === 1 ? results[0] : results) ?? "");
  return 0;
}

interface ReRunOptions {
  tasks?: string[];
  /** commander's negated option: false when absent, the list when given. */
  reset?: string[] | boolean;
  parameter: string[];
  delay?: string;
}

async function reRun(
  ctx: CommandContext,
  id: string,
  positional: string[],
  options: ReRunOptions,
): Promise<number> {
  const noReset = Array.isArray(options.reset) ? options.reset : [];
  const tasks = options.tasks ?? [];
  const outside = noReset.filter((t) => !tasks.includes(t));
  if (outside.length > 0)
    throw new ValidationError(`--no-reset names tasks not in --tasks: ${outside.join(", ")}`, {
      field: "--no-reset",
    });
  const parameters: Record<string, unknown> = {};
  for (const pair of [...positional, ...options.parameter]) {
    const eq = pair.indexOf("=");
    if (eq <= 0)
      throw new ValidationError(`"${pair}" is not of the form name=value`, { field: pair });
    parameters[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  let delay: number | undefined;
  if (options.delay !== undefined) {
    delay = Number(options.delay);
    if (!Number.isInteger(delay) || delay < 0)
      throw new ValidationError(`--delay expects milliseconds, got "${options.delay}"`, {
        field: "--delay",
      });
  }
  const body = {
    parameters,
    ...(tasks.length > 0 ? { tasks, reset: tasks.filter((t) => !noReset.includes(t)) } : {}),
    ...(delay !== undefined ? { delay } : {}),
  };
  const res = await ctx.client.request(
    "POST",
    `/api/v1/executions/${encodeURIComponent(id)}/re_run`,
    {},
    body,
  );
  const execution = res.json as Execution;
  if (ctx.format !== "table") {
    ctx.print(renderData(ctx.format, execution) ?? "");
    return 0;
  }
  printExecution(ctx, execution, ["id", "action.ref", "parameters", "status", "start_timestamp"]);
  ctx.print(`\nTo get the results, execute:\n squall execution get ${execution.id}`);
  return 0;
}
