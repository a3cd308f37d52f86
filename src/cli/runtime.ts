/**
 * What a command needs besides its arguments: where to print, the HTTP client, the output format,
 * and a way to report its exit code. Commands receive this instead of touching `process`, so the
 * same code runs under the real binary and under tests.
 */

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ValidationError } from "../core/errors.ts";
import { SquallClient } from "./client.ts";
import { type GlobalOptions, type OutputFormat, resolveClientConfig } from "./config.ts";
import { describeError } from "./errors.ts";
import { setTableOptions, type TableOptions } from "./format.ts";
import { resolveSettings, type SettingsFlags } from "./settings.ts";

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
    const options = command.optsWithGlobals<GlobalOptions & SettingsFlags & CommandTableFlags>();
    const settings = resolveSettings(options, runtime.io.env, readIfExists);
    const format = settings.format;
    setTableOptions(tableOptions(options));
    const client = new SquallClient(
      resolveClientConfig({ ...options, url: settings.url }, settings.env),
    );
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

/** `-a/--attr` and `-w/--width`, as st2's list and get commands take them. */
interface CommandTableFlags {
  attr?: string[];
  width?: string[];
}

function tableOptions(flags: CommandTableFlags): TableOptions {
  const widths = (flags.width ?? []).map((w) => {
    const n = Number(w);
    if (!/^\d+$/.test(w) || n < 1) {
      throw new ValidationError(`-w expects column widths as whole numbers, got "${w}"`, {
        field: "--width",
      });
    }
    return n;
  });
  return { attrs: flags.attr ?? [], widths };
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ValidationError(`cannot read config file ${path}: ${(err as Error).message}`, {
      field: "--config-file",
    });
  }
}
