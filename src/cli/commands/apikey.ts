/**
 * `squall apikey list|get|create|delete|enable|disable` over /api/v1/apikeys. The key is
 * printed once, by `create`; the server keeps only its hash.
 */

import type { Command } from "commander";
import { ValidationError } from "../../core/errors.ts";
import { renderData, renderRecord, renderTable, type TableColumn } from "../format.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";

export interface ApiKeyView {
  id: string;
  user: string;
  key?: string;
  key_hash?: string;
  metadata?: Record<string, unknown>;
  created_at?: string;
  enabled: boolean;
}

const COLUMNS: ReadonlyArray<TableColumn<ApiKeyView>> = [
  { header: "id", value: (k) => k.id },
  { header: "user", value: (k) => k.user },
  { header: "enabled", value: (k) => k.enabled },
  { header: "created_at", value: (k) => k.created_at },
  { header: "metadata", value: (k) => k.metadata, maxWidth: 50, flex: true },
];

const path = (id: string) => `/api/v1/apikeys/${encodeURIComponent(id)}`;

function show(ctx: CommandContext, key: unknown, attributes: string[]): void {
  const data = renderData(ctx.format, key);
  ctx.print(data ?? renderRecord(key, attributes));
}

function parseMetadata(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ValidationError(`--metadata must be a JSON object, got ${raw}`, {
      field: "--metadata",
    });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ValidationError("--metadata must be a JSON object", { field: "--metadata" });
  return value as Record<string, unknown>;
}

export function registerApiKeyCommands(program: Command, runtime: CliRuntime): void {
  const apikey = program.command("apikey").description("Manage API keys.");

  apikey
    .command("list")
    .description("List API keys.")
    .option("-u, --user <user>", "only this user's keys")
    .action(async (options: { user?: string }, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const keys = await ctx.client.listAll<ApiKeyView>("/api/v1/apikeys", {
          user: options.user,
        });
        const data = renderData(ctx.format, keys);
        if (data !== undefined) ctx.print(data);
        else if (keys.length === 0)
          ctx.note("No API keys. Create one with `squall apikey create`.");
        else ctx.print(renderTable(COLUMNS, keys, ctx.io.columns));
        return 0;
      });
    });

  apikey
    .command("get")
    .description("Show one API key.")
    .argument("<id>", "key id (or the key itself)")
    .action(async (id: string, _options: unknown, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const key = (await ctx.client.request("GET", path(id), {})).json;
        show(ctx, key, ["id", "user", "enabled", "created_at", "metadata"]);
        return 0;
      });
    });

  apikey
    .command("create")
    .description("Create an API key; the key is shown this once.")
    .option("-u, --user <user>", "owner (administrators only; default: you)")
    .option("-m, --metadata <json>", "metadata to keep with the key, as a JSON object")
    .option("-k, --only-key", "print only the key (for scripts)")
    .action(
      async (
        options: { user?: string; metadata?: string; onlyKey?: boolean },
        command: Command,
      ) => {
        await runCommand(runtime, command, async (ctx) => {
          const metadata = parseMetadata(options.metadata);
          const body = {
            ...(options.user ? { user: options.user } : {}),
            ...(metadata ? { metadata } : {}),
          };
          const created = (await ctx.client.request("POST", "/api/v1/apikeys", {}, body))
            .json as ApiKeyView;
          if (options.onlyKey) {
            ctx.print(created.key ?? "");
            return 0;
          }
          show(ctx, created, ["id", "user", "key", "enabled", "created_at", "metadata"]);
          if (ctx.format === "table")
            ctx.note("Keep the key now: the server stores only its hash and cannot show it again.");
          return 0;
        });
      },
    );

  apikey
    .command("delete")
    .description("Delete an API key.")
    .argument("<id>", "key id (or the key itself)")
    .action(async (id: string, _options: unknown, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        await ctx.client.request("DELETE", path(id), {});
        ctx.note(`Deleted API key ${id}.`);
        return 0;
      });
    });

  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    apikey
      .command(name)
      .description(`${name === "enable" ? "Enable" : "Disable"} an API key.`)
      .argument("<id>", "key id (or the key itself)")
      .action(async (id: string, _options: unknown, command: Command) => {
        await runCommand(runtime, command, async (ctx) => {
          const key = (await ctx.client.request("PUT", path(id), {}, { enabled })).json;
          show(ctx, key, ["id", "user", "enabled"]);
          return 0;
        });
      });
  }
}
