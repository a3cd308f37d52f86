import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { datastoreReferences, datastoreUser } from "./datastore.ts";

describe("datastoreReferences", () => {
  const table: Array<
    [string, Record<string, unknown>, Record<string, { default?: unknown }>, string[]]
  > = [
    ["plain values mention nothing", { a: "st2kv.system.x", b: 5 }, {}, []],
    ["system key", { a: "{{ st2kv.system.foo }}" }, {}, ["system:foo"]],
    [
      "dotted name keeps the first segment",
      { a: "{{ st2kv.system.foo.bar }}" },
      {},
      ["system:foo"],
    ],
    ["user key", { a: "{{ st2kv.user.token }}" }, {}, ["user:token"]],
    [
      "bracket forms",
      { a: "{{ st2kv['system']['a.b'] }} {{ st2kv.user[\"k\"] }}" },
      {},
      ["system:a", "user:k"],
    ],
    [
      "nested in lists, dicts and keys",
      { a: [{ "{{ st2kv.system.k1 }}": "{{ st2kv.system.k2 | int }}" }] },
      {},
      ["system:k1", "system:k2"],
    ],
    [
      "defaults count",
      { a: "x" },
      { p: { default: "{% if st2kv.system.flag %}y{% endif %}" } },
      ["system:flag"],
    ],
    ["computed keys need the whole scope", { a: "{{ st2kv.system[name] }}" }, {}, ["system:"]],
    [
      "st2kv used whole needs both scopes",
      { a: "{% set kv = st2kv %}{{ kv.system.x }}" },
      {},
      ["system:", "user:"],
    ],
    [
      "duplicates collapse",
      { a: "{{ st2kv.system.x }}", b: "{{ st2kv.system.x.y }}" },
      {},
      ["system:x"],
    ],
  ];
  for (const [name, values, schema, expected] of table) {
    it(name, () => {
      const got = datastoreReferences(values, schema).map((r) => `${r.scope}:${r.prefix}`);
      assert.deepEqual(got.sort(), [...expected].sort());
    });
  }
});

describe("datastoreUser", () => {
  it("prefers api_user, then user, then the system user", () => {
    assert.equal(datastoreUser({ user: "a", api_user: "b" }, "stanley"), "b");
    assert.equal(datastoreUser({ user: "a", api_user: "" }, "stanley"), "a");
    assert.equal(datastoreUser({}, "stanley"), "stanley");
  });
});
