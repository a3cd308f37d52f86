import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../errors.ts";
import { pyRepr } from "../expr/pyvalue.ts";
import { pyLiteralEval } from "./pyliteral.ts";

describe("pyLiteralEval on printed Python values", () => {
  const cases: Array<[string, unknown]> = [
    ["{'a': 1, 'b': True, 'c': None}", { a: 1, b: true, c: null }],
    ["{\"x\": [1, 2.5, -3e2], 'y': (1,)}", { x: [1, 2.5, -300], y: [1] }],
    ["'it\\'s'", "it's"],
    ["'a\\nb\\x41\\u00e9'", "a\nbAé"],
    ["'''tri'ple'''", "tri'ple"],
    ["[]", []],
    ["{}", {}],
    ["1_000", 1000],
    ["False", false],
    ["'\\0'", "\0"],
  ];
  for (const [text, expected] of cases) {
    it(text, () => assert.deepEqual(pyLiteralEval(text), expected));
  }
  for (const bad of ["{'a': }", "[1, 2", "{'a': 1} x"]) {
    it(`rejects ${bad}`, () => assert.throws(() => pyLiteralEval(bad), ValidationError));
  }
  it("round-trips pyRepr output", () => {
    const value = { s: 'it\'s "q"', n: [1, 2.5, null, false], nested: { "k\n": "\t" } };
    assert.deepEqual(pyLiteralEval(pyRepr(value)), value);
  });
});

describe("pyLiteralEval dict keys", () => {
  it("refuses non-string keys by default", () => {
    assert.throws(() => pyLiteralEval("{1: 'a'}"), ValidationError);
  });
  it("writes scalar keys as json.dumps does when asked", () => {
    assert.deepEqual(
      pyLiteralEval("{1: 'a', 2.5: 'b', True: 'c', None: 'd', 'e': 5}", { jsonKeys: true }),
      {
        "1": "a",
        "2.5": "b",
        true: "c",
        null: "d",
        e: 5,
      },
    );
  });
  it("still refuses keys json.dumps cannot write", () => {
    assert.throws(() => pyLiteralEval("{(1, 2): 'a'}", { jsonKeys: true }), ValidationError);
  });
});
