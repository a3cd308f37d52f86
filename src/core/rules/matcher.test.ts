import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RuleDef } from "../content/model.ts";
import { ValidationError } from "../errors.ts";
import { MinimalJinja } from "../expr/minimal.ts";
import type { CriteriaOptions } from "./criteria.ts";
import { matchRules, RuleIndex, shadowTriggerRef } from "./matcher.ts";

const options: CriteriaOptions = { engine: new MinimalJinja(), now: () => 0 };

function rule(name: string, over: Partial<RuleDef> = {}): RuleDef {
  return {
    ref: `p.${name}`,
    uid: `rule:p:${name}`,
    name,
    pack: "p",
    enabled: true,
    type: { ref: "standard" },
    trigger: { type: "p.event" },
    criteria: {},
    action: { ref: "core.noop" },
    metadata_file: `rules/${name}.yaml`,
    ...over,
  };
}
const when = (status: string) => ({ "trigger.status": { type: "equals", pattern: status } });
const backstop = { ref: "backstop" as const };

describe("matchRules: backstop semantics", () => {
  const rules = [
    rule("ok", { criteria: when("ok") }),
    rule("fallback", { type: backstop }),
    rule("also_ok", { criteria: when("ok") }),
    rule("fallback_bad", { type: backstop, criteria: when("bad") }),
  ];

  it("standard matches suppress every backstop rule", () => {
    const out = matchRules(rules, { status: "ok" }, options);
    assert.deepEqual(
      out.matched.map((r) => r.name),
      ["ok", "also_ok"],
    );
    assert.deepEqual(
      out.evaluated.map((e) => e.rule.name),
      ["ok", "also_ok"],
    );
  });

  it("backstop rules fire, each on its own criteria, when no standard rule matched", () => {
    assert.deepEqual(
      matchRules(rules, { status: "bad" }, options).matched.map((r) => r.name),
      ["fallback", "fallback_bad"],
    );
    assert.deepEqual(
      matchRules(rules, { status: "other" }, options).matched.map((r) => r.name),
      ["fallback"],
    );
  });

  it("skips disabled rules and collects every error with its rule", () => {
    const out = matchRules(
      [
        rule("off", { enabled: false }),
        rule("broken", { criteria: { "trigger.status": { type: "lt", pattern: 1 } } }),
        rule("fallback", { type: backstop }),
      ],
      { status: "x" },
      options,
    );
    assert.deepEqual(
      out.matched.map((r) => r.name),
      ["fallback"],
    );
    assert.deepEqual(
      out.errors.map((e) => e.rule.name),
      ["broken"],
    );
  });
});

describe("RuleIndex", () => {
  it("finds a trigger's rules in insertion order, and updates in place", () => {
    const index = new RuleIndex();
    index.upsert(rule("a"));
    index.upsert(rule("b"));
    index.upsert(rule("c", { trigger: { type: "p.other" } }));
    index.upsert(rule("a", { description: "changed" }));
    assert.deepEqual(
      index.rulesFor("p.event").map((r) => r.name),
      ["a", "b"],
    );
    assert.equal(index.rulesFor("p.event")[0]?.description, "changed");
    assert.deepEqual(
      index.rulesFor("p.other").map((r) => r.name),
      ["c"],
    );
    assert.deepEqual(index.rulesFor("p.none"), []);
    assert.equal(index.size, 3);
  });

  it("moves a rule whose trigger changed, drops disabled and removed rules", () => {
    const index = new RuleIndex();
    index.upsert(rule("a"));
    index.upsert(rule("b"));
    index.upsert(rule("a", { trigger: { type: "p.other" } }));
    assert.deepEqual(
      index.rulesFor("p.event").map((r) => r.name),
      ["b"],
    );
    assert.equal(index.triggerRefOf("p.a"), "p.other");
    index.upsert(rule("b", { enabled: false }));
    assert.deepEqual(index.rulesFor("p.event"), []);
    assert.equal(index.remove("p.a"), true);
    assert.equal(index.remove("p.a"), false);
    assert.equal(index.size, 0);
    assert.deepEqual(index.triggerRefs(), []);
  });

  it("uses the engine's resolver or an explicit trigger ref for parameterised triggers", () => {
    const hook = rule("hook", { trigger: { type: "core.st2.webhook", parameters: { url: "x" } } });
    assert.throws(() => new RuleIndex().upsert(hook), ValidationError);
    const index = new RuleIndex((r) => `resolved:${r.trigger.type}`);
    index.upsert(hook);
    index.upsert(rule("other"), "core.abc123");
    assert.deepEqual(
      index.rulesFor("resolved:core.st2.webhook").map((r) => r.name),
      ["hook"],
    );
    assert.deepEqual(
      index.rulesFor("core.abc123").map((r) => r.name),
      ["other"],
    );
  });

  it("derives shadow trigger refs", () => {
    assert.equal(shadowTriggerRef(rule("x")), "p.event");
    assert.equal(
      shadowTriggerRef(rule("x", { trigger: { type: "t", ref: "core.uuid" } })),
      "core.uuid",
    );
    assert.equal(shadowTriggerRef(rule("x", { trigger: { type: "t", parameters: {} } })), "t");
  });

  it("returns only the asked-for trigger's rules however many others exist", () => {
    const index = new RuleIndex();
    for (let i = 0; i < 2000; i++)
      index.upsert(rule(`r${i}`, { trigger: { type: `p.t${i % 200}` } }));
    const mine = index.rulesFor("p.t7");
    assert.equal(mine.length, 10);
    assert.equal(
      index.rulesFor("p.t7"),
      mine,
      "the list is cached until the trigger's rules change",
    );
    index.upsert(rule("new", { trigger: { type: "p.t7" } }));
    assert.equal(index.rulesFor("p.t7").length, 11);
    assert.equal(index.rulesFor("p.t8").length, 10);
  });
});
