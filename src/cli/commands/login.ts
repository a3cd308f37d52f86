/**
 * `squall login <user>`: gets a token (POST /auth/v1/tokens) and caches it for this server in
 * the Squall home, so later commands use it. Without login, the CLI uses the administrator
 * credentials file the local server wrote, when there is one.
 */

import type { Command } from "commander";
import { ValidationError } from "../../core/errors.ts";
import {
  LoginRefusedError,
  requestToken,
  storeToken,
  type TokenAnswer,
  tokenCachePath,
} from "../credentials.ts";
import { ApiError } from "../errors.ts";
import { renderData } from "../format.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";
import { terminalPrompter } from "./inquiry.ts";
import type { Prompter } from "./inquiry-form.ts";

/**
 * The password from --password or SQUALL_PASSWORD, else asked on the terminal with the typing
 * hidden (as `st2 login` does); with no terminal to ask on, an error says how to give it. The
 * CLI never echoes or stores it.
 */
export async function passwordFrom(
  options: { password?: string },
  env: Readonly<Record<string, string | undefined>>,
  prompter: () => Prompter = terminalPrompter,
): Promise<string> {
  const given = options.password ?? env.SQUALL_PASSWORD;
  if (given !== undefined && given !== "") return given;
  const asker = prompter();
  try {
    if (!asker.interactive)
      throw new ValidationError(
        "no password: pass --password <password>, set SQUALL_PASSWORD, or run in a terminal to be asked",
        { field: "--password" },
      );
    const typed = await asker.ask("Password: ", { secret: true });
    if (typed === "") throw new ValidationError("no password was typed", { field: "--password" });
    return typed;
  } finally {
    asker.close();
  }
}

export function ttlFrom(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new ValidationError(`--ttl must be a positive number of seconds, got "${raw}"`, {
      field: "--ttl",
    });
  return n;
}

/** Logs in; a refusal becomes the usual API error (401 with the server's reason). */
export async function login(
  ctx: CommandContext,
  user: string,
  password: string,
  ttl?: number,
): Promise<TokenAnswer> {
  try {
    return await requestToken(ctx.client.url, { username: user, password }, ttl);
  } catch (err) {
    if (err instanceof LoginRefusedError)
      throw new ApiError(err.status, err.faultstring, "POST /auth/v1/tokens");
    throw err;
  }
}

export function registerLoginCommands(
  program: Command,
  runtime: CliRuntime,
  prompter: () => Prompter = terminalPrompter,
): void {
  program
    .command("login")
    .description("Log in and keep the token for later commands (in the Squall home).")
    .argument("<username>", "user name in the server's htpasswd file")
    .option("-p, --password <password>", "password (or set SQUALL_PASSWORD; asked when omitted)")
    .option("-l, --ttl <seconds>", "token lifetime, up to the server's maximum")
    .action(
      async (user: string, options: { password?: string; ttl?: string }, command: Command) => {
        await runCommand(runtime, command, async (ctx) => {
          const token = await login(
            ctx,
            user,
            await passwordFrom(options, ctx.io.env, prompter),
            ttlFrom(options.ttl),
          );
          storeToken(tokenCachePath(ctx.io.env), ctx.client.url, token);
          const shown = { user: token.user, expiry: token.expiry };
          const data = renderData(ctx.format, shown);
          if (data !== undefined) ctx.print(data);
          else ctx.print(`Logged in as ${token.user}; the token expires at ${token.expiry}.`);
          return 0;
        });
      },
    );
}
