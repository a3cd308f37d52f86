/**
 * `squall up` without the client commands. A server needs none of their modules, and loading
 * them through the TypeScript loader was about a quarter of start-up time, so bin/squall.js
 * comes here when the first argument is `up`; everything else, help included, goes through
 * main.ts (which registers `up` too).
 */

import { Command, CommanderError } from "commander";
import { registerUpCommand } from "./commands/up.ts";

export async function upMain(argv: readonly string[]): Promise<number> {
  const program = new Command("squall").exitOverride();
  registerUpCommand(program);
  try {
    await program.parseAsync(argv.slice(2), { from: "user" });
  } catch (err) {
    // As in main.ts: commander has already printed what went wrong.
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return 0;
}
