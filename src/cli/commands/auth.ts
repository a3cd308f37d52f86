/** `squall auth <user>`: gets a token and prints it (as `st2 auth`), without keeping it. */

import type { Command } from "commander";
import { renderData, renderTable } from "../format.ts";
import { type CliRuntime, runCommand } from "../runtime.ts";
import { login, passwordFrom, ttlFrom } from "./login.ts";

export function registerAuthCommands(program: Command, runtime: CliRuntime): void {
  program
    .command("auth")
    .description("Get an authentication token and print it.")
    .argument("<username>", "user name in the server's htpasswd file")
    .option("-p, --password <password>", "password (or set SQUALL_PASSWORD; asked when omitted)")
    .option("-l, --ttl <seconds>", "token lifetime, up to the server's maximum")
    .option("-t, --only-token", "print only the token (for scripts)")
    .action(
      async (
        user: string,
        options: { password?: string; ttl?: string; onlyToken?: boolean },
        command: Command,
      ) => {
        await runCommand(runtime, command, async (ctx) => {
          const token = await login(
            ctx,
            user,
            await passwordFrom(options, ctx.io.env),
            ttlFrom(options.ttl),
          );
          if (options.onlyToken) {
            ctx.print(token.token);
            return 0;
          }
          const data = renderData(ctx.format, token);
          if (data !== undefined) ctx.print(data);
          else
            ctx.print(
              renderTable(
                [
                  { header: "user", value: (t: typeof token) => t.user },
                  { header: "token", value: (t: typeof token) => t.token },
                  { header: "expiry", value: (t: typeof token) => t.expiry },
                ],
                [token],
                ctx.io.columns,
              ),
            );
          return 0;
        });
      },
    );
}
