import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { datastoreContext } from "../params/datastore.ts";
import { findValues, JsonPathError, parseJsonPath } from "./jsonpath.ts";

const payload = {
  a: { b: 1, "odd key": 2, "x.y": 3 },
  headers: { "X-Github-Event": "push" },
  list: [{ name: "n0", flag: true }, { name: "n1" }, { name: "n2", flag: false }],
  nums: [10, 20, 30, 40],
  text: "héllo",
  nothing: null,
  num: 7,
  order: { z: 1, y: 2 },
};
const data = { trigger: payload };

const FOUND: Array<[string, unknown[]]> = [
  ["trigger.a.b", [1]],
  ["trigger.a.'odd key'", [2]],
  ['trigger.a."x.y"', [3]],
  ["trigger.a['x.y']", [3]],
  ["trigger.headers.X-Github-Event", ["push"]],
  ["trigger.list[1].name", ["n1"]],
  ["trigger.nums[-1]", [40]],
  ["trigger.nums[9]", []],
  ["trigger.text[1]", ["é"]],
  ["trigger.list[*].name", ["n0", "n1", "n2"]],
  ["trigger.nums[1:3]", [20, 30]],
  ["trigger.nums[-2:]", [30, 40]],
  ["trigger.nums[:1]", [10]],
  ["trigger.order.*", [1, 2]],
  ["trigger.a['b','x.y']", [1, 3]],
  ["trigger.a.b,'odd key'", [1, 2]],
  ["trigger.missing", []],
  ["trigger.missing.deeper", []],
  ["trigger.list.name", []],
  ["trigger.text.length", []],
  ["trigger.nothing", [null]],
  ["trigger.nothing.x", []],
  ["$.trigger.a.b", [1]],
  ["trigger..name", ["n0", "n1", "n2"]],
  ["trigger.list[*] where flag", [payload.list[0], payload.list[2]]],
  ["(trigger.a.b) | (trigger.num)", [1, 7]],
  // jsonpath_rw binds `|` tighter than `.`: this is trigger.(a | list).b, not a union of paths.
  ["trigger.a | list.b", [1]],
  ["trigger.a.b.`parent`.'odd key'", [2]],
  ["trigger.a.`this`.b", [1]],
  // `[*]` turns a mapping, a string or an int into a one-element list.
  ["trigger.a[*].b", [1]],
  ["trigger.text[*]", ["héllo"]],
  ["trigger.num[*]", [7]],
];

describe("JSONPath lookups (jsonpath_rw semantics)", () => {
  for (const [path, expected] of FOUND) {
    it(`${path} -> ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(findValues(path, data), expected);
    });
  }

  it("raises where jsonpath_rw raises", () => {
    const RAISES = [
      "trigger.nothing[0]", // len(None)
      "trigger.num[0]", // len(int)
      "trigger.a[0]", // dict[0] -> KeyError
      "trigger.nothing[*]", // len(None)
      "trigger.a & trigger.b", // Intersect is not implemented
    ];
    for (const path of RAISES) assert.throws(() => findValues(path, data), JsonPathError, path);
    assert.throws(() => findValues("trigger.x[-1]", { trigger: { x: [] } }), JsonPathError);
  });

  it("rejects malformed paths with a parse error naming the path", () => {
    for (const path of [
      "",
      "trigger.",
      "trigger[",
      "trigger.a b",
      "trigger.0",
      "trigger.'open",
      "a#b",
      "`nope`",
    ]) {
      assert.throws(
        () => parseJsonPath(path),
        (e: unknown) => e instanceof JsonPathError && e.message.includes(JSON.stringify(path)),
        path,
      );
    }
  });

  it("reads datastore keys through the system lookup", () => {
    const kv = datastoreContext(
      (scope, name) => (scope === "system" && name === "env" ? "prod" : undefined),
      "st2admin",
    );
    const [value] = findValues("system.env", { trigger: {}, system: kv.system });
    assert.equal(String((value as { str(): string }).str()), "prod");
    assert.throws(() => findValues("system.*", { system: kv.system }), JsonPathError);
  });
});
