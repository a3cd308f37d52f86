/**
 * `squall action list|get|create|update|delete|enable|disable`: st2's `st2 action`. (Running
 * is `squall run`; runner types are in runner.ts.)
 */

import type { Command } from "commander";
import type { ActionDef } from "../../core/content/model.ts";
import { renderData, renderRecord, renderTable, type TableColumn } from "../format.ts";
import { type ResourceSpec, registerResourceCommands } from "../resource.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";

const ACTION_COLUMNS: ReadonlyArray<TableColumn<ActionDef>> = [
  { header: "ref", value: (a) => a.ref },
  { header: "pack", value: (a) => a.pack },
  { header: "description", value: (a) => a.description, maxWidth: 60, flex: true },
];

/** st2's `st2 action get` order, plus the metadata file so a definition is easy to find. */
const ACTION_ATTRIBUTES = [
  "ref",
  "uid",
  "pack",
  "name",
  "description",
  "enabled",
  "runner_type",
  "entry_point",
  "metadata_file",
  "parameters",
  "output_schema",
  "notify",
  "tags",
];

/** For the writes, which share st2's generic resource commands. */
const ACTION: ResourceSpec = {
  kind: "action",
  plural: "actions",
  path: "/api/v1/actions",
  idName: "ref",
  columns: [],
  attributes: ACTION_ATTRIBUTES,
};

export function registerActionCommands(program: Command, runtime: CliRuntime): void {
  const action = program.command("action").description("Browse and manage actions.");

  action
    .command("list")
    .description("List actions.")
    .option("-p, --pack <pack>", "only actions of this pack")
    .action(async (options: { pack?: string }, command: Command) => {
      await runCommand(runtime, command, (ctx) => listActions(ctx, options.pack));
    });

  action
    .command("get")
    .description("Show one action with its parameters.")
    .argument("<ref>", "action reference, pack.name")
    .action(async (ref: string, _options: unknown, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const found = await ctx.client.getAction(ref);
        const data = renderData(ctx.format, found);
        const present = ACTION_ATTRIBUTES.filter((attr) => attr in found);
        ctx.print(data ?? renderRecord(found, present));
        return 0;
      });
    });

  registerResourceCommands(action, runtime, ACTION, [
    "create",
    "update",
    "delete",
    "enable",
    "disable",
  ]);
}

async function listActions(ctx: CommandContext, pack: string | undefined): Promise<number> {
  const actions = await ctx.client.listActions(pack);
  const data = renderData(ctx.format, actions);
  if (data !== undefined) {
    ctx.print(data);
  } else if (actions.length === 0) {
    ctx.note(
      pack === undefined
        ? "No actions are registered. Load packs with `squall pack register`."
        : `Pack "${pack}" has no actions. See \`squall pack list\`.`,
    );
  } else {
    ctx.print(renderTable(ACTION_COLUMNS, actions, ctx.io.columns));
  }
  return 0;
}
