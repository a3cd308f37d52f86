/**
 * `squall rule test`, StackStorm's st2-rule-tester: reads a rule file and a trigger-instance
 * file and says whether the rule matches, offline. The rule file is validated as pack
 * registration would validate it, so a broken file is reported with its line, not half-tested.
 */

import type { RuleDef } from "../../core/content/model.ts";
import { validateRule } from "../../core/content/validate.ts";
import { type Locate, parseYamlSource } from "../../core/content/yaml-source.ts";
import { ValidationError } from "../../core/errors.ts";
import type { TemplateEngine } from "../../core/expr/template.ts";
import {
  formatRuleTest,
  type RuleTestExplanation,
  readTriggerInstance,
  type TriggerInstanceInput,
  testRule,
} from "../../core/rules/index.ts";

export { formatRuleTest };

/** The pack st2-rule-tester assumes when the rule file names none. */
const UNKNOWN_PACK = "unknown";

function parse(text: string, file: string, what: string): { value: unknown; locate: Locate } {
  const parsed = parseYamlSource(text);
  if (!parsed.ok) {
    const where = parsed.line !== undefined ? `:${parsed.line}` : "";
    throw new ValidationError(
      `${file}${where}: ${what} is not valid YAML or JSON: ${parsed.message}`,
      {
        file,
        ...(parsed.line !== undefined ? { line: parsed.line } : {}),
        ...(parsed.column !== undefined ? { column: parsed.column } : {}),
      },
    );
  }
  return { value: parsed.value, locate: parsed.locate };
}

/** Reads and validates a rule file's text; every problem is listed with its line. */
export function loadRuleFile(text: string, file: string): RuleDef {
  const { value, locate } = parse(text, file, "the rule file");
  const declared = (value as { pack?: unknown } | null)?.pack;
  const pack = typeof declared === "string" && declared !== "" ? declared : UNKNOWN_PACK;
  const result = validateRule(value, { pack, file, locate });
  if (result.ok) return result.value;
  const lines = result.errors.map(
    (e) => `${e.file}${e.line !== undefined ? `:${e.line}` : ""}: ${e.message}`,
  );
  const first = result.errors[0];
  throw new ValidationError(
    lines.length === 1 ? (lines[0] ?? "") : `the rule file is invalid:\n  ${lines.join("\n  ")}`,
    {
      file,
      ...(first?.field !== undefined ? { field: first.field } : {}),
      ...(first?.line !== undefined ? { line: first.line } : {}),
    },
  );
}

/** A trigger-instance file: `{trigger, payload, ...}` (st2's shape), or a bare payload. */
export function loadTriggerInstanceFile(text: string, file: string): TriggerInstanceInput {
  const { value } = parse(text, file, "the trigger instance file");
  const instance = readTriggerInstance(value);
  if (
    typeof instance.payload !== "object" ||
    instance.payload === null ||
    Array.isArray(instance.payload)
  )
    throw new ValidationError(
      `${file}: the payload must be a mapping (a trigger instance {trigger, payload} or the payload itself)`,
      { file, field: "payload" },
    );
  return instance;
}

export interface RuleTestInput {
  rule: { text: string; file: string };
  instance: { text: string; file: string };
  engine: TemplateEngine;
  now: () => number;
}

export function runRuleTest(input: RuleTestInput): RuleTestExplanation {
  const rule = loadRuleFile(input.rule.text, input.rule.file);
  const instance = loadTriggerInstanceFile(input.instance.text, input.instance.file);
  return testRule(rule, instance.payload, {
    engine: input.engine,
    now: input.now,
    ...(instance.trigger !== undefined ? { triggerRef: instance.trigger } : {}),
  });
}
