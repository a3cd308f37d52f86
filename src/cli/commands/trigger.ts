/**
 * `squall trigger list|get` (trigger types, as `st2 trigger` lists them) and
 * `squall trigger-instance list|get|re-emit`.
 */

import type { Command } from "commander";
import type { TriggerTypeDef } from "../../core/content/model.ts";
import { ValidationError } from "../../core/errors.ts";
import { TRIGGER_INSTANCE_STATUSES, type TriggerInstance } from "../../core/reactor/model.ts";
import { renderData, renderRecord, renderTable, type TableColumn } from "../format.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";
import { addLastOption, listRecent, noteIfMore, parseLast } from "./recent-list.ts";

const TYPE_COLUMNS: ReadonlyArray<TableColumn<TriggerTypeDef>> = [
  { header: "ref", value: (t) => t.ref },
  { header: "pack", value: (t) => t.pack },
  { header: "description", value: (t) => t.description, maxWidth: 60, flex: true },
];

const TYPE_ATTRIBUTES = [
  "ref",
  "uid",
  "pack",
  "name",
  "description",
  "parameters_schema",
  "payload_schema",
  "tags",
  "metadata_file",
];

const INSTANCE_COLUMNS: ReadonlyArray<TableColumn<TriggerInstance>> = [
  { header: "id", value: (i) => i.id },
  { header: "trigger", value: (i) => i.trigger },
  { header: "occurrence_time", value: (i) => i.occurrence_time },
  { header: "status", value: (i) => i.status },
];

const INSTANCE_ATTRIBUTES = [
  "id",
  "trigger",
  "occurrence_time",
  "status",
  "error",
  "trace_tag",
  "payload",
];

/** The answer to POST /triggerinstances/:id/re_emit. */
export interface ReEmitResult {
  message: string;
  payload: Record<string, unknown>;
  trigger_instances?: string[];
  trace_tag?: string;
}

interface InstanceListOptions {
  last: string;
  trigger?: string;
  status?: string;
  timestampGt?: string;
  timestampLt?: string;
}

/** The query for `trigger-instance list`; a bad status or timestamp is refused before asking. */
export function instanceListQuery(
  options: InstanceListOptions,
): Record<string, string | undefined> {
  if (
    options.status !== undefined &&
    !(TRIGGER_INSTANCE_STATUSES as readonly string[]).includes(options.status)
  )
    throw new ValidationError(
      `--status must be one of ${TRIGGER_INSTANCE_STATUSES.join(", ")}; got "${options.status}"`,
      { field: "--status" },
    );
  for (const [flag, value] of [
    ["--timestamp-gt", options.timestampGt],
    ["--timestamp-lt", options.timestampLt],
  ] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value)))
      throw new ValidationError(
        `${flag} expects an ISO-8601 time such as 2024-01-31T12:00:00Z, got "${value}"`,
        {
          field: flag,
        },
      );
  }
  return {
    trigger: options.trigger,
    status: options.status,
    timestamp_gt: options.timestampGt,
    timestamp_lt: options.timestampLt,
  };
}

export function registerTriggerCommands(program: Command, runtime: CliRuntime): void {
  const run = (command: Command, body: (ctx: CommandContext) => Promise<number>) =>
    runCommand(runtime, command, body);

  const trigger = program.command("trigger").description("Browse trigger types.");
  trigger
    .command("list")
    .description("List trigger types.")
    .option("-p, --pack <pack>", "only trigger types of this pack")
    .action(async (options: { pack?: string }, command: Command) => {
      await run(command, async (ctx) => {
        const types = await ctx.client.listAll<TriggerTypeDef>("/api/v1/triggertypes", {
          pack: options.pack,
        });
        const data = renderData(ctx.format, types);
        if (data !== undefined) ctx.print(data);
        else if (types.length === 0) ctx.note("No trigger types found.");
        else ctx.print(renderTable(TYPE_COLUMNS, types, ctx.io.columns));
        return 0;
      });
    });

  trigger
    .command("get")
    .description("Show one trigger type with its parameter and payload schemas.")
    .argument("<ref>", "trigger type reference, pack.name")
    .action(async (ref: string, _options: unknown, command: Command) => {
      await run(command, async (ctx) => {
        const found = await ctx.client.getOne<TriggerTypeDef>(
          "trigger",
          ref,
          `/api/v1/triggertypes/${encodeURIComponent(ref)}`,
        );
        const present = TYPE_ATTRIBUTES.filter((attr) => attr in found);
        ctx.print(renderData(ctx.format, found) ?? renderRecord(found, present));
        return 0;
      });
    });

  const instance = program
    .command("trigger-instance")
    .description("Inspect and re-emit trigger instances (events).");

  addLastOption(
    instance
      .command("list")
      .description("List the most recent trigger instances.")
      .option("--trigger <ref>", "only instances of this trigger")
      .option(
        "--status <status>",
        `only instances in this status (${TRIGGER_INSTANCE_STATUSES.join(", ")})`,
      )
      .option("--timestamp-gt <time>", "only instances that occurred after this time")
      .option("--timestamp-lt <time>", "only instances that occurred before this time"),
  ).action(async (options: InstanceListOptions, command: Command) => {
    await run(command, async (ctx) => {
      const query = instanceListQuery(options);
      const page = await listRecent<TriggerInstance>(
        ctx,
        "/api/v1/triggerinstances",
        query,
        parseLast(options.last),
      );
      const data = renderData(ctx.format, page.items);
      if (data !== undefined) ctx.print(data);
      else if (page.items.length === 0) ctx.note("No trigger instances found.");
      else {
        ctx.print(renderTable(INSTANCE_COLUMNS, page.items, ctx.io.columns));
        noteIfMore(ctx, page, "trigger instances");
      }
      return 0;
    });
  });

  instance
    .command("get")
    .description("Show one trigger instance with its payload.")
    .argument("<id>", "trigger instance id")
    .action(async (id: string, _options: unknown, command: Command) => {
      await run(command, async (ctx) => {
        const found = await ctx.client.getOne<TriggerInstance>(
          "trigger instance",
          id,
          `/api/v1/triggerinstances/${encodeURIComponent(id)}`,
        );
        const present = INSTANCE_ATTRIBUTES.filter(
          (attr) => attr in found && (attr !== "error" || found.error),
        );
        ctx.print(renderData(ctx.format, found) ?? renderRecord(found, present));
        return 0;
      });
    });

  instance
    .command("re-emit")
    .description("Dispatch a trigger instance's payload again, to the same trigger.")
    .argument("<id>", "trigger instance id")
    .action(async (id: string, _options: unknown, command: Command) => {
      await run(command, async (ctx) => {
        // A GET first, so an unknown id gets the "not found, see list" explanation.
        await ctx.client.getOne(
          "trigger instance",
          id,
          `/api/v1/triggerinstances/${encodeURIComponent(id)}`,
        );
        const res = await ctx.client.request(
          "POST",
          `/api/v1/triggerinstances/${encodeURIComponent(id)}/re_emit`,
          {},
        );
        const result = res.json as ReEmitResult;
        const data = renderData(ctx.format, result);
        if (data !== undefined) ctx.print(data);
        else {
          ctx.print(result.message);
          for (const created of result.trigger_instances ?? [])
            ctx.print(
              `New trigger instance: ${created}${result.trace_tag ? ` (trace tag ${result.trace_tag})` : ""}`,
            );
        }
        return 0;
      });
    });
}
