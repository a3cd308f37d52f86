import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../errors.ts";
import { castParameter, NONE_MAGIC_VALUE } from "./casts.ts";
import { pyLiteralEval } from "./pyliteral.ts";

const FAIL = Symbol("fails");

/** [declared type, input, expected output or FAIL (with a message pattern)] */
const table: Array<[string | undefined, unknown, unknown, RegExp?]> = [
  // array (util/casts.py _cast_object: JSON first, then ast.literal_eval)
  ["array", "[1, 2]", [1, 2]],
  ["array", "['a', \"b\"]", ["a", "b"]],
  ["array", "(1, 'x')", [1, "x"]],
  ["array", "[True, None, -1.5]", [true, null, -1.5]],
  ["array", ["kept"], ["kept"]],
  ["array", 5, 5],
  ["array", "5", 5],
  ["array", NONE_MAGIC_VALUE, null],
  ["array", "not a list", FAIL, /cannot be cast to array/],
  ["array", "{1, 2}", FAIL, /sets have no JSON equivalent/],
  // object
  ["object", '{"a": {"b": [1]}}', { a: { b: [1] } }],
  ["object", "{'a': True, 'b': None, 'c': 'it\\'s'}", { a: true, b: null, c: "it's" }],
  ["object", { a: 1 }, { a: 1 }],
  ["object", "{1: 2}", FAIL, /dict keys must be strings/],
  ["object", "{'a': b'x'}", FAIL, /bytes/],
  // boolean (ast.literal_eval(x.capitalize()))
  ["boolean", "true", true],
  ["boolean", "FALSE", false],
  ["boolean", "True", true],
  ["boolean", "1", 1],
  ["boolean", "0", 0],
  ["boolean", "none", null],
  ["boolean", true, true],
  ["boolean", 1, 1],
  ["boolean", NONE_MAGIC_VALUE, null],
  ["boolean", "yes", FAIL, /name 'Yes' is not a literal/],
  ["boolean", "[true]", FAIL, /cannot be cast to boolean/],
  // integer (int(x))
  ["integer", "42", 42],
  ["integer", " 42\n", 42],
  ["integer", "-7", -7],
  ["integer", "1_000", 1000],
  ["integer", "007", 7],
  ["integer", 4.9, 4],
  ["integer", -4.9, -4],
  ["integer", true, 1],
  ["integer", "4.5", FAIL, /invalid literal for int\(\) with base 10: '4.5'/],
  ["integer", "abc", FAIL, /invalid literal for int\(\)/],
  ["integer", "", FAIL, /invalid literal for int\(\)/],
  ["integer", [1], FAIL, /not 'list'/],
  ["integer", NONE_MAGIC_VALUE, FAIL, /not 'NoneType'/],
  ["integer", "99999999999999999999", FAIL, /too large/],
  // number (float(x))
  ["number", "4.5", 4.5],
  ["number", "1e3", 1000],
  ["number", " -2 ", -2],
  ["number", ".5", 0.5],
  ["number", 3, 3],
  ["number", false, 0],
  ["number", "x", FAIL, /could not convert string to float: 'x'/],
  ["number", "inf", FAIL, /cannot be stored as a JSON number/],
  ["number", { a: 1 }, FAIL, /not 'dict'/],
  // string
  ["string", "abc", "abc"],
  ["string", "", ""],
  ["string", NONE_MAGIC_VALUE, null],
  ["string", 5, FAIL, /Value "5" must either be a string or None\. Got "int"\./],
  ["string", true, FAIL, /Value "True" must either be a string or None\. Got "bool"\./],
  ["string", { a: 1 }, FAIL, /Value "\{'a': 1\}" must either be a string or None\. Got "dict"\./],
  // no cast
  [undefined, "42", "42"],
  ["null", "42", "42"],
  ["integer", null, null],
  ["string", null, null],
];

describe("castParameter (st2common/util/casts.py)", () => {
  for (const [type, input, expected, message] of table) {
    const label = `${type ?? "untyped"} ← ${JSON.stringify(input)}`;
    it(label, () => {
      const spec = type === undefined ? { description: "x" } : { type };
      if (expected === FAIL) {
        assert.throws(
          () => castParameter("p", input, spec),
          (e: unknown) => {
            assert.ok(e instanceof ValidationError);
            assert.equal(e.location?.field, "parameters.p");
            if (message) assert.match(e.message, message);
            return true;
          },
        );
      } else {
        assert.deepEqual(castParameter("p", input, spec), expected);
      }
    });
  }
  it("passes values through when there is no schema", () => {
    assert.equal(castParameter("p", "1", undefined), "1");
    assert.equal(castParameter("p", "1", {}), "1");
  });
  it("refuses type lists instead of crashing like StackStorm", () => {
    assert.throws(() => castParameter("p", "1", { type: ["string", "null"] }), ValidationError);
  });
});

describe("pyLiteralEval (ast.literal_eval)", () => {
  const ok: Array<[string, unknown]> = [
    ["  [1, 2,]", [1, 2]],
    ["0x1F", 31],
    ["0o17", 15],
    ["0b101", 5],
    ["-3", -3],
    ["'a' 'b'", "ab"],
    ["r'\\n'", "\\n"],
    ["'\\x41\\u00e9\\101'", "Aé\u0041"],
    ["'''tri\nple'''", "tri\nple"],
    ["{'a': (1, 2)}", { a: [1, 2] }],
    ["((1))", 1],
    ["()", []],
  ];
  for (const [text, expected] of ok) {
    it(`evaluates ${JSON.stringify(text)}`, () => assert.deepEqual(pyLiteralEval(text), expected));
  }
  for (const bad of ["foo", "1 + 2", "[1", "'open", "1j", "012", "f'x'", "{'a' 1}"]) {
    it(`refuses ${JSON.stringify(bad)}`, () =>
      assert.throws(() => pyLiteralEval(bad), ValidationError));
  }
});
