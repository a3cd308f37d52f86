/**
 * `squall expr '<text>' [--data JSON]`: evaluates text exactly as an Orquesta workflow
 * expression is evaluated, locally (no server needed), and prints the result as JSON.
 */

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { evaluateWorkflowExpression, workflowValueToJson } from "../../core/expr/workflow.ts";
import type { CliRuntime } from "../runtime.ts";

function parseData(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  const text = raw.startsWith("@") ? readFileSync(raw.slice(1), "utf8") : raw;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`--data is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new Error("--data must be a JSON object (the workflow context that ctx() reads)");
  return data as Record<string, unknown>;
}

export function registerExprCommand(program: Command, runtime: CliRuntime): void {
  program
    .command("expr <text>")
    .description(
      "Evaluate <% yaql %> or {{ jinja }} as an Orquesta workflow would; print the result as JSON",
    )
    .option("--data <json>", "workflow context as a JSON object, or @file")
    .action((text: string, opts: { data?: string }) => {
      try {
        const value = evaluateWorkflowExpression(text, parseData(opts.data));
        runtime.io.out(`${workflowValueToJson(value)}\n`);
        runtime.exitCode = 0;
      } catch (err) {
        runtime.io.err(`${err instanceof Error ? err.message : String(err)}\n`);
        runtime.exitCode = 1;
      }
    });
}
