/**
 * Offline rule testing (`squall rule test`, StackStorm's `st2-rule-tester`): does this rule match
 * this trigger instance, and if not, which criterion stopped it and why. Like st2-rule-tester,
 * the rule is treated as enabled and a trigger instance for another trigger never matches.
 */

import type { RuleDef } from "../content/model.ts";
import { isPlainObject, pyRepr } from "../expr/python/value.ts";
import {
  type CriteriaOptions,
  type CriterionCheck,
  type CriterionFailure,
  evaluateCriteria,
} from "./criteria.ts";

export interface RuleTestOptions extends Omit<CriteriaOptions, "trace" | "ruleRef"> {
  /** The trigger ref of the instance under test, when known. */
  triggerRef?: string;
}

export interface RuleTestExplanation {
  rule: string;
  /** The trigger the rule listens on (`trigger.ref`, else `trigger.type`). */
  trigger: string;
  matched: boolean;
  /** Set when the rule failed before any criterion ran. */
  reason?: string;
  failed?: CriterionFailure;
  /** Exceptions StackStorm would record as failed enforcements. */
  errors: string[];
  /** Every criterion checked, in order, up to and including the first failure. */
  checks: CriterionCheck[];
}

export interface TriggerInstanceInput {
  trigger?: string;
  payload: unknown;
}

/**
 * Reads a trigger-instance file's content: a trigger instance (`{trigger, payload, ...}`, as
 * st2-rule-tester expects) or, for convenience, a bare payload object.
 */
export function readTriggerInstance(data: unknown): TriggerInstanceInput {
  if (isPlainObject(data) && typeof data.trigger === "string" && "payload" in data) {
    return { trigger: data.trigger, payload: data.payload };
  }
  return { payload: data };
}

export function testRule(
  rule: RuleDef,
  payload: unknown,
  options: RuleTestOptions,
): RuleTestExplanation {
  const trigger = rule.trigger.ref ?? rule.trigger.type;
  const base = { rule: rule.ref, trigger };
  if (options.triggerRef !== undefined && options.triggerRef !== trigger) {
    return {
      ...base,
      matched: false,
      reason: `the trigger instance is for ${options.triggerRef}, the rule listens on ${trigger}`,
      errors: [],
      checks: [],
    };
  }
  const { triggerRef: _ignored, ...criteriaOptions } = options;
  const result = evaluateCriteria(rule.criteria, payload, {
    ...criteriaOptions,
    ruleRef: rule.ref,
    trace: true,
  });
  const out: RuleTestExplanation = {
    ...base,
    matched: result.matched,
    errors: result.errors,
    checks: result.checks ?? [],
  };
  if (result.reason) out.reason = result.reason;
  if (result.failed) out.failed = result.failed;
  return out;
}

function describe(check: CriterionCheck, indent: string): string[] {
  const mark = check.error ? "ERROR" : check.passed ? "pass " : "FAIL ";
  const where = check.itemIndex !== undefined ? ` [item ${check.itemIndex}]` : "";
  const head = `${indent}${mark} ${check.key}${where}: ${check.operator} ${pyRepr(check.pattern)} (value ${pyRepr(check.value)})`;
  const lines = [head];
  if (!check.passed) lines.push(`${indent}      ${check.reason}`);
  for (const child of check.children ?? []) lines.push(...describe(child, `${indent}  `));
  return lines;
}

/** Human-readable report for the CLI. */
export function formatRuleTest(e: RuleTestExplanation): string {
  const lines = [
    `Rule ${e.rule} (trigger ${e.trigger}): ${e.matched ? "MATCHES" : "DOES NOT MATCH"}`,
  ];
  if (e.reason) lines.push(`  ${e.reason}`);
  if (e.checks.length === 0 && !e.reason) lines.push("  (no criteria: every instance matches)");
  for (const check of e.checks) lines.push(...describe(check, "  "));
  if (e.errors.length > 0) {
    lines.push("Errors (each is recorded as a failed rule enforcement):");
    for (const error of e.errors) lines.push(`  - ${error}`);
  }
  return lines.join("\n");
}
