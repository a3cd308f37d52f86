/**
 * What a command needs besides its arguments: where to print, the HTTP client, the output format,
 * and a way to report its exit code. Commands receive this instead of touching `process`, so the
 * same code runs under the real binary and under tests.
 */

import type { Command } from "commander";
import { SquallClient } from "./client.ts";
import {
  type GlobalOptions,
  type OutputFormat,
  resolveClientConfig,
  resolveOutputFormat,
} from "./config.ts";
import { describeError } from "./errors.ts";

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Terminal width when stdout is a terminal; tables are fitted to it. */
  columns?: number;
}

export interface CommandContext {
  io: CliIo;
  client: SquallClient;
  format: OutputFormat;
  /** Prints `text` followed by a newline on stdout. */
  print(text: string): void;
  /** Prints a note for people on stderr, so stdout stays parseable. */
  note(text: string): void;
}

export interface CliRuntime {
  io: CliIo;
  exitCode: number;
}

/**
 * Runs a command body: builds its context from the global options, records the exit code it
 * returns, and turns a thrown error into one `ERROR:` line and exit code 1.
 */
export async function runCommand(
  runtime: CliRuntime,
  command: Command,
  body: (ctx: CommandContext) => Promise<number | undefined>,
): Promise<void> {
  try {
    const options = command.optsWithGlobals<GlobalOptions>();
    const format = resolveOutputFormat(options);
    const client = new SquallClient(resolveClientConfig(options, runtime.io.env));
    const ctx: CommandContext = {
      io: runtime.io,
      client,
      format,
      print: (text) => runtime.io.out(`${text}\n`),
      note: (text) => runtime.io.err(`${text}\n`),
    };
    runtime.exitCode = (await body(ctx)) ?? 0;
  } catch (err) {
    runtime.io.err(`ERROR: ${describeError(err)}\n`);
    runtime.exitCode = 1;
  }
}
