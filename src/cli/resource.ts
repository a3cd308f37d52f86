/**
 * st2's ResourceBranch in one place: the list/get/create/update/delete/enable/disable
 * subcommands most groups share, driven by a small description of the resource (its API path,
 * table columns and `get` attributes). Groups with behaviour of their own (run, execution,
 * key…) keep their own files and reuse only the pieces they need.
 */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { ValidationError } from "../core/errors.ts";
import { ApiError, ResourceNotFoundError } from "./errors.ts";
import { renderData, renderRecord, renderTable, type TableColumn } from "./format.ts";
import { type CliRuntime, type CommandContext, runCommand } from "./runtime.ts";

export type Resource = Record<string, unknown>;

export interface ResourceSpec {
  /** How people name it, singular: "policy type". Error messages and help use it. */
  kind: string;
  /** Plural for help texts. */
  plural: string;
  /** Collection path, e.g. /api/v1/policies. */
  path: string;
  columns: ReadonlyArray<TableColumn<Resource>>;
  /** `get` prints these, in order, when present. */
  attributes: readonly string[];
  /** What identifies one on the command line ("ref", "name", "id"). */
  idName: string;
  /** Filters `list` accepts as `[-<short>, ]--<flag> <value>`, sent as query parameters. */
  filters?: ReadonlyArray<{
    flag: string;
    query: string;
    help: string;
    short?: string;
    placeholder?: string;
  }>;
  /** `list --enabled|--disabled`, sent as `enabled=true|false`, for things that switch off. */
  enabledFilter?: boolean;
  /** Hint printed when the list is empty. */
  emptyHint?: string;
  /** Help for the identifying argument; default "<kind> <idName>". */
  idHelp?: string;
  /** What enable/disable does beyond the flag, for their help ("its process stops at once"). */
  toggleEffect?: (enabled: boolean) => string;
}

/** The query `list` sends for these options; --enabled and --disabled exclude each other. */
export function listQueryOf(
  spec: ResourceSpec,
  options: Readonly<Record<string, string | boolean | undefined>>,
): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  for (const f of spec.filters ?? []) {
    const value = options[camel(f.flag)];
    query[f.query] = typeof value === "string" ? value : undefined;
  }
  if (spec.enabledFilter) {
    if (options.enabled && options.disabled)
      throw new ValidationError("use --enabled or --disabled, not both", { field: "--enabled" });
    query.enabled = options.enabled ? "true" : options.disabled ? "false" : undefined;
  }
  return query;
}

/** What enable/disable sends back: the resource as read, with only `enabled` changed. */
export function toggled<T extends object>(resource: T, enabled: boolean): T & { enabled: boolean } {
  return { ...resource, enabled };
}

export type Operation = "list" | "get" | "create" | "update" | "delete" | "enable" | "disable";

export function registerResourceCommands(
  group: Command,
  runtime: CliRuntime,
  spec: ResourceSpec,
  operations: readonly Operation[],
): void {
  const run = (command: Command, body: (ctx: CommandContext) => Promise<number>) =>
    runCommand(runtime, command, body);
  const one = (id: string) => `${spec.path}/${encodeURIComponent(id)}`;
  const idHelp = spec.idHelp ?? `${spec.kind} ${spec.idName}`;

  if (operations.includes("list")) {
    const list = group.command("list").description(`List ${spec.plural}.`);
    for (const f of spec.filters ?? []) {
      const short = f.short ? `${f.short}, ` : "";
      list.option(`${short}--${f.flag} <${f.placeholder ?? "value"}>`, f.help);
    }
    if (spec.enabledFilter) {
      list.option("--enabled", `only enabled ${spec.plural}`);
      list.option("--disabled", `only disabled ${spec.plural}`);
    }
    list.action(async (options: Record<string, string | boolean | undefined>, command: Command) => {
      await run(command, async (ctx) => {
        const items = await ctx.client.listAll<Resource>(spec.path, listQueryOf(spec, options));
        const data = renderData(ctx.format, items);
        if (data !== undefined) ctx.print(data);
        else if (items.length === 0) ctx.note(spec.emptyHint ?? `No ${spec.plural} found.`);
        else ctx.print(renderTable(spec.columns, items, ctx.io.columns));
        return 0;
      });
    });
  }

  if (operations.includes("get")) {
    group
      .command("get")
      .description(`Show one ${spec.kind}.`)
      .argument(`<${spec.idName}>`, idHelp)
      .action(async (id: string, _options: unknown, command: Command) => {
        await run(command, async (ctx) => {
          printResource(ctx, spec, await ctx.client.getOne<Resource>(spec.kind, id, one(id)));
          return 0;
        });
      });
  }

  if (operations.includes("create")) {
    group
      .command("create")
      .description(`Create a ${spec.kind} from a YAML or JSON file (st2's metadata format).`)
      .argument("<file>", "definition file")
      .action(async (file: string, _options: unknown, command: Command) => {
        await run(command, async (ctx) => {
          const body = readDefinition(ctx, file);
          const res = await ctx.client.request("POST", spec.path, {}, body);
          printResource(ctx, spec, res.json as Resource);
          return 0;
        });
      });
  }

  if (operations.includes("update")) {
    group
      .command("update")
      .description(`Replace a ${spec.kind} with the definition in a YAML or JSON file.`)
      .argument(`<${spec.idName}>`, idHelp)
      .argument("<file>", "definition file")
      .action(async (id: string, file: string, _options: unknown, command: Command) => {
        await run(command, async (ctx) => {
          const current = await ctx.client.getOne<Resource>(spec.kind, id, one(id));
          const body = { ...readDefinition(ctx, file) };
          if (current.id !== undefined) body.id ??= current.id;
          const res = await sendTo(ctx, spec, id, "PUT", one(id), body);
          printResource(ctx, spec, res);
          return 0;
        });
      });
  }

  if (operations.includes("delete")) {
    group
      .command("delete")
      .description(`Delete a ${spec.kind}.`)
      .argument(`<${spec.idName}>`, idHelp)
      .action(async (id: string, _options: unknown, command: Command) => {
        await run(command, async (ctx) => {
          await sendTo(ctx, spec, id, "DELETE", one(id));
          if (ctx.format === "table")
            ctx.print(`Resource with id "${id}" has been successfully deleted.`);
          else ctx.print(renderData(ctx.format, { deleted: id }) ?? "");
          return 0;
        });
      });
  }

  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    if (!operations.includes(name)) continue;
    group
      .command(name)
      .description(
        `${enabled ? "Enable" : "Disable"} a ${spec.kind}${spec.toggleEffect ? `; ${spec.toggleEffect(enabled)}` : ""}.`,
      )
      .argument(`<${spec.idName}>`, idHelp)
      .action(async (id: string, _options: unknown, command: Command) => {
        await run(command, async (ctx) => {
          const current = await ctx.client.getOne<Resource>(spec.kind, id, one(id));
          const res = await sendTo(ctx, spec, id, "PUT", one(id), toggled(current, enabled));
          printResource(ctx, spec, res);
          return 0;
        });
      });
  }
}

async function sendTo(
  ctx: CommandContext,
  spec: ResourceSpec,
  id: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Resource> {
  try {
    return (await ctx.client.request(method, path, {}, body)).json as Resource;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404)
      throw new ResourceNotFoundError(spec.kind, id);
    throw err;
  }
}

export function printResource(ctx: CommandContext, spec: ResourceSpec, item: Resource): void {
  const data = renderData(ctx.format, item);
  if (data !== undefined) {
    ctx.print(data);
    return;
  }
  const known = spec.attributes.filter((a) => a in item);
  const rest = Object.keys(item).filter((k) => !spec.attributes.includes(k));
  ctx.print(renderRecord(item, [...known, ...rest]));
}

/** A definition file as an object; YAML is a superset of JSON, so one parser reads both. */
export function readDefinition(ctx: CommandContext, file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(resolve(ctx.io.cwd, file), "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ValidationError(`cannot read ${file} (${reason})`, { file });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new ValidationError(`${file} is not valid YAML or JSON: ${(err as Error).message}`, {
      file,
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError(`${file} must hold one object (a mapping)`, { file });
  }
  return parsed as Record<string, unknown>;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}
