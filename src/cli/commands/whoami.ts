/** `squall whoami`: who the server thinks you are (GET /api/v1/user). */

import type { Command } from "commander";
import { renderData, renderRecord } from "../format.ts";
import { type CliRuntime, runCommand } from "../runtime.ts";

export function registerWhoamiCommands(program: Command, runtime: CliRuntime): void {
  program
    .command("whoami")
    .description("Show the user the server authenticates you as, and their roles.")
    .action(async (_options: unknown, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const me = (await ctx.client.request("GET", "/api/v1/user", {})).json;
        const data = renderData(ctx.format, me);
        if (data !== undefined) ctx.print(data);
        else
          ctx.print(
            renderRecord(me, [
              "username",
              "authentication.method",
              "authentication.location",
              "authentication.token_expire",
              "rbac.enabled",
              "rbac.roles",
              "rbac.is_admin",
              "rbac.groups",
              "rbac.role_sources",
            ]),
          );
        return 0;
      });
    });
}
