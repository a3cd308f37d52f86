/**
 * `squall action-alias list|get|create|update|delete|match|execute`: st2's `st2 action-alias`
 * (ChatOps aliases). `match` asks which alias a command would run; `execute` runs it.
 */

import type { Command } from "commander";
import { renderData, renderRecord, renderTable } from "../format.ts";
import { type Resource, type ResourceSpec, registerResourceCommands } from "../resource.ts";
import { type CliRuntime, runCommand } from "../runtime.ts";

export const ACTION_ALIAS: ResourceSpec = {
  kind: "action alias",
  plural: "action aliases",
  path: "/api/v1/actionalias",
  idName: "ref",
  columns: [
    { header: "ref", value: (a) => a.ref },
    { header: "pack", value: (a) => a.pack },
    { header: "description", value: (a) => a.description, maxWidth: 60, flex: true },
    { header: "enabled", value: (a) => a.enabled },
  ],
  attributes: [
    "id",
    "ref",
    "pack",
    "name",
    "description",
    "enabled",
    "action_ref",
    "formats",
    "ack",
    "result",
  ],
  filters: [{ flag: "pack", query: "pack", help: "only aliases of this pack" }],
  emptyHint: "No action aliases found. Aliases come with packs (aliases/*.yaml).",
};

export function registerActionAliasCommands(program: Command, runtime: CliRuntime): void {
  const alias = program.command("action-alias").description("Manage ChatOps action aliases.");
  registerResourceCommands(alias, runtime, ACTION_ALIAS, [
    "list",
    "get",
    "create",
    "update",
    "delete",
  ]);

  alias
    .command("match")
    .description("Show which alias (and format) a chat command matches.")
    .argument("<command>", 'the command text, e.g. "run date on localhost"')
    .action(async (text: string, _options: unknown, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const res = await ctx.client.request(
          "POST",
          "/api/v1/actionalias/match",
          {},
          {
            command: text,
          },
        );
        const match = res.json as {
          actionalias?: Resource;
          display?: string;
          representation?: string;
        };
        const data = renderData(ctx.format, match);
        if (data !== undefined) ctx.print(data);
        else
          ctx.print(
            renderTable(
              [
                { header: "name", value: (m: typeof match) => m.actionalias?.name },
                { header: "description", value: (m) => m.actionalias?.description, flex: true },
              ],
              [match],
              ctx.io.columns,
            ),
          );
        return 0;
      });
    });

  alias
    .command("execute")
    .description("Run the action a chat command matches, as a chat bot would.")
    .argument("<command>", "the command text")
    .option("-u, --user <user>", "the chat user to run it as")
    .action(async (text: string, options: { user?: string }, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const body = {
          command: text,
          source_channel: "cli",
          ...(options.user !== undefined ? { user: options.user } : {}),
        };
        const res = await ctx.client.request(
          "POST",
          "/api/v1/aliasexecution/match_and_execute",
          {},
          body,
        );
        const result = res.json as {
          results?: Array<{ execution?: Resource; message?: unknown }>;
        };
        const data = renderData(ctx.format, result);
        if (data !== undefined) {
          ctx.print(data);
          return 0;
        }
        for (const r of result.results ?? []) {
          const id = r.execution?.id;
          // The alias's acknowledgement, as a chat bot would post it.
          if (typeof r.message === "string" && r.message !== "") ctx.print(r.message);
          ctx.print(renderRecord(r.execution ?? {}, ["id", "action.ref", "status"]));
          if (id !== undefined)
            ctx.print(`\nTo get the results, execute:\n squall execution get ${String(id)}`);
        }
        return 0;
      });
    });
}
