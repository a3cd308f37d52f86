/** `squall webhook list`: the urls that accept POSTs, from enabled rules on core.st2.webhook. */

import type { Command } from "commander";
import { ProtocolError } from "../errors.ts";
import { renderData, renderTable, type TableColumn } from "../format.ts";
import { type CliRuntime, runCommand } from "../runtime.ts";

/** A webhook as GET /webhooks returns it: its trigger, plus the url. */
export interface WebhookView {
  url: string;
  ref?: string;
  type?: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

const COLUMNS: ReadonlyArray<TableColumn<WebhookView>> = [
  { header: "url", value: (w) => w.url },
  { header: "type", value: (w) => w.type },
  { header: "trigger", value: (w) => w.ref },
  { header: "description", value: (w) => w.description, maxWidth: 60, flex: true },
];

export function registerWebhookCommands(program: Command, runtime: CliRuntime): void {
  const webhook = program.command("webhook").description("Browse webhooks.");
  webhook
    .command("list")
    .description("List webhook urls (POST them at /api/v1/webhooks/<url>).")
    .action(async (_options: unknown, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const res = await ctx.client.request("GET", "/api/v1/webhooks", {});
        if (!Array.isArray(res.json))
          throw new ProtocolError(`${res.request} did not return a list`);
        const hooks = res.json as WebhookView[];
        const data = renderData(ctx.format, hooks);
        if (data !== undefined) ctx.print(data);
        else if (hooks.length === 0)
          ctx.note(
            "No webhooks. Enable a rule on core.st2.webhook with a `url` trigger parameter.",
          );
        else ctx.print(renderTable(COLUMNS, hooks, ctx.io.columns));
        return 0;
      });
    });
}
