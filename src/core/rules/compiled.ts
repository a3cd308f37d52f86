/**
 * A fast path for the common rule: every criterion a plain field path (`trigger.body.x`), a
 * plain pattern (no template), and a simple operator. Such a rule compiles to a list of
 * (path, operator, pattern) and is checked without building contexts, rendering or failure
 * messages: about a microsecond a rule instead of tens. Matching cost per event is then
 * dominated by how many rules share the trigger, not by per-rule overhead.
 *
 * The fast path only ever answers "matched" or "not matched". Anything else (an operator
 * raising, an empty payload, a search, a template) is answered by the full evaluator, so
 * results, errors and their wording are identical either way.
 */

import type { RuleDef } from "../content/model.ts";
import { firstValue } from "./jsonpath.ts";
import { getOperator, type OperatorEnv, type SimpleOperator } from "./operators.ts";

export interface FastCriterion {
  path: string;
  /** The operator's canonical (lower-case) name. */
  op: string;
  apply: SimpleOperator;
  pattern: unknown;
}

const PLAIN_PATH = /^trigger(\.[A-Za-z_][A-Za-z0-9_-]*)+$/;
const TEMPLATE_MARKERS = /\{[{%#]|[\r\n]$|\r/;

/** null: the rule needs the full evaluator. */
export type CompiledRule = FastCriterion[] | null;

const compiled = new WeakMap<object, CompiledRule>();

function compile(rule: Pick<RuleDef, "criteria">): CompiledRule {
  const out: FastCriterion[] = [];
  for (const [key, criterion] of Object.entries(rule.criteria ?? {})) {
    const path = key.split("#", 1)[0] ?? "";
    if (!PLAIN_PATH.test(path)) return null;
    if (typeof criterion !== "object" || criterion === null) return null;
    const { type, pattern } = criterion as { type?: unknown; pattern?: unknown };
    if (typeof type !== "string") return null;
    if (typeof pattern === "string" && TEMPLATE_MARKERS.test(pattern)) return null;
    if (pattern !== null && pattern !== undefined && typeof pattern === "object") return null;
    let op: ReturnType<typeof getOperator>;
    try {
      op = getOperator(type);
    } catch {
      return null;
    }
    if (op.kind !== "simple") return null;
    out.push({ path, op: op.name, apply: op.apply, pattern: pattern ?? null });
  }
  return out.length > 0 ? out : null;
}

export function compiledRule(rule: Pick<RuleDef, "criteria">): CompiledRule {
  let c = compiled.get(rule);
  if (c === undefined) {
    c = compile(rule);
    compiled.set(rule, c);
  }
  return c;
}

/**
 * true / false when the fast path can decide; undefined when the full evaluator must (an
 * operator raised, so there is an error to record with its exact message).
 */
export function fastMatch(
  rule: CompiledRule,
  payload: unknown,
  env: OperatorEnv,
): boolean | undefined {
  if (rule === null || isEmpty(payload)) return undefined;
  const scope = { trigger: payload };
  try {
    for (const c of rule) {
      const value = firstValue(c.path, scope);
      if (!c.apply(value ?? null, c.pattern, env)) return false;
    }
    return true;
  } catch {
    return undefined;
  }
}

/** Payloads the fast path leaves to the full evaluator (which answers "no match" for them). */
export function isEmpty(payload: unknown): boolean {
  if (typeof payload !== "object" || payload === null) return true;
  for (const _ in payload) return false;
  return !Array.isArray(payload) || payload.length === 0;
}
