/**
 * A rule list compiled for matching many events: each distinct criterion path is looked up once
 * per event (not once per rule), and an equality index rules out, without evaluating them, the
 * rules that could only fail on an `equals` criterion.
 *
 * When the index may skip a rule. A rule is indexed on one criterion `K: equals "text"` (string
 * pattern, fast path) when every criterion before it is `equals`/`nequals` (any plain pattern)
 * or `exists`/`nexists`. For an event where the value at each of those criteria's paths is a
 * primitive (string, number, boolean, or absent), none of them can raise: with a primitive
 * value, Python equality never raises and the pattern is never bytes. So the full evaluator,
 * checking criteria in order, either stops early without an error or reaches K, and K's
 * `equals` is true only when the value is exactly the string "text" (Python's `1 == "1"` and
 * `None == "x"` are false). A rule whose K value differs therefore certainly fails and records
 * no error, and skipping it changes nothing but the work done. For any event where one of those
 * values is not a primitive (an object, a list, a lookup that raised), the index is not used and
 * every rule is checked.
 */

import type { RuleDef } from "../content/model.ts";
import { compiledRule, type FastCriterion } from "./compiled.ts";
import { firstValue } from "./jsonpath.ts";
import type { SimpleOperator } from "./operators.ts";

export interface PlannedCriterion {
  /** Where this criterion's value sits in the per-event values (see `lookupValues`). */
  slot: number;
  apply: SimpleOperator;
  pattern: unknown;
}

export interface PlannedRule {
  rule: RuleDef;
  backstop: boolean;
  /** null: the rule needs the full evaluator (no fast path, or disabled). */
  criteria: PlannedCriterion[] | null;
}

interface EqualityIndex {
  /** Slots whose values must all be primitives for the index to be used for an event. */
  guards: number[];
  /** Per indexed slot: positions (ascending) of the rules indexed on it, by pattern. */
  keys: Array<{ slot: number; buckets: Map<string, number[]> }>;
  /** Positions (ascending) of the rules the index never skips. */
  always: number[];
}

export interface RuleSetPlan {
  /** In the list's order. */
  rules: PlannedRule[];
  /** Distinct criterion paths of the fast-path rules; a criterion's slot indexes this. */
  paths: string[];
  index: EqualityIndex | null;
  /** Every position, for events the index cannot serve. */
  all: number[];
}

/** A path lookup that raised: the criterion needs the full evaluator, which reports the error. */
export const LOOKUP_FAILED: unique symbol = Symbol("lookup failed");

const EQUALS = new Set(["equals", "eq"]);
/** Operators that cannot raise on a primitive value and a plain (non-object) pattern. */
const SAFE_BEFORE_KEY = new Set(["equals", "eq", "nequals", "neq", "exists", "nexists"]);

const plans = new WeakMap<readonly RuleDef[], RuleSetPlan>();

/**
 * The plan for `rules`. Frozen lists (what RuleIndex.rulesFor hands out, one per version of a
 * trigger's rules) are planned once; a list that may still change is planned on every call.
 */
export function planRuleSet(rules: readonly RuleDef[]): RuleSetPlan {
  if (!Object.isFrozen(rules)) return buildPlan(rules);
  let plan = plans.get(rules);
  if (plan === undefined) {
    plan = buildPlan(rules);
    plans.set(rules, plan);
  }
  return plan;
}

function buildPlan(rules: readonly RuleDef[]): RuleSetPlan {
  const paths: string[] = [];
  const slotOf = new Map<string, number>();
  const slot = (path: string): number => {
    let s = slotOf.get(path);
    if (s === undefined) {
      s = paths.length;
      paths.push(path);
      slotOf.set(path, s);
    }
    return s;
  };
  const planned: PlannedRule[] = [];
  const fast: Array<FastCriterion[] | null> = [];
  for (const rule of rules) {
    const compiled = rule.enabled ? compiledRule(rule) : null;
    fast.push(compiled);
    planned.push({
      rule,
      backstop: rule.type?.ref === "backstop",
      criteria:
        compiled?.map((c) => ({ slot: slot(c.path), apply: c.apply, pattern: c.pattern })) ?? null,
    });
  }
  return { rules: planned, paths, index: buildIndex(planned, fast), all: planned.map((_, i) => i) };
}

/** The criteria (by number) a rule could be indexed on. */
function indexable(criteria: readonly FastCriterion[]): number[] {
  const out: number[] = [];
  for (const [i, c] of criteria.entries()) {
    if (EQUALS.has(c.op) && typeof c.pattern === "string") out.push(i);
    if (!SAFE_BEFORE_KEY.has(c.op)) break;
  }
  return out;
}

function buildIndex(
  planned: PlannedRule[],
  fast: Array<FastCriterion[] | null>,
): EqualityIndex | null {
  // Each rule is indexed on its most selective candidate: the (slot, pattern) fewest rules share.
  const bucketKey = (rule: PlannedRule, i: number): string => {
    const c = rule.criteria?.[i];
    return c ? `${c.slot}\u0000${String(c.pattern)}` : "";
  };
  const counts = new Map<string, number>();
  const candidates = planned.map((rule, position) => {
    const criteria = fast[position];
    const found = criteria ? indexable(criteria) : [];
    for (const i of found) {
      const key = bucketKey(rule, i);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return found;
  });
  const guards = new Set<number>();
  const keys = new Map<number, Map<string, number[]>>();
  const always: number[] = [];
  for (const [position, rule] of planned.entries()) {
    const found = candidates[position] ?? [];
    let best: number | undefined;
    for (const i of found) {
      if (
        best === undefined ||
        (counts.get(bucketKey(rule, i)) ?? 0) < (counts.get(bucketKey(rule, best)) ?? 0)
      )
        best = i;
    }
    const criteria = rule.criteria;
    const key = best === undefined ? undefined : criteria?.[best];
    if (!criteria || best === undefined || !key) {
      always.push(position);
      continue;
    }
    for (const c of criteria.slice(0, best + 1)) guards.add(c.slot);
    let buckets = keys.get(key.slot);
    if (!buckets) {
      buckets = new Map();
      keys.set(key.slot, buckets);
    }
    const pattern = key.pattern as string;
    const bucket = buckets.get(pattern);
    if (bucket) bucket.push(position);
    else buckets.set(pattern, [position]);
  }
  if (keys.size === 0) return null;
  return {
    guards: [...guards],
    keys: [...keys].map(([slot, buckets]) => ({ slot, buckets })),
    always,
  };
}

/** Each path's first value in the payload (LOOKUP_FAILED where the lookup raised). */
export function lookupValues(plan: RuleSetPlan, payload: unknown): unknown[] {
  const scope = { trigger: payload };
  const values = new Array<unknown>(plan.paths.length);
  for (let i = 0; i < plan.paths.length; i++) {
    try {
      values[i] = firstValue(plan.paths[i] as string, scope);
    } catch {
      values[i] = LOOKUP_FAILED;
    }
  }
  return values;
}

function isPrimitive(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean"
  );
}

/**
 * Positions (ascending) of the rules whose criteria must be checked for an event with these
 * values; every other rule certainly fails without an error (see the module comment).
 */
export function candidatePositions(
  plan: RuleSetPlan,
  values: readonly unknown[],
): readonly number[] {
  const index = plan.index;
  if (index === null) return plan.all;
  for (const slot of index.guards) if (!isPrimitive(values[slot])) return plan.all;
  let only: readonly number[] | undefined = index.always.length > 0 ? index.always : undefined;
  let merged: number[] | undefined;
  for (const { slot, buckets } of index.keys) {
    const value = values[slot];
    const hits = typeof value === "string" ? buckets.get(value) : undefined;
    if (hits === undefined) continue;
    if (only === undefined) only = hits;
    else {
      merged ??= [...only];
      for (const h of hits) merged.push(h);
    }
  }
  // Each rule is in exactly one list, so the union needs sorting but no de-duplication.
  if (merged) return merged.sort((a, b) => a - b);
  return only ?? EMPTY;
}

const EMPTY: readonly number[] = Object.freeze([]);
