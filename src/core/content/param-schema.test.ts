import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assignDefaults } from "./param-schema.ts";

describe("assignDefaults (assign_default_values)", () => {
  const schema = {
    type: "object",
    properties: {
      port: { type: "integer", default: 22 },
      user: { type: "string" },
      opts: {
        type: "object",
        properties: { retries: { type: "integer", default: 3 } },
      },
      hosts: {
        type: "array",
        items: { type: "object", properties: { ssl: { type: "boolean", default: true } } },
      },
      pair: { type: "array", items: [{ default: "a" }, { default: "b" }] },
      exclusiveMax: { type: "boolean", default: false },
      max: { type: "integer" },
    },
    dependencies: { exclusiveMax: ["max"] },
  };
  const table: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ["fills a missing value", {}, { port: 22 }],
    ["fills a null value", { port: null }, { port: 22 }],
    ["keeps a given value", { port: 2222 }, { port: 2222 }],
    ["descends into objects", { opts: {} }, { port: 22, opts: { retries: 3 } }],
    [
      "descends into arrays of objects",
      { hosts: [{}, { ssl: false }] },
      { port: 22, hosts: [{ ssl: true }, { ssl: false }] },
    ],
    [
      "fills null items of a positional array",
      { pair: [null, "x"] },
      { port: 22, pair: ["a", "x"] },
    ],
    [
      "applies a default only when its dependencies are present",
      { max: 5 },
      { port: 22, max: 5, exclusiveMax: false },
    ],
  ];
  for (const [name, input, expected] of table) {
    it(name, () => assert.deepEqual(assignDefaults(input, schema), expected));
  }
  it("copies instead of changing its input", () => {
    const input = { opts: {} };
    assignDefaults(input, schema);
    assert.deepEqual(input, { opts: {} });
  });
  it("leaves values alone when the schema is not an object or array schema", () => {
    assert.deepEqual(assignDefaults({}, { properties: { a: { default: 1 } } }), {});
    assert.equal(assignDefaults("x", schema), "x");
  });
});
