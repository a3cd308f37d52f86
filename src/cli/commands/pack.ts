/** `squall pack list|get|register|install|remove`. */

import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import type { Command } from "commander";
import type { ContentError, PackMeta } from "../../core/content/model.ts";
import type { PackRegistration } from "../client.ts";
import { renderData, renderRecord, renderTable, type TableColumn } from "../format.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";

const PACK_COLUMNS: ReadonlyArray<TableColumn<PackMeta>> = [
  { header: "ref", value: (p) => p.ref },
  { header: "name", value: (p) => p.name },
  { header: "description", value: (p) => p.description, maxWidth: 50, flex: true },
  { header: "version", value: (p) => p.version },
  { header: "author", value: (p) => p.author, flex: true },
];

type RegisteredPack = PackRegistration["packs"][number];

const REGISTER_COLUMNS: ReadonlyArray<TableColumn<RegisteredPack>> = [
  { header: "pack", value: (p) => p.pack },
  { header: "path", value: (p) => p.path, flex: true },
  { header: "loaded", value: (p) => loadedSummary(p.counts), maxWidth: 40, flex: true },
  { header: "errors", value: (p) => p.errors.length },
];

export function registerPackCommands(program: Command, runtime: CliRuntime): void {
  const pack = program.command("pack").description("Manage packs of content.");

  pack
    .command("list")
    .description("List registered packs.")
    .action(async (_options: unknown, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const packs = await ctx.client.listPacks();
        if (ctx.format === "table" && packs.length === 0) {
          ctx.note("No packs are registered. Load some with `squall pack register [path ...]`.");
          return 0;
        }
        ctx.print(
          renderData(ctx.format, packs) ?? renderTable(PACK_COLUMNS, packs, ctx.io.columns),
        );
        return 0;
      });
    });

  pack
    .command("get")
    .description("Show one pack.")
    .argument("<ref>", "pack name")
    .action(async (ref: string, _options: unknown, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const found = await ctx.client.getPack(ref);
        ctx.print(renderData(ctx.format, found) ?? renderRecord(found, Object.keys(found)));
        return 0;
      });
    });

  pack
    .command("register")
    .description(
      "Load or reload packs from disk. Without arguments, every pack in the server's pack directories.",
    )
    .argument(
      "[packs...]",
      "pack directories (relative paths are fine) or names of installed packs",
    )
    .action(async (packs: string[], _options: unknown, command: Command) => {
      await runCommand(runtime, command, (ctx) => registerPacks(ctx, packs));
    });

  pack
    .command("install")
    .description(
      "Install packs from git URLs (url or url=branch; file:// works offline) or local directories, and register them.",
    )
    .argument("<sources...>", "git URLs or pack directories")
    .option("-f, --force", "replace a pack that is already installed")
    .action(async (sources: string[], options: { force?: boolean }, command: Command) => {
      await runCommand(runtime, command, (ctx) =>
        installPacks(ctx, sources, options.force === true),
      );
    });

  pack
    .command("remove")
    .alias("uninstall")
    .description("Unregister packs and delete the ones installed in the pack directories.")
    .argument("<packs...>", "pack names")
    .action(async (packs: string[], _options: unknown, command: Command) => {
      await runCommand(runtime, command, (ctx) => removePacks(ctx, packs));
    });
}

interface InstallAnswer {
  installed: Array<{ pack: string; path: string; source: string }>;
  registration: PackRegistration;
}

interface RemoveAnswer {
  removed: Array<{ pack: string; path: string; files_deleted: boolean }>;
}

/** A git URL stays as it is; anything else names a local directory, made absolute. */
export function installSource(arg: string, cwd: string): string {
  if (/^(?:https?|ssh|git|file):\/\//.test(arg) || /^git@[^:\s]+:/.test(arg)) return arg;
  if (arg === "~" || arg.startsWith("~/")) return resolve(homedir(), arg.slice(2));
  return resolve(cwd, arg);
}

async function installPacks(
  ctx: CommandContext,
  sources: string[],
  force: boolean,
): Promise<number> {
  const res = await ctx.client.request(
    "POST",
    "/api/v1/packs/install",
    {},
    { packs: sources.map((s) => installSource(s, ctx.io.cwd)), ...(force ? { force } : {}) },
  );
  const answer = res.json as InstallAnswer;
  const data = renderData(ctx.format, answer);
  if (data !== undefined) {
    ctx.print(data);
  } else {
    for (const p of answer.installed) ctx.print(`Installed ${p.pack} into ${p.path}.`);
    ctx.print(renderTable(REGISTER_COLUMNS, answer.registration.packs, ctx.io.columns));
    for (const error of answer.registration.errors) ctx.print(`  ${describeContentError(error)}`);
  }
  return answer.registration.errors.length > 0 ? 1 : 0;
}

async function removePacks(ctx: CommandContext, packs: string[]): Promise<number> {
  const res = await ctx.client.request("POST", "/api/v1/packs/uninstall", {}, { packs });
  const answer = res.json as RemoveAnswer;
  const data = renderData(ctx.format, answer);
  if (data !== undefined) ctx.print(data);
  else
    for (const p of answer.removed)
      ctx.print(
        p.files_deleted
          ? `Removed ${p.pack} and deleted ${p.path}.`
          : `Removed ${p.pack}; its files at ${p.path || "(none)"} were left (outside the pack directories).`,
      );
  return 0;
}

async function registerPacks(ctx: CommandContext, args: string[]): Promise<number> {
  const packs = args.map((arg) => resolvePackArgument(arg, ctx.io.cwd));
  const result = await ctx.client.registerPacks(packs);
  // The server's top-level list already holds every pack's errors.
  const errors = result.errors;

  const data = renderData(ctx.format, result);
  if (data !== undefined) {
    ctx.print(data);
  } else {
    if (result.packs.length > 0)
      ctx.print(renderTable(REGISTER_COLUMNS, result.packs, ctx.io.columns));
    else ctx.note("No packs were found to register.");
    if (errors.length > 0) {
      ctx.print(`\n${errors.length} error${errors.length === 1 ? "" : "s"}:`);
      for (const error of errors) ctx.print(`  ${describeContentError(error)}`);
    }
  }
  return errors.length > 0 ? 1 : 0;
}

/**
 * The server runs elsewhere (another cwd, maybe a container), so anything that looks like a
 * path is made absolute here; a bare word is a path only if such a directory exists, otherwise
 * it names an installed pack.
 */
export function resolvePackArgument(arg: string, cwd: string): string {
  if (arg === "~" || arg.startsWith("~/")) return resolve(homedir(), arg.slice(2));
  if (isAbsolute(arg)) return resolve(arg);
  const looksLikePath = arg.includes("/") || arg.includes("\\") || arg.startsWith(".");
  const candidate = resolve(cwd, arg);
  if (looksLikePath || (existsSync(candidate) && statSync(candidate).isDirectory()))
    return candidate;
  return arg;
}

/** `[pack] file:line:column field: message`, the shape editors and terminals link from. */
export function describeContentError(error: ContentError): string {
  let where = error.file;
  if (error.line !== undefined) {
    where += `:${error.line}`;
    if (error.column !== undefined) where += `:${error.column}`;
  }
  // Most messages already start with the field ("parameters.cmd.type must be …").
  const field = error.field && !error.message.startsWith(error.field) ? ` ${error.field}:` : "";
  return `[${error.pack}] ${where}${field} ${error.message}`;
}

function loadedSummary(loaded: Record<string, number>): string {
  const parts = Object.entries(loaded)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind}: ${count}`);
  return parts.length > 0 ? parts.join(", ") : "nothing";
}
