/**
 * `squall trace list|get`: what one event caused. `get` prints the trace's header and then its
 * components (trigger instances, rules, executions) in the order they happened, each with what
 * caused it, so a chain reads top to bottom.
 */

import type { Command } from "commander";
import type { Trace, TraceComponent } from "../../core/reactor/model.ts";
import { renderData, renderRecord, renderTable, type TableColumn } from "../format.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";
import { addLastOption, listRecent, noteIfMore, parseLast } from "./recent-list.ts";

const TRACE_COLUMNS: ReadonlyArray<TableColumn<Trace>> = [
  { header: "id", value: (t) => t.id },
  { header: "trace_tag", value: (t) => t.trace_tag, maxWidth: 60, flex: true },
  { header: "start_timestamp", value: (t) => t.start_timestamp },
];

export interface TraceComponentRow {
  type: "trigger-instance" | "rule" | "execution";
  id: string;
  ref: string;
  updated_at: string;
  /** `<kind>:<id>` of the cause, empty for the event that started the trace. */
  caused_by: string;
}

const COMPONENT_COLUMNS: ReadonlyArray<TableColumn<TraceComponentRow>> = [
  { header: "type", value: (c) => c.type },
  { header: "id", value: (c) => c.id },
  { header: "ref", value: (c) => c.ref },
  { header: "updated_at", value: (c) => c.updated_at },
  { header: "caused_by", value: (c) => c.caused_by, maxWidth: 60, flex: true },
];

const KINDS: ReadonlyArray<
  [
    keyof Pick<Trace, "trigger_instances" | "rules" | "action_executions">,
    TraceComponentRow["type"],
  ]
> = [
  ["trigger_instances", "trigger-instance"],
  ["rules", "rule"],
  ["action_executions", "execution"],
];

function causeOf(component: TraceComponent): string {
  const cause = component.caused_by as { type?: string; id?: string };
  if (!cause.type && !cause.id) return "";
  return `${cause.type ?? "?"}:${cause.id ?? "?"}`;
}

/**
 * A trace's components as one list in time order (st2 sorts by updated_at the same way); at equal
 * times a trigger instance comes before the rule it fired and the rule before its execution.
 */
export function traceComponentRows(
  trace: Pick<Trace, "trigger_instances" | "rules" | "action_executions">,
): TraceComponentRow[] {
  const rows: Array<TraceComponentRow & { order: number }> = [];
  KINDS.forEach(([field, type], order) => {
    for (const c of trace[field] ?? [])
      rows.push({
        type,
        id: c.object_id,
        ref: c.ref,
        updated_at: c.updated_at,
        caused_by: causeOf(c),
        order,
      });
  });
  rows.sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.order - b.order);
  return rows.map(({ order: _order, ...row }) => row);
}

export function registerTraceCommands(program: Command, runtime: CliRuntime): void {
  const run = (command: Command, body: (ctx: CommandContext) => Promise<number>) =>
    runCommand(runtime, command, body);
  const trace = program
    .command("trace")
    .description("Follow what events caused: trigger instances, rules, executions.");

  addLastOption(
    trace
      .command("list")
      .description("List the most recent traces.")
      .option("-c, --trace-tag <tag>", "only traces with this tag"),
  ).action(async (options: { last: string; traceTag?: string }, command: Command) => {
    await run(command, async (ctx) => {
      const page = await listRecent<Trace>(
        ctx,
        "/api/v1/traces",
        { trace_tag: options.traceTag },
        parseLast(options.last),
      );
      const data = renderData(ctx.format, page.items);
      if (data !== undefined) ctx.print(data);
      else if (page.items.length === 0) ctx.note("No traces found.");
      else {
        ctx.print(renderTable(TRACE_COLUMNS, page.items, ctx.io.columns));
        noteIfMore(ctx, page, "traces");
      }
      return 0;
    });
  });

  trace
    .command("get")
    .description("Show a trace and everything in it, in the order it happened.")
    .argument("<id>", "trace id")
    .action(async (id: string, _options: unknown, command: Command) => {
      await run(command, async (ctx) => {
        const found = await ctx.client.getOne<Trace>(
          "trace",
          id,
          `/api/v1/traces/${encodeURIComponent(id)}`,
        );
        const data = renderData(ctx.format, found);
        if (data !== undefined) {
          ctx.print(data);
          return 0;
        }
        ctx.print(renderRecord(found, ["id", "trace_tag", "start_timestamp"]));
        const rows = traceComponentRows(found);
        ctx.print("");
        ctx.print(
          rows.length === 0
            ? "(no components)"
            : renderTable(COMPONENT_COLUMNS, rows, ctx.io.columns),
        );
        return 0;
      });
    });
}
