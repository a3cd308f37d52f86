/**
 * Which rules fire for a trigger instance (StackStorm's RulesMatcher), and the in-memory index
 * that finds a trigger's rules without scanning every rule.
 *
 * Backstop semantics: standard rules are evaluated first; backstop rules are evaluated only if
 * no standard rule matched (a skipped backstop rule is not evaluated at all, so it records no
 * errors). Matches keep the rules' order: standard matches, then backstop matches.
 */

import type { RuleDef } from "../content/model.ts";
import { ValidationError } from "../errors.ts";
import { isEmpty } from "./compiled.ts";
import { type CriteriaOptions, type CriteriaResult, evaluateRule } from "./criteria.ts";
import type { OperatorEnv } from "./operators.ts";
import {
  candidatePositions,
  LOOKUP_FAILED,
  lookupValues,
  type PlannedCriterion,
  type PlannedRule,
  planRuleSet,
} from "./rule-set.ts";

export interface RuleEvaluation {
  rule: RuleDef;
  result: CriteriaResult;
}

export interface MatchOutcome {
  /** Rules to enforce, in order. */
  matched: RuleDef[];
  /**
   * Every rule whose criteria were checked, in order, with its result. Absent: backstops skipped
   * after a standard match, and rules the equality index ruled out (each of those would fail
   * with no error; `index: false` checks them all).
   */
  evaluated: RuleEvaluation[];
  /** One entry per exception; the engine records each as a failed rule enforcement. */
  errors: Array<{ rule: RuleDef; error: string }>;
}

export interface MatchOptions extends CriteriaOptions {
  /**
   * false: check every rule instead of letting the equality index rule some out. The matched
   * rules and errors are the same either way; only `evaluated` differs. Default true.
   */
  index?: boolean;
}

export function isBackstop(rule: Pick<RuleDef, "type">): boolean {
  return rule.type?.ref === "backstop";
}

/**
 * StackStorm's RulesMatcher over `rules` (one trigger's rules, in order). A frozen list (as
 * RuleIndex.rulesFor returns) is compiled once and reused for every event.
 */
export function matchRules(
  rules: readonly RuleDef[],
  payload: unknown,
  options: MatchOptions,
): MatchOutcome {
  const outcome: MatchOutcome = { matched: [], evaluated: [], errors: [] };
  if (options.trace) {
    // Explanations always take the full evaluator.
    for (const rule of rules)
      if (!isBackstop(rule) && checkFully(rule, payload, options, outcome))
        outcome.matched.push(rule);
    if (outcome.matched.length > 0) return outcome;
    for (const rule of rules)
      if (isBackstop(rule) && checkFully(rule, payload, options, outcome))
        outcome.matched.push(rule);
    return outcome;
  }

  const plan = planRuleSet(rules);
  // The fast path declines empty payloads (every rule with criteria fails on them, no error).
  const values = isEmpty(payload) ? null : lookupValues(plan, payload);
  const positions =
    values !== null && options.index !== false ? candidatePositions(plan, values) : plan.all;
  // No closures here: each would cost a function allocation (and a name definition under tsx)
  // per event.
  for (const p of positions) {
    const planned = plan.rules[p] as PlannedRule;
    if (!planned.backstop && check(planned, values, payload, options, outcome))
      outcome.matched.push(planned.rule);
  }
  if (outcome.matched.length > 0) return outcome;
  for (const p of positions) {
    const planned = plan.rules[p] as PlannedRule;
    if (planned.backstop && check(planned, values, payload, options, outcome))
      outcome.matched.push(planned.rule);
  }
  return outcome;
}

function check(
  planned: PlannedRule,
  values: readonly unknown[] | null,
  payload: unknown,
  options: MatchOptions,
  outcome: MatchOutcome,
): boolean {
  const fast =
    values !== null && planned.criteria !== null
      ? fastCheck(planned.criteria, values, options)
      : undefined;
  if (fast === undefined) return checkFully(planned.rule, payload, options, outcome);
  outcome.evaluated.push({ rule: planned.rule, result: { matched: fast, errors: [] } });
  return fast;
}

function checkFully(
  rule: RuleDef,
  payload: unknown,
  options: MatchOptions,
  outcome: MatchOutcome,
): boolean {
  const result = evaluateRule(rule, payload, options);
  outcome.evaluated.push({ rule, result });
  for (const error of result.errors) outcome.errors.push({ rule, error });
  return result.matched;
}

/**
 * The fast path over looked-up values: true / false, or undefined when the full evaluator must
 * decide (a lookup or an operator raised, so there is an error to record in its exact words).
 */
function fastCheck(
  criteria: readonly PlannedCriterion[],
  values: readonly unknown[],
  env: OperatorEnv,
): boolean | undefined {
  try {
    for (const c of criteria) {
      const value = values[c.slot];
      if (value === LOOKUP_FAILED) return undefined;
      if (!c.apply(value ?? null, c.pattern, env)) return false;
    }
    return true;
  } catch {
    return undefined;
  }
}

/** Maps a rule to the ref of the Trigger it listens on (the engine knows parameterised triggers). */
export type TriggerRefResolver = (rule: RuleDef) => string;

/**
 * The trigger ref a rule resolves to without any registry: an explicit `trigger.ref`, or for a
 * parameterless trigger type its shadow trigger, whose ref is the type's ref. A rule with trigger
 * parameters needs the engine's resolver (its Trigger is named by a UUID).
 */
export const shadowTriggerRef: TriggerRefResolver = (rule) => {
  if (rule.trigger.ref) return rule.trigger.ref;
  const params = rule.trigger.parameters;
  if (params && Object.keys(params).length > 0) {
    throw new ValidationError(
      `rule ${rule.ref}: trigger ${rule.trigger.type} has parameters, so its trigger ref must come from the trigger registry`,
      { file: rule.metadata_file, field: "trigger.parameters" },
    );
  }
  return rule.trigger.type;
};

/**
 * Enabled rules grouped by trigger ref. Lookup cost depends only on the rules of the asked-for
 * trigger. Within a trigger, rules keep the order they were first added (StackStorm evaluates
 * in database order); updating a rule keeps its place.
 */
export class RuleIndex {
  private readonly byTrigger = new Map<string, Map<string, RuleDef>>();
  private readonly triggerOf = new Map<string, string>();
  private readonly lists = new Map<string, readonly RuleDef[]>();

  constructor(private readonly resolve: TriggerRefResolver = shadowTriggerRef) {}

  /** Adds or replaces a rule; a disabled rule is removed (only enabled rules are matched). */
  upsert(rule: RuleDef, triggerRef?: string): void {
    if (!rule.enabled) {
      this.remove(rule.ref);
      return;
    }
    const ref = triggerRef ?? this.resolve(rule);
    const previous = this.triggerOf.get(rule.ref);
    if (previous !== undefined && previous !== ref) this.remove(rule.ref);
    let rules = this.byTrigger.get(ref);
    if (!rules) {
      rules = new Map();
      this.byTrigger.set(ref, rules);
    }
    rules.set(rule.ref, rule);
    this.triggerOf.set(rule.ref, ref);
    this.lists.delete(ref);
  }

  remove(ruleRef: string): boolean {
    const ref = this.triggerOf.get(ruleRef);
    if (ref === undefined) return false;
    this.triggerOf.delete(ruleRef);
    const rules = this.byTrigger.get(ref);
    rules?.delete(ruleRef);
    if (rules?.size === 0) this.byTrigger.delete(ref);
    this.lists.delete(ref);
    return true;
  }

  rulesFor(triggerRef: string): readonly RuleDef[] {
    const cached = this.lists.get(triggerRef);
    if (cached) return cached;
    const rules = this.byTrigger.get(triggerRef);
    const list = rules ? Object.freeze([...rules.values()]) : EMPTY;
    if (rules) this.lists.set(triggerRef, list);
    return list;
  }

  /** The trigger ref a rule is indexed under, if it is indexed. */
  triggerRefOf(ruleRef: string): string | undefined {
    return this.triggerOf.get(ruleRef);
  }

  get size(): number {
    return this.triggerOf.size;
  }

  triggerRefs(): string[] {
    return [...this.byTrigger.keys()];
  }
}

const EMPTY: readonly RuleDef[] = Object.freeze([]);
