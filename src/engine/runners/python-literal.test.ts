import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../core/errors.ts";
import { pyRepr } from "./python-format.ts";
import { parsePythonLiteral } from "./python-literal.ts";

describe("parsePythonLiteral", () => {
  const cases: Array<[string, unknown]> = [
    ["{'a': 1, 'b': True, 'c': None}", { a: 1, b: true, c: null }],
    ["{\"x\": [1, 2.5, -3e2], 'y': (1,)}", { x: [1, 2.5, -300], y: [1] }],
    ["'it\\'s'", "it's"],
    ["'a\\nb\\x41\\u00e9'", "a\nbAé"],
    ["'''tri'ple'''", "tri'ple"],
    ["'a' 'b'", "ab"],
    ["[]", []],
    ["{}", {}],
    ["1_000", 1000],
    ["False", false],
  ];
  for (const [text, expected] of cases) {
    it(text, () => assert.deepEqual(parsePythonLiteral(text), expected));
  }
  for (const bad of ["{'a': }", "foo", "[1, 2", "'open", "{'a': 1} x"]) {
    it(`rejects ${bad}`, () => assert.throws(() => parsePythonLiteral(bad), ValidationError));
  }
  it("round-trips pyRepr output", () => {
    const value = { s: 'it\'s "q"', n: [1, 2.5, null, false], nested: { "k\n": "\t" } };
    assert.deepEqual(parsePythonLiteral(pyRepr(value)), value);
  });
});
