/**
 * Rule criteria operators with StackStorm's semantics (st2common/operators.py). Each operator
 * behaves as the Python original does on the same inputs, including the exceptions: an operator
 * that would raise in Python throws OperatorError here, and the criteria evaluator turns that
 * into a failed rule enforcement exactly as StackStorm does.
 *
 * Shared rules, as in StackStorm: a `null` pattern makes every operator false except `nequals`,
 * `exists`, `nexists` and `search`; bytes (Uint8Array) value or pattern are decoded as UTF-8
 * first; nothing else is coerced (`equals` 1 vs "1" is false, `lessthan` "a" vs 1 raises).
 */

import { SquallError } from "../errors.ts";
import { pyFloat } from "../expr/python/convert.ts";
import { asOperatorError, OperatorError } from "../expr/python/errors.ts";
import { compilePythonRegex } from "../expr/python/regex-translate.ts";
import { isPlainObject, pyContains, pyEquals, pyStr, pyTypeName } from "../expr/python/value.ts";
import { fnmatch } from "./fnmatch.ts";
import { parseDate } from "./pydate.ts";
import { decodeBytes, pyAffix, pyLower, pyOrder } from "./pysem.ts";

export interface OperatorEnv {
  /** Current time in milliseconds since the epoch (the timediff operators' "utcnow"). */
  now: () => number;
}

export type SimpleOperator = (value: unknown, pattern: unknown, env: OperatorEnv) => boolean;

/**
 * Evaluates one child criterion (`item.<path>: {type, pattern}`) against one list element;
 * supplied by the criteria evaluator so children get the full criterion treatment.
 */
export type SearchCheck = (key: string, criterion: unknown, item: unknown) => boolean;

export const SEARCH_CONDITIONS = ["any", "all", "all2any", "any2any"] as const;
export type SearchCondition = (typeof SEARCH_CONDITIONS)[number];

export type Operator =
  | { kind: "simple"; name: string; apply: SimpleOperator }
  | {
      kind: "search";
      name: "search";
      apply: (value: unknown, pattern: unknown, condition: unknown, check: SearchCheck) => boolean;
    };

/** A criteria `type` that names no operator. */
export class UnknownOperatorError extends SquallError {
  override readonly code: string = "unknown_operator";
  constructor(readonly operator: string) {
    super(`Invalid operator: ${operator}`);
  }
}

/** A `search` condition other than any/all/all2any/any2any. */
export class UnrecognizedConditionError extends OperatorError {
  constructor(readonly condition: unknown) {
    super(
      "ValueError",
      `The '${String(condition)}' condition is not recognized for type search, 'any', 'all', 'any2any' and 'all2any' are allowed`,
    );
  }
}

/** Wraps an operator with the `pattern is None -> False` guard and the bytes decoding. */
function guarded(
  fn: (value: unknown, pattern: unknown, env: OperatorEnv) => boolean,
): SimpleOperator {
  return (value, pattern, env) => {
    if (pattern === null || pattern === undefined) return false;
    return fn(decodeBytes(value), decodeBytes(pattern), env);
  };
}

function requireStr(value: unknown, message: string): string {
  if (typeof value !== "string") throw new OperatorError("TypeError", message);
  return value;
}

function regexOperator(flags: { ignoreCase?: boolean; dotAll?: boolean }, anchored: boolean) {
  return guarded((value, pattern) => {
    const source = requireStr(pattern, "first argument must be string or compiled pattern");
    const re = compilePythonRegex(source, flags, anchored);
    const text = requireStr(value, "expected string or bytes-like object");
    return re.test(text);
  });
}

function normcase(value: unknown): string {
  return requireStr(value, `expected str, bytes or os.PathLike object, not ${pyTypeName(value)}`);
}

function timediff(op: "<" | ">"): SimpleOperator {
  // No bytes decoding here: StackStorm passes the value through str() instead.
  return (value, pattern, env) => {
    if (pattern === null || pattern === undefined) return false;
    const target = parseDate(pyStr(value));
    const elapsedSeconds = (env.now() - target) / 1000;
    return pyOrder(elapsedSeconds, pyFloat(pattern), op);
  };
}

const equals = guarded((v, p) => pyEquals(v, p));
const lessThan: SimpleOperator = (v, p) =>
  p === null || p === undefined ? false : pyOrder(v, p, "<");
const greaterThan: SimpleOperator = (v, p) =>
  p === null || p === undefined ? false : pyOrder(v, p, ">");
const inside = guarded((v, p) => pyContains(p, v));
const ninside = guarded((v, p) => !pyContains(p, v));
const timediffLt = timediff("<");
const timediffGt = timediff(">");

function search(value: unknown, pattern: unknown, condition: unknown, check: SearchCheck): boolean {
  const items = isPlainObject(value) ? [value] : value;
  let everyItem = true;
  let everyPattern = true;
  if (condition === "any") everyItem = false;
  else if (condition === "all2any") everyPattern = false;
  else if (condition === "any2any") {
    everyItem = false;
    everyPattern = false;
  } else if (condition !== "all") throw new UnrecognizedConditionError(condition);

  let list: unknown[];
  if (typeof items === "string") list = Array.from(items);
  else if (items instanceof Uint8Array) list = Array.from(items);
  else if (Array.isArray(items)) list = items;
  else throw new OperatorError("TypeError", `'${pyTypeName(items)}' object is not iterable`);

  // Python builds every result list before any()/all() looks at it, so every child criterion
  // runs (and may record an error) even after the outcome is known.
  const itemResults = list.map((item) => {
    if (!isPlainObject(pattern)) {
      throw new OperatorError(
        "AttributeError",
        `'${pyTypeName(pattern)}' object has no attribute 'items'`,
      );
    }
    const results = Object.entries(pattern).map(([k, v]) => check(k, v, item));
    return everyPattern ? results.every(Boolean) : results.some(Boolean);
  });
  return everyItem ? itemResults.every(Boolean) : itemResults.some(Boolean);
}

const SIMPLE: Record<string, SimpleOperator> = {
  matchwildcard: guarded((v, p) => fnmatch(normcase(v), normcase(p))),
  matchregex: regexOperator({ dotAll: true }, true),
  regex: regexOperator({}, false),
  iregex: regexOperator({ ignoreCase: true }, false),
  eq: equals,
  equals,
  neq: (v, p) => !pyEquals(decodeBytes(v), decodeBytes(p)),
  nequals: (v, p) => !pyEquals(decodeBytes(v), decodeBytes(p)),
  ieq: guarded((v, p) => pyLower(v) === pyLower(p)),
  iequals: guarded((v, p) => pyLower(v) === pyLower(p)),
  contains: guarded((v, p) => pyContains(v, p)),
  // Python evaluates `pattern.lower() in value.lower()` left to right: the pattern fails first.
  icontains: guarded((v, p) => {
    const needle = pyLower(p);
    return pyLower(v).includes(needle);
  }),
  ncontains: guarded((v, p) => !pyContains(v, p)),
  incontains: guarded((v, p) => {
    const needle = pyLower(p);
    return !pyLower(v).includes(needle);
  }),
  startswith: guarded((v, p) => pyAffix(v, p, "startswith")),
  istartswith: guarded((v, p) => pyLower(v).startsWith(pyLower(p))),
  endswith: guarded((v, p) => pyAffix(v, p, "endswith")),
  iendswith: guarded((v, p) => pyLower(v).endsWith(pyLower(p))),
  lt: lessThan,
  lessthan: lessThan,
  gt: greaterThan,
  greaterthan: greaterThan,
  td_lt: timediffLt,
  timediff_lt: timediffLt,
  td_gt: timediffGt,
  timediff_gt: timediffGt,
  exists: (v) => v !== null && v !== undefined,
  nexists: (v) => v === null || v === undefined,
  inside,
  in: inside,
  ninside,
  nin: ninside,
};

/** Every operator name StackStorm accepts (lower case; lookup is case-insensitive). */
export const OPERATOR_NAMES: readonly string[] = [...Object.keys(SIMPLE), "search"].sort();

export function isOperator(name: string): boolean {
  const key = name.toLowerCase();
  return key === "search" || Object.hasOwn(SIMPLE, key);
}

/** StackStorm's `get_operator`: case-insensitive; throws UnknownOperatorError. */
export function getOperator(name: string): Operator {
  const key = name.toLowerCase();
  if (key === "search") {
    return {
      kind: "search",
      name: "search",
      apply: (value, pattern, condition, check) =>
        asOperatorError(() => search(value, pattern, condition, check)),
    };
  }
  const fn = Object.hasOwn(SIMPLE, key) ? SIMPLE[key] : undefined;
  if (!fn) throw new UnknownOperatorError(key);
  // The shared Python semantics raise PythonError; an operator reports it as OperatorError.
  return {
    kind: "simple",
    name: key,
    apply: (value, pattern, env) => asOperatorError(() => fn(value, pattern, env)),
  };
}
