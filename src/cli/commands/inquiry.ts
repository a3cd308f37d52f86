/**
 * `squall inquiry list|get|respond`: the questions workflows are waiting on, and answering them.
 * `respond` takes the whole answer with `-r '<json>'`; without it, it asks for each field of the
 * inquiry's schema on a terminal, as `st2 inquiry respond` does.
 */

import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import type { Command } from "commander";
import { ValidationError } from "../../core/errors.ts";
import { ApiError, ResourceNotFoundError } from "../errors.ts";
import { renderData, renderRecord, renderTable, type TableColumn } from "../format.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";
import { askResponse, type Prompter } from "./inquiry-form.ts";

/** The API's inquiry shape. */
export interface InquiryView {
  id: string;
  route: string;
  ttl: number;
  users: string[];
  roles: string[];
  schema: Record<string, unknown>;
}

const DEFAULT_LAST = 20;

/** st2 leaves the schema out of the table; `inquiry get` shows it. */
const COLUMNS: ReadonlyArray<TableColumn<InquiryView>> = [
  { header: "id", value: (i) => i.id },
  { header: "roles", value: (i) => i.roles, maxWidth: 30, flex: true },
  { header: "users", value: (i) => i.users, maxWidth: 30, flex: true },
  { header: "route", value: (i) => i.route, maxWidth: 30, flex: true },
  { header: "ttl", value: (i) => i.ttl },
];
const ATTRIBUTES = ["id", "roles", "users", "route", "ttl", "schema"];

/** Asks on the terminal; prompts go to stderr so stdout stays the command's output. */
export function terminalPrompter(): Prompter {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const interactive = process.stdin.isTTY === true;
  const rl = interactive
    ? createInterface({ input: process.stdin, output, terminal: true })
    : undefined;
  return {
    interactive,
    async ask(question, options) {
      if (!rl) throw new ValidationError("stdin is not a terminal");
      process.stderr.write(question);
      muted = options?.secret === true;
      try {
        return await rl.question("");
      } finally {
        if (muted) process.stderr.write("\n");
        muted = false;
      }
    },
    say: (text) => void process.stderr.write(`${text}\n`),
    close: () => rl?.close(),
  };
}

export function registerInquiryCommands(
  program: Command,
  runtime: CliRuntime,
  prompter: () => Prompter = terminalPrompter,
): void {
  const inquiry = program
    .command("inquiry")
    .description("List and answer the questions workflows are waiting on (inquiries).");

  inquiry
    .command("list")
    .description(`List the ${DEFAULT_LAST} most recent pending inquiries.`)
    .option("-n, --last <n>", "list the N most recent inquiries", String(DEFAULT_LAST))
    .action(async (options: { last: string }, command: Command) => {
      await runCommand(runtime, command, (ctx) => listInquiries(ctx, options.last));
    });

  inquiry
    .command("get")
    .description("Show one pending inquiry with its response schema.")
    .argument("<id>", "inquiry id (the id of the execution that asks)")
    .action(async (id: string, _options: unknown, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const found = await getInquiry(ctx, id);
        ctx.print(renderData(ctx.format, found) ?? renderRecord(found, ATTRIBUTES));
        return 0;
      });
    });

  inquiry
    .command("respond")
    .description("Answer an inquiry; without -r, asks for each field of its schema.")
    .argument("<id>", "inquiry id")
    .option("-r, --response <json>", "the whole response as a JSON object (no questions asked)")
    .action(async (id: string, options: { response?: string }, command: Command) => {
      await runCommand(runtime, command, (ctx) => respond(ctx, id, options.response, prompter));
    });
}

function getInquiry(ctx: CommandContext, id: string): Promise<InquiryView> {
  return ctx.client.getOne<InquiryView>(
    "inquiry",
    id,
    `/api/v1/inquiries/${encodeURIComponent(id)}`,
  );
}

async function listInquiries(ctx: CommandContext, lastText: string): Promise<number> {
  const last = Number(lastText);
  if (!Number.isInteger(last) || last < 1)
    throw new ValidationError(`--last must be a positive whole number, got "${lastText}"`, {
      field: "last",
    });
  const res = await ctx.client.request("GET", "/api/v1/inquiries", { limit: last });
  if (!Array.isArray(res.json)) throw new ValidationError(`${res.request} did not return a list`);
  // Newest last, like st2, so the most recent question sits just above the prompt.
  const items = [...(res.json as InquiryView[])].reverse();
  const data = renderData(ctx.format, items);
  if (data !== undefined) ctx.print(data);
  else if (items.length === 0) ctx.note("No inquiries are waiting for a response.");
  else ctx.print(renderTable(COLUMNS, items, ctx.io.columns));
  if (data === undefined && res.total !== undefined && res.total > last)
    ctx.note(`Showing ${last} of ${res.total} inquiries; use -n to see more.`);
  return 0;
}

function parseResponse(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`--response is not valid JSON: ${(err as Error).message}`, {
      field: "response",
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ValidationError("--response must be a JSON object, e.g. '{\"continue\": true}'", {
      field: "response",
    });
  return parsed as Record<string, unknown>;
}

async function respond(
  ctx: CommandContext,
  id: string,
  responseText: string | undefined,
  makePrompter: () => Prompter,
): Promise<number> {
  let response: Record<string, unknown>;
  if (responseText !== undefined) {
    response = parseResponse(responseText);
  } else {
    const found = await getInquiry(ctx, id);
    const prompter = makePrompter();
    try {
      if (!prompter.interactive)
        throw new ValidationError(
          `stdin is not a terminal, so squall cannot ask for each field of inquiry ${id}; pass the whole response with -r '<json>'`,
          { field: "response" },
        );
      const properties = found.schema.properties;
      response = await askResponse(
        typeof properties === "object" && properties !== null && !Array.isArray(properties)
          ? (properties as Record<string, unknown>)
          : {},
        prompter,
      );
    } finally {
      prompter.close();
    }
  }
  const path = `/api/v1/inquiries/${encodeURIComponent(id)}`;
  let answer: unknown;
  try {
    answer = (await ctx.client.request("PUT", path, {}, { id, response })).json;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404)
      throw new ResourceNotFoundError("inquiry", id);
    throw err;
  }
  const data = renderData(ctx.format, answer);
  ctx.print(data ?? `Response accepted for inquiry ${id}.`);
  return 0;
}
