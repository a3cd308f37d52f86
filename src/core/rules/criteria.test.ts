import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MinimalJinja } from "../expr/minimal.ts";
import { datastoreContext } from "../params/datastore.ts";
import {
  type CriteriaOptions,
  enforcementFailureReason,
  evaluateCriteria,
  evaluateRule,
} from "./criteria.ts";

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
const kv = datastoreContext(
  (scope, name) => (scope === "system" ? { env: "prod", limit: "5" }[name] : undefined),
  "st2admin",
);
const options: CriteriaOptions = {
  engine: new MinimalJinja(),
  now: () => NOW,
  kvSystem: kv.system,
  ruleRef: "pack.rule",
};

const payload = {
  status: "ok",
  count: 3,
  expected: 3,
  tags: ["a", "b"],
  body: {
    env: "prod",
    items: [
      { name: "x", v: 1, want: 1 },
      { name: "y", v: 2, want: 5 },
    ],
  },
  when: "2024-01-01T11:59:30Z",
  nothing: null,
};

type Criteria = Record<string, { type: string; pattern?: unknown; condition?: string }>;
const check = (criteria: Criteria, p: unknown = payload) => evaluateCriteria(criteria, p, options);

describe("criteria: matching", () => {
  const MATCHES: Array<[string, Criteria, boolean]> = [
    ["plain equals", { "trigger.status": { type: "equals", pattern: "ok" } }, true],
    [
      "operator names are case-insensitive",
      { "trigger.status": { type: "EQ", pattern: "ok" } },
      true,
    ],
    ["numbers are not strings", { "trigger.count": { type: "equals", pattern: "3" } }, false],
    [
      "a whole-expression pattern keeps its type",
      { "trigger.count": { type: "equals", pattern: "{{ trigger.expected }}" } },
      true,
    ],
    [
      "lists survive rendering",
      { "trigger.status": { type: "nin", pattern: "{{ trigger.tags }}" } },
      true,
    ],
    [
      "text around an expression renders to text",
      { "trigger.status": { type: "equals", pattern: "o{{ 'k' }}" } },
      true,
    ],
    [
      "a non-string pattern is not rendered",
      { "trigger.tags": { type: "contains", pattern: "a" } },
      true,
    ],
    [
      "every criterion must pass",
      {
        "trigger.status": { type: "eq", pattern: "ok" },
        "trigger.count": { type: "gt", pattern: 5 },
      },
      false,
    ],
    [
      "#suffix tests one key twice",
      {
        "trigger.count#1": { type: "gt", pattern: 1 },
        "trigger.count#2": { type: "lt", pattern: 5 },
      },
      true,
    ],
    [
      "#suffix bounds fail",
      {
        "trigger.count#1": { type: "gt", pattern: 1 },
        "trigger.count#2": { type: "lt", pattern: 2 },
      },
      false,
    ],
    [
      "datastore values in patterns (with | string)",
      { "trigger.body.env": { type: "equals", pattern: "{{ st2kv.system.env | string }}" } },
      true,
    ],
    ["datastore values as keys", { "system.env": { type: "equals", pattern: "prod" } }, true],
    ["a missing key is None", { "trigger.absent": { type: "nexists" } }, true],
    ["a null value is None too", { "trigger.nothing": { type: "exists" } }, false],
    ["timediff uses the injected clock", { "trigger.when": { type: "td_lt", pattern: 60 } }, true],
    ["timediff the other way", { "trigger.when": { type: "timediff_gt", pattern: 60 } }, false],
    ["no criteria always match", {}, true],
  ];
  for (const [name, criteria, expected] of MATCHES) {
    it(name, () => {
      const result = check(criteria);
      assert.equal(result.matched, expected);
      assert.deepEqual(result.errors, []);
    });
  }

  it("never matches an empty payload when there are criteria", () => {
    const criteria = { "trigger.absent": { type: "nexists" } };
    for (const empty of [{}, null, undefined]) {
      const result = evaluateCriteria(criteria, empty, options);
      assert.equal(result.matched, false);
      assert.match(result.reason ?? "", /payload is empty/);
    }
    assert.equal(check({}, {}).matched, true);
  });

  it("fails a criterion without a type silently", () => {
    const result = evaluateCriteria(
      { "trigger.status": { pattern: "ok" } } as unknown as Criteria,
      payload,
      options,
    );
    assert.equal(result.matched, false);
    assert.deepEqual(result.errors, []);
    assert.equal(result.failed?.key, "trigger.status");
  });

  it("reports the first failing criterion with its rendered pattern and value", () => {
    const result = check({
      "trigger.status": { type: "equals", pattern: "ok" },
      "trigger.count": { type: "greaterthan", pattern: "{{ (trigger.expected + 10) }}" },
      "trigger.never": { type: "equals", pattern: "not reached" },
    });
    assert.equal(result.matched, false);
    assert.deepEqual(result.failed, {
      key: "trigger.count",
      operator: "greaterthan",
      pattern: 13,
      value: 3,
      reason: "greaterthan is false for value 3 and pattern 13",
    });
  });

  it("a disabled rule never matches", () => {
    const rule = { ref: "p.r", enabled: false, criteria: {} };
    assert.equal(evaluateRule(rule, payload, options).matched, false);
    assert.equal(evaluateRule({ ...rule, enabled: true }, payload, options).matched, true);
  });
});

describe("criteria: errors become failed enforcements", () => {
  const ERRORS: Array<[string, Criteria, RegExp]> = [
    [
      "undefined variable in the pattern",
      { "trigger.status": { type: "equals", pattern: "{{ trigger.nope }}" } },
      /^Failed to render pattern value "\{\{ trigger.nope \}\}" for key "trigger.status": /,
    ],
    // StackStorm renders `{{ st2kv.system.x }}` through to_complex, which cannot serialise the lookup.
    [
      "bare datastore lookup (StackStorm issue 5260)",
      { "trigger.status": { type: "equals", pattern: "{{ st2kv.system.env }}" } },
      /^Failed to render pattern value/,
    ],
    [
      "invalid key",
      { "trigger.a b": { type: "exists" } },
      /^Failed transforming criteria key trigger.a b: /,
    ],
    [
      "index into null",
      { "trigger.nothing[0]": { type: "exists" } },
      /^Failed transforming criteria key/,
    ],
    [
      "contains on a missing key",
      { "trigger.absent": { type: "contains", pattern: "x" } },
      /^There might be a problem with the criteria in rule pack.rule: argument of type 'NoneType' is not iterable$/,
    ],
    [
      "ordering str against int",
      { "trigger.status": { type: "lt", pattern: 1 } },
      /'<' not supported between instances of 'str' and 'int'/,
    ],
    ["bad regex", { "trigger.status": { type: "regex", pattern: "(" } }, /unterminated subpattern/],
    [
      "unknown operator",
      { "trigger.status": { type: "like", pattern: "ok" } },
      /Invalid operator: like/,
    ],
    [
      "search spelled in capitals",
      { "trigger.body.items": { type: "SEARCH", condition: "any", pattern: {} } },
      /missing 2 required positional arguments/,
    ],
    [
      "unknown search condition",
      { "trigger.body.items": { type: "search", condition: "most", pattern: {} } },
      /'most' condition is not recognized/,
    ],
  ];
  for (const [name, criteria, message] of ERRORS) {
    it(name, () => {
      const result = check(criteria);
      assert.equal(result.matched, false);
      assert.equal(result.errors.length, 1);
      assert.match(result.error ?? "", message);
      assert.equal(result.failed?.reason, result.error);
    });
  }

  it("builds StackStorm's failure_reason", () => {
    assert.equal(
      enforcementFailureReason("p.r", "ti1", "boom"),
      'Failed to match rule "p.r" against trigger instance "ti1": boom',
    );
  });
});

describe("criteria: search", () => {
  const items = "trigger.body.items";
  it("applies child criteria to each item, rendered with `item` in context", () => {
    const any = check({
      [items]: {
        type: "search",
        condition: "any",
        pattern: {
          "item.name": { type: "equals", pattern: "x" },
          "item.v": { type: "equals", pattern: "{{ item.want }}" },
        },
      },
    });
    assert.equal(any.matched, true);
    const all = check({
      [items]: {
        type: "search",
        condition: "all",
        pattern: { "item.v": { type: "equals", pattern: "{{ item.want }}" } },
      },
    });
    assert.equal(all.matched, false);
  });

  it("records a child's error but lets the other items decide the match", () => {
    const result = check({
      [items]: {
        type: "search",
        condition: "any",
        pattern: {
          "item.name#1": { type: "equals", pattern: "y" },
          "item.name#2": { type: "lt", pattern: 1 },
        },
      },
    });
    assert.equal(result.matched, false);
    assert.equal(result.errors.length, 2);

    const matched = check({
      [items]: {
        type: "search",
        condition: "any2any",
        pattern: {
          "item.name": { type: "equals", pattern: "y" },
          "item.v": { type: "lt", pattern: "1" },
        },
      },
    });
    assert.equal(matched.matched, true);
    assert.equal(matched.errors.length, 2);
  });

  it("traces child checks per item", () => {
    const result = evaluateCriteria(
      {
        [items]: {
          type: "search",
          condition: "all",
          pattern: { "item.name": { type: "istartswith", pattern: "X" } },
        },
      },
      payload,
      { ...options, trace: true },
    );
    const children = result.checks?.[0]?.children ?? [];
    assert.deepEqual(
      children.map((c) => [c.itemIndex, c.value, c.passed]),
      [
        [0, "x", true],
        [1, "y", false],
      ],
    );
  });
});
