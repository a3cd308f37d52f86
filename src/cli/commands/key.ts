/** `squall key list|get|set|delete|delete_by_prefix|load`: st2's `st2 key` commands. */

import { readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { ValidationError } from "../../core/errors.ts";
import { ApiError, ResourceNotFoundError } from "../errors.ts";
import { renderData, renderRecord, renderTable, type TableColumn } from "../format.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";

/** A pair as the API returns it (StackStorm's KeyValuePairAPI). */
export interface KeyValuePairView {
  name: string;
  value: string;
  secret?: boolean;
  encrypted?: boolean;
  scope?: string;
  user?: string;
  expire_timestamp?: string;
}

/** The PUT body for one pair. */
export interface KeySetBody {
  name: string;
  value: string;
  scope: string;
  user?: string;
  secret?: boolean;
  encrypted?: boolean;
  ttl?: number;
}

const DEFAULT_LIST_SIZE = 50;
const ATTRIBUTES = ["name", "value", "secret", "encrypted", "scope", "user", "expire_timestamp"];

const COLUMNS: ReadonlyArray<TableColumn<KeyValuePairView>> = [
  { header: "name", value: (p) => p.name },
  { header: "value", value: (p) => p.value, maxWidth: 60, flex: true },
  { header: "secret", value: (p) => p.secret },
  { header: "encrypted", value: (p) => p.encrypted },
  { header: "scope", value: (p) => p.scope },
  { header: "user", value: (p) => p.user },
  { header: "expire_timestamp", value: (p) => p.expire_timestamp },
];

const LOAD_COLUMNS: ReadonlyArray<TableColumn<KeySetBody>> = [
  { header: "name", value: (p) => p.name },
  { header: "value", value: (p) => p.value, maxWidth: 60, flex: true },
  { header: "secret", value: (p) => p.secret ?? false },
  { header: "scope", value: (p) => p.scope },
  { header: "user", value: (p) => p.user },
  { header: "ttl", value: (p) => p.ttl },
];

interface Addressing {
  scope: string;
  user?: string;
}

export function registerKeyCommands(program: Command, runtime: CliRuntime): void {
  const key = program.command("key").description("Read and write the datastore (st2kv).");
  const run = (command: Command, body: (ctx: CommandContext) => Promise<number>) =>
    runCommand(runtime, command, body);

  key
    .command("list")
    .description(`List pairs (${DEFAULT_LIST_SIZE} unless -n says otherwise).`)
    .option("-p, --prefix <prefix>", "only names starting with this")
    .option("-d, --decrypt", "show secrets decrypted")
    .option("-s, --scope <scope>", "system, user or all", "all")
    .option("-u, --user <user>", "another user's user-scoped pairs")
    .option("-n, --last <n>", "how many to list; -1 lists all", String(DEFAULT_LIST_SIZE))
    .action(async (options: ListOptions, command: Command) => {
      await run(command, (ctx) => listKeys(ctx, options));
    });

  key
    .command("get")
    .description("Show one pair.")
    .argument("<name>", "key name")
    .option("-d, --decrypt", "show a secret decrypted")
    .option("-s, --scope <scope>", "system or user", "system")
    .option("-u, --user <user>", "another user's user-scoped pair")
    .action(async (name: string, options: Addressing & { decrypt?: boolean }, command: Command) => {
      await run(command, async (ctx) => {
        const query = { ...addressing(options), decrypt: options.decrypt ? "true" : undefined };
        const pair = await getPair(ctx, name, query);
        ctx.print(renderData(ctx.format, pair) ?? renderPair(pair));
        return 0;
      });
    });

  key
    .command("set")
    .description("Create or update a pair.")
    .argument("<name>", "key name")
    .argument("<value>", "value (a string)")
    .option("-e, --encrypt", "encrypt the value before storing it (a secret)")
    .option("--encrypted", "the value is already encrypted with this server's key")
    .option("-l, --ttl <seconds>", "delete the pair after this many seconds")
    .option("-s, --scope <scope>", "system or user", "system")
    .option("-u, --user <user>", "store in another user's scope")
    .action(async (name: string, value: string, options: SetOptions, command: Command) => {
      await run(command, async (ctx) => {
        const pair = await putPair(ctx, setBody(name, value, options));
        ctx.print(renderData(ctx.format, pair) ?? renderPair(pair));
        return 0;
      });
    });

  key
    .command("delete")
    .description("Delete a pair.")
    .argument("<name>", "key name")
    .option("-s, --scope <scope>", "system or user", "system")
    .option("-u, --user <user>", "another user's user-scoped pair")
    .action(async (name: string, options: Addressing, command: Command) => {
      await run(command, async (ctx) => {
        await deletePair(ctx, name, addressing(options));
        ctx.print(`Key "${name}" deleted.`);
        return 0;
      });
    });

  key
    .command("delete_by_prefix")
    .alias("delete-by-prefix")
    .description("Delete every system-scoped pair whose name starts with a prefix.")
    .requiredOption("-p, --prefix <prefix>", "name prefix, e.g. twitter.TwitterSensor:")
    .action(async (options: { prefix: string }, command: Command) => {
      await run(command, async (ctx) => {
        if (options.prefix === "") throw new ValidationError("--prefix must not be empty");
        const query = { prefix: options.prefix, scope: "system" };
        const pairs = await ctx.client.listAll<KeyValuePairView>("/api/v1/keys", query);
        for (const pair of pairs) await deletePair(ctx, pair.name, { scope: "system" });
        ctx.print(`Deleted ${pairs.length} keys`);
        if (pairs.length > 0) ctx.print(`Deleted key ids: ${pairs.map((p) => p.name).join(", ")}`);
        return 0;
      });
    });

  key
    .command("load")
    .description("Create or update pairs from a JSON or YAML file (one pair or a list of them).")
    .argument("<file>", "file with {name, value, scope?, user?, secret?, encrypted?, ttl?} items")
    .option("-c, --convert", "store non-string values as JSON text instead of refusing them")
    .action(async (file: string, options: { convert?: boolean }, command: Command) => {
      await run(command, async (ctx) => {
        const path = resolve(ctx.io.cwd, file);
        const bodies = parseKeyFile(readText(path), path, { convert: options.convert === true });
        for (const body of bodies) await putPair(ctx, body);
        ctx.print(
          renderData(ctx.format, bodies) ?? renderTable(LOAD_COLUMNS, bodies, ctx.io.columns),
        );
        return 0;
      });
    });
}

interface ListOptions extends Addressing {
  prefix?: string;
  decrypt?: boolean;
  last: string;
}

interface SetOptions extends Addressing {
  encrypt?: boolean;
  encrypted?: boolean;
  ttl?: string;
}

async function listKeys(ctx: CommandContext, options: ListOptions): Promise<number> {
  const last = options.last.trim();
  if (!/^(-1|\d+)$/.test(last) || last === "0") {
    throw new ValidationError(`-n expects a positive whole number or -1, got "${options.last}"`, {
      field: "-n",
    });
  }
  const query = {
    ...addressing(options),
    prefix: options.prefix,
    decrypt: options.decrypt ? "true" : undefined,
  };
  let pairs: KeyValuePairView[];
  let total: number | undefined;
  if (last === "-1") {
    pairs = await ctx.client.listAll<KeyValuePairView>("/api/v1/keys", query);
  } else {
    const res = await ctx.client.request("GET", "/api/v1/keys", { ...query, limit: last });
    pairs = res.json as KeyValuePairView[];
    total = res.total;
  }
  const data = renderData(ctx.format, pairs);
  if (data !== undefined) {
    ctx.print(data);
    return 0;
  }
  if (pairs.length === 0) {
    ctx.note("No keys found. Add one with `squall key set <name> <value>`.");
    return 0;
  }
  ctx.print(renderTable(COLUMNS, pairs, ctx.io.columns));
  if (total !== undefined && total > pairs.length) {
    ctx.note(`Showing ${pairs.length} of ${total} keys; use -n to see more (-n -1 for all).`);
  }
  return 0;
}

/** The PUT body for `key set`, checked before anything is sent. */
export function setBody(name: string, value: string, options: SetOptions): KeySetBody {
  if (options.encrypt && options.encrypted) {
    throw new ValidationError("choose one of -e/--encrypt or --encrypted, not both", {
      field: "--encrypt",
    });
  }
  const body: KeySetBody = { name, value, ...addressing(options) };
  if (options.encrypt) body.secret = true;
  if (options.encrypted) body.encrypted = true;
  if (options.ttl !== undefined) {
    if (!/^\d+$/.test(options.ttl.trim()) || Number(options.ttl) === 0) {
      throw new ValidationError(
        `--ttl expects a positive whole number of seconds, got "${options.ttl}"`,
        {
          field: "--ttl",
        },
      );
    }
    body.ttl = Number(options.ttl);
  }
  return body;
}

/**
 * Reads `st2 key load` input: one pair object or a list of them, in JSON or YAML (by file
 * extension; others are read as YAML, which also accepts JSON). Values must be strings unless
 * `convert` is set, which stores anything else as its JSON text, as st2's `-c` does.
 */
export function parseKeyFile(
  text: string,
  file: string,
  options: { convert: boolean },
): KeySetBody[] {
  let data: unknown;
  try {
    data = extname(file).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ValidationError(`${file} is not valid JSON/YAML: ${(err as Error).message}`, {
      file,
    });
  }
  if (data === null || data === undefined) return [];
  const items = Array.isArray(data) ? data : [data];
  return items.map((item, index) =>
    loadItem(item, `${file}${Array.isArray(data) ? ` item ${index}` : ""}`, file, options.convert),
  );
}

function loadItem(item: unknown, where: string, file: string, convert: boolean): KeySetBody {
  const fail = (field: string, why: string): never => {
    throw new ValidationError(`${where}: ${field} ${why}`, { file, field });
  };
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    return fail("(item)", "must be an object with name and value");
  }
  const it = item as Record<string, unknown>;
  if (typeof it.name !== "string" || it.name === "")
    return fail("name", "must be a non-empty string");
  if (it.value === undefined) return fail("value", "is required");
  let value: string;
  if (typeof it.value === "string") value = it.value;
  else if (convert) value = JSON.stringify(it.value);
  else {
    return fail(
      "value",
      `of "${it.name}" is not a string. Pass -c/--convert to store it as JSON text, or quote it in the file`,
    );
  }
  const body: KeySetBody = { name: it.name, value, scope: "system" };
  for (const field of ["scope", "user"] as const) {
    const v = it[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string" || v === "") fail(field, "must be a non-empty string");
    body[field] = v as string;
  }
  for (const field of ["secret", "encrypted"] as const) {
    const v = it[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== "boolean") fail(field, "must be true or false");
    if (v === true) body[field] = true;
  }
  if (it.ttl !== undefined && it.ttl !== null) {
    if (typeof it.ttl !== "number" || !Number.isInteger(it.ttl) || it.ttl < 0) {
      fail("ttl", "must be a whole number of seconds");
    }
    if (it.ttl !== 0) body.ttl = it.ttl as number;
  }
  return body;
}

function addressing(options: Addressing): Addressing {
  return options.user ? { scope: options.scope, user: options.user } : { scope: options.scope };
}

function renderPair(pair: KeyValuePairView): string {
  return renderRecord(
    pair,
    ATTRIBUTES.filter((a) => (pair as unknown as Record<string, unknown>)[a] !== undefined),
  );
}

function keyPath(name: string): string {
  return `/api/v1/keys/${encodeURIComponent(name)}`;
}

async function getPair(
  ctx: CommandContext,
  name: string,
  query: Record<string, string | undefined>,
): Promise<KeyValuePairView> {
  try {
    return (await ctx.client.request("GET", keyPath(name), query)).json as KeyValuePairView;
  } catch (err) {
    throw notFoundAsKey(err, name);
  }
}

async function putPair(ctx: CommandContext, body: KeySetBody): Promise<KeyValuePairView> {
  return (await ctx.client.request("PUT", keyPath(body.name), {}, body)).json as KeyValuePairView;
}

async function deletePair(ctx: CommandContext, name: string, query: Addressing): Promise<void> {
  try {
    await ctx.client.request("DELETE", keyPath(name), { ...query });
  } catch (err) {
    throw notFoundAsKey(err, name);
  }
}

function notFoundAsKey(err: unknown, name: string): unknown {
  return err instanceof ApiError && err.status === 404
    ? new ResourceNotFoundError("key", name)
    : err;
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ValidationError(`cannot read ${path} (${code})`, { file: path });
  }
}
