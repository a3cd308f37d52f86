/**
 * Evaluates a rule's criteria against a trigger instance payload the way StackStorm's
 * `RuleFilter` does (st2reactor/rules/filter.py):
 *
 * - criteria are checked in order and evaluation stops at the first one that fails;
 * - with criteria present, an empty payload never matches;
 * - a criterion without `type` fails silently;
 * - a string pattern is rendered as Jinja with `{trigger, system, st2kv}`; when it contains
 *   `{{ ... }}` it is first rendered with `| to_complex` appended and JSON-decoded, so
 *   `"{{ trigger.count }}"` stays a number; when that output is not JSON the plain render is used;
 * - the key (minus any `#suffix`) is a JSONPath over `{trigger: payload, system: <datastore>}`
 *   and the first match is the value;
 * - a render, lookup or operator exception fails the criterion AND is reported as an error: the
 *   engine records a failed rule enforcement for each one, as StackStorm does.
 */

import type { RuleDef } from "../content/model.ts";
import { PY_SPACE } from "../expr/python/regex-translate.ts";
import { isPlainObject, pyRepr, pyStr } from "../expr/python/value.ts";
import { type TemplateEngine, TemplateProxy } from "../expr/template.ts";
import { firstValue } from "./jsonpath.ts";
import { getOperator, type OperatorEnv, UnknownOperatorError } from "./operators.ts";

export interface CriteriaOptions {
  engine: TemplateEngine;
  /** Milliseconds since the epoch; the timediff operators' clock. */
  now: () => number;
  /**
   * The `st2kv.system` datastore lookup (a TemplateProxy such as `datastoreContext(...).system`);
   * also reachable from criteria keys as `system.<key>`. Omitted: templates that read it fail.
   */
  kvSystem?: unknown;
  /** Named in operator error messages, as StackStorm does. */
  ruleRef?: string;
  /** Record every check (including search children) for explanations. */
  trace?: boolean;
}

export interface CriterionFailure {
  key: string;
  operator: string;
  /** The rendered pattern when rendering succeeded, else the pattern as written. */
  pattern: unknown;
  /** The payload value the key selected (null when it selected nothing). */
  value: unknown;
  reason: string;
}

export interface CriterionCheck extends CriterionFailure {
  passed: boolean;
  error?: string;
  /** For search children: the list element's index. */
  itemIndex?: number;
  /** Child checks of a `search` criterion, in evaluation order. */
  children?: CriterionCheck[];
}

export interface CriteriaResult {
  matched: boolean;
  /** The first criterion that did not pass. */
  failed?: CriterionFailure;
  /** Why the rule failed before any criterion ran (disabled rule, empty payload). */
  reason?: string;
  /** The first of `errors`. */
  error?: string;
  /**
   * Every exception raised while checking, each a failed enforcement in StackStorm. A `search`
   * child can raise while the rule still matches, so `matched` and `errors` are independent.
   */
  errors: string[];
  checks?: CriterionCheck[];
}

/** StackStorm's MATCH_CRITERIA, with Python's `.` (not `\n`) and `\s` (str.isspace). */
const MATCH_CRITERIA = new RegExp(`(\\{\\{)[${PY_SPACE}]*([^\\n]*)[${PY_SPACE}]*(\\}\\})`, "g");

const PATTERN_MARKERS = /\{[{%#]|[\r\n]$|\r/;

interface Scope {
  /** "trigger" at the top level, "item" inside `search`. */
  prefix: string;
  payload: unknown;
}

class Evaluator {
  readonly errors: string[] = [];
  private readonly env: OperatorEnv;

  constructor(private readonly options: CriteriaOptions) {
    this.env = { now: options.now };
  }

  private lookupContext(scope: Scope): Record<string, unknown> {
    const ctx: Record<string, unknown> = { [scope.prefix]: scope.payload };
    if (this.options.kvSystem !== undefined) ctx.system = this.options.kvSystem;
    return ctx;
  }

  private renderContext(scope: Scope): Record<string, unknown> {
    const ctx = this.lookupContext(scope);
    if (this.options.kvSystem !== undefined) ctx.st2kv = { system: this.options.kvSystem };
    return ctx;
  }

  private renderPattern(pattern: unknown, scope: Scope): unknown {
    if (pattern === null || pattern === undefined) return null;
    if (typeof pattern !== "string") return pattern;
    // Plain text renders to itself (Jinja drops one trailing newline and normalises \r\n,
    // so those still go through the engine); most patterns are plain.
    if (!PATTERN_MARKERS.test(pattern)) return pattern;
    const { engine } = this.options;
    const ctx = this.renderContext(scope);
    MATCH_CRITERIA.lastIndex = 0;
    if (MATCH_CRITERIA.test(pattern)) {
      const complex = pattern.replace(MATCH_CRITERIA, "$1$2 | to_complex$3");
      const rendered = engine.render(complex, ctx);
      try {
        return JSON.parse(rendered);
      } catch {
        // Not JSON: StackStorm falls back to the plain render below.
      }
    }
    return engine.render(pattern, ctx);
  }

  private lookup(key: string, scope: Scope): unknown {
    // `trigger.x#2` lets one key appear twice in a YAML mapping; the suffix is not part of the path.
    const path = key.split("#", 1)[0] ?? "";
    const first = firstValue(path, this.lookupContext(scope));
    return first instanceof TemplateProxy ? first.str() : (first ?? null);
  }

  private fail(check: CriterionCheck, message: string, err: unknown): CriterionCheck {
    const detail = err instanceof Error ? err.message : String(err);
    const error = `${message}: ${detail}`;
    this.errors.push(error);
    check.passed = false;
    check.error = error;
    check.reason = error;
    return check;
  }

  check(key: string, criterion: unknown, scope: Scope): CriterionCheck {
    const check: CriterionCheck = {
      key,
      operator: "",
      pattern: null,
      value: null,
      passed: false,
      reason: "",
    };
    if (!isPlainObject(criterion) || !("type" in criterion)) {
      check.reason = "criterion has no type, so it cannot match";
      return check;
    }
    const operatorName = criterion.type;
    check.operator = typeof operatorName === "string" ? operatorName : pyRepr(operatorName);
    const rawPattern = criterion.pattern ?? null;
    check.pattern = rawPattern;

    try {
      check.pattern = this.renderPattern(rawPattern, scope);
    } catch (e) {
      return this.fail(
        check,
        `Failed to render pattern value "${pyStr(rawPattern)}" for key "${key}"`,
        e,
      );
    }
    try {
      check.value = this.lookup(key, scope);
    } catch (e) {
      return this.fail(check, `Failed transforming criteria key ${key}`, e);
    }

    const where = `There might be a problem with the criteria in rule ${this.options.ruleRef ?? "(unnamed)"}`;
    try {
      if (typeof operatorName !== "string") throw new UnknownOperatorError(pyRepr(operatorName));
      const op = getOperator(operatorName);
      if (op.kind === "search") {
        // StackStorm only passes condition and child checker when the type is exactly "search".
        if (operatorName !== "search") {
          throw new TypeError(
            "search() missing 2 required positional arguments: 'criteria_condition' and 'check_function'",
          );
        }
        check.passed = this.search(check, criterion.condition ?? null);
      } else {
        check.passed = op.apply(check.value, check.pattern, this.env);
      }
    } catch (e) {
      return this.fail(check, where, e);
    }
    if (!check.passed) {
      check.reason =
        operatorName === "search"
          ? `no match for search condition ${pyRepr(criterion.condition ?? null)} over ${pyRepr(check.value)}`
          : `${check.operator} is false for value ${pyRepr(check.value)} and pattern ${pyRepr(check.pattern)}`;
    }
    return check;
  }

  private search(check: CriterionCheck, condition: unknown): boolean {
    const op = getOperator("search");
    if (op.kind !== "search") throw new UnknownOperatorError("search");
    const children: CriterionCheck[] = [];
    const result = op.apply(check.value, check.pattern, condition, (key, criterion, item) => {
      const child = this.check(key, criterion, { prefix: "item", payload: item });
      children.push(child);
      return child.passed;
    });
    if (this.options.trace) {
      // Children arrive item by item, each item checked against every child criterion.
      const perItem = isPlainObject(check.pattern)
        ? Math.max(Object.keys(check.pattern).length, 1)
        : 1;
      children.forEach((child, i) => {
        child.itemIndex = Math.floor(i / perItem);
      });
      check.children = children;
    }
    return result;
  }
}

/** Python truthiness of a payload (`not payload`). */
function isEmptyPayload(payload: unknown): boolean {
  if (payload === null || payload === undefined || payload === false || payload === 0) return true;
  if (typeof payload === "string" || Array.isArray(payload)) return payload.length === 0;
  if (isPlainObject(payload)) return Object.keys(payload).length === 0;
  return false;
}

/** Evaluates `criteria` against `payload` (StackStorm's RuleFilter, minus the enabled check). */
export function evaluateCriteria(
  criteria: RuleDef["criteria"] | null | undefined,
  payload: unknown,
  options: CriteriaOptions,
): CriteriaResult {
  const entries = Object.entries(criteria ?? {});
  if (entries.length > 0 && isEmptyPayload(payload)) {
    return {
      matched: false,
      reason: "the trigger instance payload is empty and the rule has criteria",
      errors: [],
    };
  }
  const evaluator = new Evaluator(options);
  const checks: CriterionCheck[] = [];
  let failed: CriterionFailure | undefined;
  for (const [key, criterion] of entries) {
    const check = evaluator.check(key, criterion, { prefix: "trigger", payload });
    checks.push(check);
    if (!check.passed) {
      failed = {
        key: check.key,
        operator: check.operator,
        pattern: check.pattern,
        value: check.value,
        reason: check.reason,
      };
      break;
    }
  }
  const result: CriteriaResult = { matched: failed === undefined, errors: evaluator.errors };
  if (failed) result.failed = failed;
  if (evaluator.errors.length > 0) result.error = evaluator.errors[0];
  if (options.trace) result.checks = checks;
  return result;
}

/** StackStorm's RuleFilter.filter(): a disabled rule never matches. */
export function evaluateRule(
  rule: Pick<RuleDef, "ref" | "enabled" | "criteria">,
  payload: unknown,
  options: CriteriaOptions,
): CriteriaResult {
  if (!rule.enabled) return { matched: false, reason: "the rule is disabled", errors: [] };
  return evaluateCriteria(rule.criteria, payload, { ...options, ruleRef: rule.ref });
}

/** The failure_reason StackStorm stores on a failed rule enforcement. */
export function enforcementFailureReason(
  ruleRef: string,
  triggerInstanceId: string,
  error: string,
): string {
  return `Failed to match rule "${ruleRef}" against trigger instance "${triggerInstanceId}": ${error}`;
}
