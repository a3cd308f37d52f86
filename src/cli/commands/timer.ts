/** `squall timer list|get`: the interval, date and cron timers enabled rules have created. */

import type { Command } from "commander";
import { ValidationError } from "../../core/errors.ts";
import type { TriggerDef } from "../../core/reactor/model.ts";
import { TIMER_TRIGGER_TYPES } from "../../core/reactor/system-triggers.ts";
import { renderData, renderRecord, renderTable, type TableColumn } from "../format.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";

const COLUMNS: ReadonlyArray<TableColumn<TriggerDef>> = [
  { header: "id", value: (t) => t.id },
  { header: "pack", value: (t) => t.pack },
  { header: "name", value: (t) => t.name },
  { header: "type", value: (t) => t.type },
  { header: "parameters", value: (t) => t.parameters, maxWidth: 60, flex: true },
];

const ATTRIBUTES = ["id", "ref", "uid", "type", "pack", "name", "description", "parameters"];

/** `--timer-type` as a trigger type ref; the short names (IntervalTimer, ...) are accepted too. */
export function timerTypeOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const found = TIMER_TRIGGER_TYPES.find((t) => t === raw || t === `core.st2.${raw}`);
  if (!found)
    throw new ValidationError(
      `--timer-type must be one of ${TIMER_TRIGGER_TYPES.join(", ")}; got "${raw}"`,
      { field: "--timer-type" },
    );
  return found;
}

export function registerTimerCommands(program: Command, runtime: CliRuntime): void {
  const run = (command: Command, body: (ctx: CommandContext) => Promise<number>) =>
    runCommand(runtime, command, body);
  const timer = program.command("timer").description("Browse timers.");

  timer
    .command("list")
    .description("List timers.")
    .option("--timer-type <type>", "only timers of this type (e.g. core.st2.CronTimer)")
    .action(async (options: { timerType?: string }, command: Command) => {
      await run(command, async (ctx) => {
        const timers = await ctx.client.listAll<TriggerDef>("/api/v1/timers", {
          timer_type: timerTypeOf(options.timerType),
        });
        const data = renderData(ctx.format, timers);
        if (data !== undefined) ctx.print(data);
        else if (timers.length === 0)
          ctx.note("No timers. Enable a rule on core.st2.IntervalTimer, DateTimer or CronTimer.");
        else ctx.print(renderTable(COLUMNS, timers, ctx.io.columns));
        return 0;
      });
    });

  timer
    .command("get")
    .description("Show one timer.")
    .argument("<ref>", "timer (trigger) reference or id")
    .action(async (ref: string, _options: unknown, command: Command) => {
      await run(command, async (ctx) => {
        const found = await ctx.client.getOne<TriggerDef>(
          "timer",
          ref,
          `/api/v1/timers/${encodeURIComponent(ref)}`,
        );
        const present = ATTRIBUTES.filter((attr) => attr in found);
        ctx.print(renderData(ctx.format, found) ?? renderRecord(found, present));
        return 0;
      });
    });
}
