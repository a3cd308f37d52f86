import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RuleDef } from "../content/model.ts";
import { JinjaEngine } from "../expr/jinja/engine.ts";
import { evaluateRule } from "./criteria.ts";
import { type MatchOptions, type MatchOutcome, matchRules, RuleIndex } from "./matcher.ts";
import { planRuleSet } from "./rule-set.ts";

const options: MatchOptions = { engine: new JinjaEngine(), now: () => Date.UTC(2026, 0, 1) };

type Criteria = NonNullable<RuleDef["criteria"]>;

function rule(name: string, criteria: Criteria, over: Partial<RuleDef> = {}): RuleDef {
  return {
    ref: `p.${name}`,
    uid: `rule:p:${name}`,
    name,
    pack: "p",
    enabled: true,
    type: { ref: "standard" },
    trigger: { type: "p.event" },
    criteria,
    action: { ref: "core.noop" },
    metadata_file: `rules/${name}.yaml`,
    ...over,
  };
}
const eq = (pattern: unknown, type = "equals") => ({ type, pattern });
const backstop = { type: { ref: "backstop" as const } };

/** StackStorm's RulesMatcher, straight: every rule through the full evaluator. */
function reference(rules: readonly RuleDef[], payload: unknown): MatchOutcome {
  const out: MatchOutcome = { matched: [], evaluated: [], errors: [] };
  const run = (wantBackstop: boolean) => {
    for (const r of rules) {
      if ((r.type?.ref === "backstop") !== wantBackstop) continue;
      const result = evaluateRule(r, payload, options);
      out.evaluated.push({ rule: r, result });
      for (const error of result.errors) out.errors.push({ rule: r, error });
      if (result.matched) out.matched.push(r);
    }
  };
  run(false);
  if (out.matched.length === 0) run(true);
  return out;
}

const names = (rules: ReadonlyArray<{ name: string }>) => rules.map((r) => r.name);
const errorsOf = (o: MatchOutcome) => o.errors.map((e) => `${e.rule.name}: ${e.error}`);

/** The indexed matcher agrees with the reference on everything but which failing rules it checked. */
function assertAgrees(rules: readonly RuleDef[], payload: unknown, label: string): MatchOutcome {
  const want = reference(rules, payload);
  for (const got of [
    matchRules(rules, payload, options),
    matchRules(rules, payload, { ...options, index: false }),
  ]) {
    assert.deepEqual(names(got.matched), names(want.matched), `${label}: matched`);
    assert.deepEqual(errorsOf(got), errorsOf(want), `${label}: errors`);
    const checked = new Map(got.evaluated.map((e) => [e.rule, e.result]));
    for (const { rule: r, result } of want.evaluated) {
      const mine = checked.get(r);
      if (mine) assert.equal(mine.matched, result.matched, `${label}: ${r.name} result`);
      else
        assert.ok(
          !result.matched && result.errors.length === 0,
          `${label}: ${r.name} was skipped but would match or raise`,
        );
    }
  }
  const unindexed = matchRules(rules, payload, { ...options, index: false });
  assert.deepEqual(
    names(unindexed.evaluated.map((e) => e.rule)),
    names(want.evaluated.map((e) => e.rule)),
  );
  return matchRules(rules, payload, options);
}

// 100 rules in W1's shape: all share kind, each has its own region, rule 0 matches "eu".
const w1 = Object.freeze(
  Array.from({ length: 100 }, (_, i) =>
    rule(`r${i}`, {
      "trigger.body.kind": eq("alert"),
      "trigger.body.region": eq(i === 0 ? "eu" : `r${i}`),
      "trigger.body.severity": { type: "greaterthan", pattern: 2 },
    }),
  ),
);
const body = (over: Record<string, unknown>) => ({
  body: { kind: "alert", region: "eu", severity: 3, ...over },
});

const table: Array<{
  name: string;
  rules: readonly RuleDef[];
  payload: unknown;
  matched: string[];
  evaluated: string[];
}> = [
  { name: "W1 hit", rules: w1, payload: body({}), matched: ["r0"], evaluated: ["r0"] },
  {
    name: "W1 other bucket",
    rules: w1,
    payload: body({ region: "r7" }),
    matched: ["r7"],
    evaluated: ["r7"],
  },
  { name: "W1 miss", rules: w1, payload: body({ region: "nowhere" }), matched: [], evaluated: [] },
  {
    name: "W1 hit failing later",
    rules: w1,
    payload: body({ severity: 1 }),
    matched: [],
    evaluated: ["r0"],
  },
  {
    name: "number is not its string",
    rules: w1,
    payload: body({ region: 7 }),
    matched: [],
    evaluated: [],
  },
  {
    name: "bool is not a string",
    rules: w1,
    payload: body({ region: true }),
    matched: [],
    evaluated: [],
  },
  { name: "null value", rules: w1, payload: body({ region: null }), matched: [], evaluated: [] },
  {
    name: "missing path",
    rules: w1,
    payload: { body: { kind: "alert" } },
    matched: [],
    evaluated: [],
  },
  {
    name: "object value: index not used",
    rules: w1.slice(0, 3),
    payload: body({ region: { eu: 1 } }),
    matched: [],
    evaluated: ["r0", "r1", "r2"],
  },
  {
    name: "list at an earlier criterion's path: index not used",
    rules: w1.slice(0, 3),
    payload: body({ kind: ["alert"] }),
    matched: [],
    evaluated: ["r0", "r1", "r2"],
  },
  {
    name: "empty payload: every rule checked, none matches",
    rules: w1.slice(0, 2),
    payload: {},
    matched: [],
    evaluated: ["r0", "r1"],
  },
  {
    name: "unicode: code points compared, not normalised",
    rules: [
      rule("nfc", { "trigger.s": eq("café") }),
      rule("nfd", { "trigger.s": eq("cafe\u0301") }),
    ],
    payload: { s: "café" },
    matched: ["nfc"],
    evaluated: ["nfc"],
  },
  {
    name: "#suffix keys share their path",
    rules: [
      rule("a", { "trigger.x": eq("1"), "trigger.x#2": eq("1", "eq") }),
      rule("b", { "trigger.x#2": eq("2", "Equals") }),
    ],
    payload: { x: "1" },
    matched: ["a"],
    evaluated: ["a"],
  },
  {
    name: "unindexed rules keep their place among bucket hits",
    rules: [
      rule("hit1", { "trigger.k": eq("v") }),
      rule("gt", { "trigger.n": { type: "gt", pattern: 1 } }),
      rule("miss", { "trigger.k": eq("w") }),
      rule("tmpl", { "trigger.k": eq("{{ 'v' }}") }),
      rule("hit2", { "trigger.k": eq("v"), "trigger.n": eq("2") }),
      rule("off", { "trigger.k": eq("v") }, { enabled: false }),
      rule("none", {}),
    ],
    payload: { k: "v", n: 2 },
    matched: ["hit1", "gt", "tmpl", "none"],
    // hit2 is indexed on its rarer criterion, n == "2", which the number 2 never equals.
    evaluated: ["hit1", "gt", "tmpl", "off", "none"],
  },
  {
    name: "backstops: skipped after a standard match",
    rules: [
      rule("bs", { "trigger.k": eq("v") }, backstop),
      rule("std", { "trigger.k": eq("v") }),
      rule("bs_any", {}, backstop),
    ],
    payload: { k: "v" },
    matched: ["std"],
    evaluated: ["std"],
  },
  {
    name: "backstops: indexed ones checked when no standard rule matched",
    rules: [
      rule("bs", { "trigger.k": eq("w") }, backstop),
      rule("std", { "trigger.k": eq("v") }),
      rule("bs_miss", { "trigger.k": eq("z") }, backstop),
      rule("bs_any", {}, backstop),
    ],
    payload: { k: "w" },
    matched: ["bs", "bs_any"],
    evaluated: ["bs", "bs_any"],
  },
];

describe("equality index: which rules are checked", () => {
  for (const c of table) {
    it(c.name, () => {
      const got = assertAgrees(c.rules, c.payload, c.name);
      assert.deepEqual(names(got.matched), c.matched);
      assert.deepEqual(names(got.evaluated.map((e) => e.rule)), c.evaluated);
    });
  }
});

describe("equality index: criteria that can raise are never skipped", () => {
  const cases: Array<{ name: string; rules: RuleDef[]; payload: unknown; errors: number }> = [
    {
      // Python: 3 < "x" raises TypeError, recorded before the region criterion is reached.
      name: "an ordering that raises before the equals",
      rules: [rule("lt", { "trigger.n": { type: "lt", pattern: "x" }, "trigger.k": eq("nope") })],
      payload: { n: 3, k: "v" },
      errors: 1,
    },
    {
      name: "iequals on a number before the equals",
      rules: [rule("ieq", { "trigger.n": eq("A", "iequals"), "trigger.k": eq("nope") })],
      payload: { n: 3, k: "v" },
      errors: 1,
    },
    {
      name: "a bad regex before the equals",
      rules: [rule("re", { "trigger.k": eq("(", "regex"), "trigger.k#2": eq("nope") })],
      payload: { k: "v" },
      errors: 1,
    },
    {
      name: "an unknown operator before the equals",
      rules: [rule("bad", { "trigger.k": eq("v", "frobnicate"), "trigger.k#2": eq("nope") })],
      payload: { k: "v" },
      errors: 1,
    },
    {
      name: "a key that cannot be looked up before the equals",
      rules: [rule("path", { "trigger.l[0]": eq("v"), "trigger.k": eq("nope") })],
      payload: { l: 5, k: "v" },
      errors: 1,
    },
    {
      name: "a raising criterion after a failing equals is never reached",
      rules: [
        rule("after", { "trigger.k": eq("nope"), "trigger.n": { type: "lt", pattern: "x" } }),
      ],
      payload: { n: 3, k: "v" },
      errors: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = assertAgrees(c.rules, c.payload, c.name);
      assert.equal(got.errors.length, c.errors);
    });
  }
});

describe("rule set plans are cached per list and follow the rules", () => {
  it("plans a frozen list once and an unfrozen list on every call", () => {
    const frozen = Object.freeze([rule("a", { "trigger.k": eq("v") })]);
    assert.equal(planRuleSet(frozen), planRuleSet(frozen));
    const open = [rule("a", { "trigger.k": eq("v") })];
    assert.deepEqual(names(matchRules(open, { k: "w" }, options).matched), []);
    open.push(rule("b", { "trigger.k": eq("w") }));
    assert.deepEqual(names(matchRules(open, { k: "w" }, options).matched), ["b"]);
  });

  it("sees rules added, updated and removed through RuleIndex", () => {
    const index = new RuleIndex();
    const match = (k: string) =>
      names(matchRules(index.rulesFor("p.event"), { k }, options).matched);
    index.upsert(rule("a", { "trigger.k": eq("v") }));
    assert.deepEqual(match("v"), ["a"]);
    index.upsert(rule("b", { "trigger.k": eq("v") }));
    assert.deepEqual(match("v"), ["a", "b"]);
    index.upsert(rule("a", { "trigger.k": eq("w") }));
    assert.deepEqual(match("v"), ["b"]);
    assert.deepEqual(match("w"), ["a"]);
    index.upsert(rule("b", { "trigger.k": eq("v") }, { type: { ref: "backstop" as const } }));
    assert.deepEqual(match("w"), ["a"]);
    assert.deepEqual(match("v"), ["b"]);
    index.upsert(rule("a", { "trigger.k": eq("w") }, { enabled: false }));
    assert.deepEqual(match("w"), []);
    index.remove("p.b");
    assert.deepEqual(match("v"), []);
  });
});
