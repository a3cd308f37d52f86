import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MinimalJinja } from "../expr/minimal.ts";
import { compiledRule, fastMatch } from "./compiled.ts";
import { evaluateCriteria } from "./criteria.ts";

const options = { engine: new MinimalJinja(), now: () => Date.parse("2026-01-01T00:00:00Z") };

const payloads: unknown[] = [
  { body: { env: "prod", n: 3, tags: ["a", "b"], name: "Web-01", nothing: null } },
  { body: { env: "dev", n: "3", tags: [], name: "db" } },
  { body: {} },
  { other: 1 },
  {},
];

const criteria: Array<Record<string, { type: string; pattern?: unknown }>> = [
  { "trigger.body.env": { type: "equals", pattern: "prod" } },
  { "trigger.body.env": { type: "nequals", pattern: "prod" } },
  { "trigger.body.env": { type: "iequals", pattern: "PROD" } },
  { "trigger.body.n": { type: "greaterthan", pattern: 2 } },
  { "trigger.body.n": { type: "lt", pattern: 5 } },
  { "trigger.body.tags": { type: "contains", pattern: "a" } },
  { "trigger.body.name": { type: "matchwildcard", pattern: "web-*" } },
  { "trigger.body.name": { type: "regex", pattern: "^W.b" } },
  { "trigger.body.name": { type: "startswith", pattern: "Web" } },
  { "trigger.body.missing": { type: "nexists" } },
  { "trigger.body.missing": { type: "exists" } },
  { "trigger.body.nothing": { type: "equals", pattern: null } },
  { "trigger.body.env": { type: "inside", pattern: "prod,dev" } },
  {
    "trigger.body.env": { type: "equals", pattern: "prod" },
    "trigger.body.n#2": { type: "gt", pattern: 1 },
  },
];

describe("compiled rules agree with the full evaluator", () => {
  for (const [i, c] of criteria.entries()) {
    for (const [j, payload] of payloads.entries()) {
      it(`criteria ${i} on payload ${j}`, () => {
        const full = evaluateCriteria(c, payload, options);
        const fast = fastMatch(compiledRule({ criteria: c }), payload, options);
        if (fast !== undefined) {
          assert.equal(fast, full.matched);
          assert.deepEqual(full.errors, [], "the fast path must not hide an error");
        }
      });
    }
  }

  it("leaves templates, search and non-trigger keys to the full evaluator", () => {
    assert.equal(
      compiledRule({ criteria: { "trigger.x": { type: "equals", pattern: "{{ 1 }}" } } }),
      null,
    );
    assert.equal(
      compiledRule({ criteria: { "trigger.x": { type: "search", pattern: {} } } }),
      null,
    );
    assert.equal(
      compiledRule({ criteria: { "system.x": { type: "equals", pattern: "a" } } }),
      null,
    );
    assert.equal(
      compiledRule({ criteria: { "trigger.x[0]": { type: "equals", pattern: "a" } } }),
      null,
    );
    assert.notEqual(
      compiledRule({ criteria: { "trigger.x.y": { type: "equals", pattern: "a" } } }),
      null,
    );
  });
});
