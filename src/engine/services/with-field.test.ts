import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withField } from "./with-field.ts";

/** Own keys in order, values, and prototype: what tells two objects apart. */
function shape(value: object): unknown {
  return {
    keys: Reflect.ownKeys(value),
    entries: Object.entries(value),
    prototype: Object.getPrototypeOf(value),
  };
}

describe("withField builds what the spread builds", () => {
  const inherited = Object.create({ fromPrototype: 1 }) as Record<string, unknown>;
  inherited.own = 2;
  const cases: Array<{ name: string; base: Record<string, unknown>; key: string }> = [
    {
      name: "a new key goes last",
      base: { id: "x", action: { ref: "a" }, delay: null },
      key: "status",
    },
    {
      name: "an existing key keeps its place",
      base: { a: 1, status: "requested", b: 2 },
      key: "status",
    },
    { name: "an empty object", base: {}, key: "pack" },
    { name: "integer-like keys come first", base: { b: 1, "2": 2, a: 3, "1": 4 }, key: "0" },
    { name: "inherited keys are not copied", base: inherited, key: "more" },
    {
      name: "a __proto__ key (from JSON) stays an ordinary key",
      base: JSON.parse('{"a": 1, "__proto__": {"polluted": true}}') as Record<string, unknown>,
      key: "execution_id",
    },
    { name: "__proto__ as the added key", base: { a: 1 }, key: "__proto__" },
  ];
  for (const c of cases)
    it(c.name, () => {
      const value = { marker: true };
      const out = withField(c.base, c.key, value);
      assert.deepEqual(shape(out), shape({ ...c.base, [c.key]: value }));
      assert.notEqual(out, c.base);
    });

  it("leaves the source as it was", () => {
    const base = { a: 1 };
    withField(base, "b", 2);
    assert.deepEqual(base, { a: 1 });
  });
});
