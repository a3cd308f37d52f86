/**
 * Every operator against None, wrong types, case, lists, dicts, bytes, and numbers vs strings.
 * Expected values were produced by running StackStorm's own operators (st2common/operators.py)
 * under CPython 3.11 on the same inputs: `true`/`false` is the result, an error name means
 * Python raised (StackStorm then records a failed enforcement).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OperatorError } from "../expr/python/errors.ts";
import {
  getOperator,
  isOperator,
  OPERATOR_NAMES,
  type SearchCheck,
  UnknownOperatorError,
  UnrecognizedConditionError,
} from "./operators.ts";

const b = (s: string) => new TextEncoder().encode(s);
const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
const env = { now: () => NOW };

type Expected = boolean | "TypeError" | "AttributeError" | "ValueError" | "re.error";

const TABLE: Record<string, Array<[unknown, unknown, Expected]>> = {
  equals: [
    [null, "a", false],
    ["a", null, false],
    [null, null, false],
    ["abc", "abc", true],
    ["abc", "ABC", false],
    [1, "1", false],
    [1, 1, true],
    [true, 1, true],
    [false, 0, true],
    [[1, "a"], [1, "a"], true],
    [[1], [1], true],
    [{ a: 1 }, { a: 1 }, true],
    [{ a: 1 }, { a: 2 }, false],
    [b("abc"), "abc", true],
    ["abc", b("abc"), true],
    ["", 0, false],
  ],
  nequals: [
    [null, "a", true],
    ["a", null, true],
    [null, null, false],
    ["abc", "abc", false],
    ["abc", "ABC", true],
    [1, "1", true],
    [true, 1, false],
    [[1], [2], true],
    [{ a: 1 }, { a: 1 }, false],
    [b("x"), "x", false],
  ],
  iequals: [
    [null, "a", "AttributeError"],
    ["a", null, false],
    [null, null, false],
    ["abc", "ABC", true],
    ["\u00c4BC", "\u00e4bc", true],
    ["abc", "abd", false],
    [1, 1, "AttributeError"],
    [1, "1", "AttributeError"],
    ["1", 1, "AttributeError"],
    [[], "a", "AttributeError"],
    [b("ABC"), "abc", true],
  ],
  contains: [
    [null, "a", "TypeError"],
    ["a", null, false],
    [null, null, false],
    ["abc", "b", true],
    ["abc", "B", false],
    ["abc", 1, "TypeError"],
    [[1, "a"], "a", true],
    [[1, "a"], 1, true],
    [[[1]], [1], true],
    [{ a: 1 }, "a", true],
    [{ a: 1 }, 1, false],
    [{ "1": 1 }, 1, false],
    [{ a: 1 }, ["a"], "TypeError"],
    [1, 1, "TypeError"],
    [true, "a", "TypeError"],
    [b("abc"), "b", true],
    ["abc", b("c"), true],
    ["", "", true],
  ],
  ncontains: [
    [null, "a", "TypeError"],
    ["a", null, false],
    [null, null, false],
    ["abc", "b", false],
    ["abc", "z", true],
    [[1], 2, true],
    [{ a: 1 }, "b", true],
    [null, "a", "TypeError"],
    [5, "a", "TypeError"],
    ["abc", 1, "TypeError"],
  ],
  icontains: [
    [null, "a", "AttributeError"],
    ["a", null, false],
    [null, null, false],
    ["ABC", "b", true],
    ["abc", "B", true],
    ["abc", "z", false],
    [["A"], "a", "AttributeError"],
    [1, "1", "AttributeError"],
    ["1", 1, "AttributeError"],
    [b("ABC"), "b", true],
  ],
  incontains: [
    [null, "a", "AttributeError"],
    ["a", null, false],
    [null, null, false],
    ["ABC", "b", false],
    ["abc", "z", true],
    [["A"], "a", "AttributeError"],
    ["abc", 1, "AttributeError"],
  ],
  startswith: [
    [null, "a", "AttributeError"],
    ["a", null, false],
    [null, null, false],
    ["abc", "ab", true],
    ["abc", "AB", false],
    ["abc", "", true],
    [["ab"], "ab", "AttributeError"],
    ["abc", ["ab"], "TypeError"],
    ["1x", 1, "TypeError"],
    [1, "1", "AttributeError"],
    [b("abc"), "a", true],
  ],
  istartswith: [
    [null, "a", "AttributeError"],
    ["a", null, false],
    [null, null, false],
    ["ABC", "ab", true],
    ["abc", "bc", false],
    [1, "1", "AttributeError"],
    ["abc", 1, "AttributeError"],
  ],
  endswith: [
    [null, "a", "AttributeError"],
    ["a", null, false],
    [null, null, false],
    ["abc", "bc", true],
    ["abc", "BC", false],
    ["abc", ["bc"], "TypeError"],
    [1, "1", "AttributeError"],
    [b("abc"), b("c"), true],
  ],
  iendswith: [
    [null, "a", "AttributeError"],
    ["a", null, false],
    [null, null, false],
    ["ABC", "bc", true],
    ["abc", "ab", false],
    [{ a: 1 }, "a", "AttributeError"],
  ],
  lessthan: [
    [null, "a", "TypeError"],
    ["a", null, false],
    [null, null, false],
    [1, 2, true],
    [2, 1, false],
    [1, 1, false],
    [1.5, 2, true],
    [true, 2, true],
    ["a", "b", true],
    ["b", "a", false],
    ["a", 1, "TypeError"],
    [1, "2", "TypeError"],
    [[1, 2], [1, 3], true],
    [[1], [1, 0], true],
    [{ a: 1 }, { a: 2 }, "TypeError"],
    [b("a"), b("b"), true],
    [b("a"), "b", "TypeError"],
    ["\uffff", "\ud83d\ude00", true],
  ],
  greaterthan: [
    [null, "a", "TypeError"],
    ["a", null, false],
    [null, null, false],
    [2, 1, true],
    [1, 2, false],
    [1, 1, false],
    ["b", "a", true],
    ["10", "9", false],
    [10, "9", "TypeError"],
    [[2], [1, 5], true],
    [null, 1, "TypeError"],
  ],
  matchwildcard: [
    [null, "a", "TypeError"],
    ["a", null, false],
    [null, null, false],
    ["abc", "a*", true],
    ["abc", "A*", false],
    ["abc", "a?c", true],
    ["abc", "[ab]bc", true],
    ["abc", "[!a]bc", false],
    ["a\nc", "a*c", true],
    ["a.txt", "*.txt", true],
    ["[x", "[x", true],
    ["abc", "[z-a]bc", false],
    [1, "1", "TypeError"],
    ["1", 1, "TypeError"],
    [[], "*", "TypeError"],
    [b("abc"), "a*", true],
  ],
  matchregex: [
    [null, "a", "TypeError"],
    ["a", null, false],
    [null, null, false],
    ["abc", "b", false],
    ["abc", "a.c", true],
    ["a\nc", "a.c", true],
    ["abc", "^abc$", true],
    ["abc\n", "abc$", true],
    ["abc", "ABC", false],
    ["abc", "(", "re.error"],
    [1, "1", "TypeError"],
    ["1", 1, "TypeError"],
    [b("abc"), "a", true],
  ],
  regex: [
    [null, "a", "TypeError"],
    ["a", null, false],
    [null, null, false],
    ["xabc", "b", true],
    ["a\nc", "a.c", false],
    ["abc", "ABC", false],
    ["abc", "(?P<x>a)b", true],
    ["aa", "(?P<x>a)(?P=x)", true],
    ["abc", "\\Aabc\\Z", true],
    ["abc\n", "abc$", true],
    ["abc", "[", "re.error"],
  ],
  iregex: [
    [null, "a", "TypeError"],
    ["a", null, false],
    [null, null, false],
    ["xABC", "abc", true],
    ["abc", "^B", false],
    ["\u00c9T\u00c9", "\u00e9t\u00e9", true],
    [1, "1", "TypeError"],
    ["abc", ["a"], "TypeError"],
  ],
  exists: [
    [null, null, false],
    ["", null, true],
    [0, null, true],
    [false, "x", true],
    [[], null, true],
  ],
  nexists: [
    [null, null, true],
    ["", null, false],
    [0, null, false],
    [null, "x", true],
  ],
  inside: [
    [null, "a", "TypeError"],
    ["a", null, false],
    [null, null, false],
    ["a", "abc", true],
    ["z", "abc", false],
    ["a", ["a", "b"], true],
    [1, [1], true],
    [1, "1", "TypeError"],
    ["a", { a: 1 }, true],
    [["a"], { a: 1 }, "TypeError"],
    ["a", 1, "TypeError"],
    [b("a"), "abc", true],
    ["a", b("abc"), true],
  ],
  ninside: [
    [null, "a", "TypeError"],
    ["a", null, false],
    [null, null, false],
    ["a", "abc", false],
    ["z", "abc", true],
    ["z", ["a"], true],
    [1, "123", "TypeError"],
    ["a", { b: 1 }, true],
  ],
  timediff_lt: [
    [null, "a", "ValueError"],
    ["a", null, false],
    [null, null, false],
    ["2024-01-01T11:59:00Z", 120, true],
    ["2024-01-01T11:59:00Z", 30, false],
    ["2024-01-01T11:59:00Z", "120", true],
    ["2024-01-01T11:59:00", 120, true],
    ["2024-01-01T13:58:00+02:00", 60, false],
    ["2024-01-01T11:59:00Z", "abc", "ValueError"],
    ["2024-01-01T11:59:00Z", [1], "TypeError"],
    ["not a date", 1, "ValueError"],
    [null, 1, "ValueError"],
  ],
  timediff_gt: [
    [null, "a", "ValueError"],
    ["a", null, false],
    [null, null, false],
    ["2024-01-01T11:59:00Z", 30, true],
    ["2024-01-01T11:59:00Z", 120, false],
    ["2024-01-01T11:59:00.500000Z", 59.4, true],
    ["Mon, 01 Jan 2024 11:00:00 GMT", 3599, true],
    [null, 1, "ValueError"],
  ],
};

function run(op: string, value: unknown, pattern: unknown): boolean {
  const operator = getOperator(op);
  assert.equal(operator.kind, "simple");
  if (operator.kind !== "simple") throw new Error("unreachable");
  return operator.apply(value, pattern, env);
}

describe("operators: StackStorm results on the same inputs", () => {
  for (const [op, rows] of Object.entries(TABLE)) {
    it(op, () => {
      for (const [value, pattern, expected] of rows) {
        const label = `${op}(${String(value)}, ${String(pattern)})`;
        if (typeof expected === "boolean") {
          assert.equal(run(op, value, pattern), expected, label);
        } else {
          assert.throws(
            () => run(op, value, pattern),
            (e: unknown) => e instanceof OperatorError && e.pythonType === expected,
            label,
          );
        }
      }
    });
  }
});

describe("operator lookup", () => {
  const ALIASES: Array<[string, string]> = [
    ["eq", "equals"],
    ["neq", "nequals"],
    ["ieq", "iequals"],
    ["lt", "lessthan"],
    ["gt", "greaterthan"],
    ["td_lt", "timediff_lt"],
    ["td_gt", "timediff_gt"],
    ["in", "inside"],
    ["nin", "ninside"],
  ];

  it("short names behave exactly like the long ones", () => {
    for (const [short, long] of ALIASES) {
      for (const [value, pattern, expected] of TABLE[long] ?? []) {
        if (typeof expected === "boolean")
          assert.equal(run(short, value, pattern), expected, short);
        else assert.throws(() => run(short, value, pattern), OperatorError, short);
      }
    }
  });

  it("is case-insensitive and knows every StackStorm operator", () => {
    assert.equal(run("EQUALS", "a", "a"), true);
    assert.equal(run("MatchWildcard", "abc", "a*"), true);
    assert.equal(getOperator("Search").kind, "search");
    assert.equal(OPERATOR_NAMES.length, 33);
    for (const name of OPERATOR_NAMES) assert.ok(isOperator(name.toUpperCase()), name);
    for (const name of Object.keys(TABLE)) assert.ok(OPERATOR_NAMES.includes(name), name);
  });

  it("rejects unknown operators with a typed error", () => {
    assert.equal(isOperator("like"), false);
    assert.throws(
      () => getOperator("Like"),
      (e: unknown) => e instanceof UnknownOperatorError && e.operator === "like",
    );
  });
});

describe("search", () => {
  const search = getOperator("search");
  if (search.kind !== "search") throw new Error("search must be the search operator");
  // A child criterion: `item.<field>` equals pattern (a stand-in for the evaluator's checker).
  const check: SearchCheck = (key, criterion, item) => {
    const field = key.replace(/^item\./, "").split("#")[0] ?? "";
    const c = criterion as { pattern: unknown };
    return (item as Record<string, unknown>)?.[field] === c.pattern;
  };
  const pattern = { "item.name": { pattern: "a" }, "item.value": { pattern: 1 } };
  const items = [
    { name: "a", value: 1 },
    { name: "a", value: 2 },
    { name: "b", value: 3 },
  ];

  const CASES: Array<[string, unknown, boolean]> = [
    ["any", items, true],
    ["all", items, false],
    ["all", [items[0]], true],
    ["all2any", items, false],
    ["all2any", items.slice(0, 2), true],
    ["any2any", items, true],
    ["any2any", [{ name: "z", value: 1 }], true],
    ["any2any", [{ name: "z", value: 9 }], false],
    ["any", [], false],
    ["all", [], true],
    ["any", { name: "a", value: 1 }, true],
  ];
  for (const [condition, value, expected] of CASES) {
    it(`${condition} over ${JSON.stringify(value)} is ${expected}`, () => {
      assert.equal(search.apply(value, pattern, condition, check), expected);
    });
  }

  it("raises for an unknown condition even on an empty list", () => {
    assert.throws(() => search.apply([], pattern, "some", check), UnrecognizedConditionError);
    assert.throws(() => search.apply([], pattern, null, check), UnrecognizedConditionError);
  });

  it("raises TypeError for a value that is not iterable", () => {
    for (const value of [null, 5, true]) {
      assert.throws(
        () => search.apply(value, pattern, "any", check),
        (e: unknown) => e instanceof OperatorError && e.pythonType === "TypeError",
      );
    }
  });

  it("iterates strings by character, and needs a mapping pattern only when there are items", () => {
    const seen: unknown[] = [];
    search.apply("ab", { "item.x": {} }, "any", (_k, _c, item) => {
      seen.push(item);
      return false;
    });
    assert.deepEqual(seen, ["a", "b"]);
    assert.equal(search.apply([], "not a mapping", "all", check), true);
    assert.throws(() => search.apply([{}], "not a mapping", "all", check), OperatorError);
  });

  it("runs every child check even once the outcome is known (Python builds the lists first)", () => {
    let calls = 0;
    search.apply(items, pattern, "any", (...args) => {
      calls++;
      return check(...args);
    });
    assert.equal(calls, 6);
  });
});
