/**
 * `squall rule list|get|enable|disable|test` and `squall rule-enforcement list|get`: st2's
 * `st2 rule`, `st2 rule-enforcement` and `st2-rule-tester`.
 */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { RuleDef } from "../../core/content/model.ts";
import { ValidationError } from "../../core/errors.ts";
import type { RuleEnforcement } from "../../core/reactor/model.ts";
import { renderData, renderRecord, renderTable, type TableColumn } from "../format.ts";
import {
  listQueryOf,
  type Resource,
  type ResourceSpec,
  registerResourceCommands,
  toggled,
} from "../resource.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";
import { addLastOption, listRecent, noteIfMore, parseLast } from "./recent-list.ts";

/** A rule as the API returns it: the stored rule plus `id` and the trigger's ref. */
export type RuleView = RuleDef & { id?: string };

const RULE_COLUMNS: ReadonlyArray<TableColumn<Resource>> = [
  { header: "ref", value: (r) => r.ref },
  { header: "pack", value: (r) => r.pack },
  { header: "description", value: (r) => r.description, maxWidth: 60, flex: true },
  { header: "enabled", value: (r) => r.enabled },
];

/** st2's `st2 rule get` order, then the rest of the rule. */
export const RULE_ATTRIBUTES = [
  "id",
  "uid",
  "ref",
  "pack",
  "name",
  "description",
  "enabled",
  "type",
  "trigger",
  "criteria",
  "action",
  "context",
  "tags",
  "metadata_file",
];

const ENFORCEMENT_COLUMNS: ReadonlyArray<TableColumn<RuleEnforcement>> = [
  { header: "id", value: (e) => e.id },
  { header: "rule.ref", value: (e) => e.rule.ref },
  { header: "trigger_instance_id", value: (e) => e.trigger_instance_id },
  { header: "execution_id", value: (e) => e.execution_id },
  { header: "status", value: (e) => e.status },
  { header: "enforced_at", value: (e) => e.enforced_at },
];

const ENFORCEMENT_ATTRIBUTES = [
  "id",
  "rule.ref",
  "trigger_instance_id",
  "execution_id",
  "status",
  "failure_reason",
  "enforced_at",
];

/** What `rule list` takes and sends, and what `rule enable|disable` send back. */
export const RULE: ResourceSpec = {
  kind: "rule",
  plural: "rules",
  path: "/api/v1/rules",
  idName: "ref",
  idHelp: "rule reference, pack.name",
  columns: RULE_COLUMNS,
  attributes: RULE_ATTRIBUTES,
  filters: [
    {
      flag: "pack",
      short: "-p",
      placeholder: "pack",
      query: "pack",
      help: "only rules of this pack",
    },
    {
      flag: "trigger-type",
      short: "-g",
      placeholder: "ref",
      query: "trigger_type",
      help: "only rules on this trigger type",
    },
  ],
  enabledFilter: true,
  emptyHint: "No rules found. Rules come with packs: see `squall pack register`.",
  toggleEffect: () => "the change applies to the next event",
};

interface RuleListOptions {
  pack?: string;
  enabled?: boolean;
  disabled?: boolean;
  triggerType?: string;
}

/** The query for `rule list`; --enabled and --disabled exclude each other, as in st2. */
export function ruleListQuery(options: RuleListOptions): Record<string, string | undefined> {
  return listQueryOf(RULE, { ...options });
}

/** What `rule enable|disable` sends back: the rule as read, with `enabled` changed. */
export function toggledRule(rule: RuleView, enabled: boolean): RuleView {
  return toggled(rule, enabled);
}

export function registerRuleCommands(program: Command, runtime: CliRuntime): void {
  const run = (command: Command, body: (ctx: CommandContext) => Promise<number>) =>
    runCommand(runtime, command, body);
  const rule = program
    .command("rule")
    .description("Browse, create, enable, disable and test rules.");

  registerResourceCommands(rule, runtime, RULE, ["list", "get", "enable", "disable"]);

  rule
    .command("test")
    .description(
      "Check offline whether a rule matches a trigger instance (st2-rule-tester). Exits 0 when it matches, 1 when not.",
    )
    .argument("<rule-file>", "rule definition (YAML or JSON)")
    .argument(
      "<trigger-instance-file>",
      "trigger instance (YAML or JSON): {trigger, payload} as `squall trigger-instance get --json` prints, or the payload alone",
    )
    .action(async (ruleFile: string, instanceFile: string, _options: unknown, command: Command) => {
      await run(command, async (ctx) => {
        // The template engine and matcher load only here, so other commands start quickly.
        const [{ runRuleTest, formatRuleTest }, { MinimalJinja }] = await Promise.all([
          import("./rule-tester.ts"),
          import("../../core/expr/minimal.ts"),
        ]);
        const explanation = runRuleTest({
          rule: { text: readText(ctx, ruleFile), file: ruleFile },
          instance: { text: readText(ctx, instanceFile), file: instanceFile },
          engine: new MinimalJinja(),
          now: Date.now,
        });
        ctx.print(renderData(ctx.format, explanation) ?? formatRuleTest(explanation));
        return explanation.matched ? 0 : 1;
      });
    });

  registerResourceCommands(rule, runtime, RULE, ["create", "update", "delete"]);
  registerEnforcementCommands(program, run);
}

function registerEnforcementCommands(
  program: Command,
  run: (command: Command, body: (ctx: CommandContext) => Promise<number>) => Promise<void>,
): void {
  const enforcement = program
    .command("rule-enforcement")
    .description("Inspect rule enforcements: which rule fired for which trigger instance.");

  addLastOption(
    enforcement
      .command("list")
      .description("List the most recent rule enforcements.")
      .option("--rule <ref>", "only enforcements of this rule")
      .option("--trigger-instance <id>", "only enforcements for this trigger instance")
      .option("--execution <id>", "only the enforcement that started this execution"),
  ).action(
    async (
      options: { last: string; rule?: string; triggerInstance?: string; execution?: string },
      command: Command,
    ) => {
      await run(command, async (ctx) => {
        const page = await listRecent<RuleEnforcement>(
          ctx,
          "/api/v1/ruleenforcements",
          {
            rule_ref: options.rule,
            trigger_instance: options.triggerInstance,
            execution: options.execution,
          },
          parseLast(options.last),
        );
        const data = renderData(ctx.format, page.items);
        if (data !== undefined) ctx.print(data);
        else if (page.items.length === 0) ctx.note("No rule enforcements found.");
        else {
          ctx.print(renderTable(ENFORCEMENT_COLUMNS, page.items, ctx.io.columns));
          noteIfMore(ctx, page, "rule enforcements");
        }
        return 0;
      });
    },
  );

  enforcement
    .command("get")
    .description("Show one rule enforcement.")
    .argument("<id>", "rule enforcement id")
    .action(async (id: string, _options: unknown, command: Command) => {
      await run(command, async (ctx) => {
        const found = await ctx.client.getOne<RuleEnforcement>(
          "rule enforcement",
          id,
          `/api/v1/ruleenforcements/${encodeURIComponent(id)}`,
        );
        ctx.print(renderData(ctx.format, found) ?? renderRecord(found, ENFORCEMENT_ATTRIBUTES));
        return 0;
      });
    });
}

function readText(ctx: CommandContext, file: string): string {
  try {
    return readFileSync(resolve(ctx.io.cwd, file), "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ValidationError(`cannot read ${file} (${reason})`, { file });
  }
}
