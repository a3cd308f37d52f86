import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PythonError } from "./errors.ts";
import { pyJsonDumps } from "./json.ts";
import {
  makeTuple,
  pyCompare,
  pyContains,
  pyEquals,
  pyNumber,
  pyRepr,
  pyStr,
  pyTruthy,
  pyTypeName,
} from "./value.ts";

describe("Python str() and repr()", () => {
  const table: Array<[unknown, string]> = [
    [null, "None"],
    [true, "True"],
    [0, "0"],
    [-0, "0"],
    [2 ** 60, "1152921504606846976"],
    [0.5, "0.5"],
    [-1.25, "-1.25"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [1.5e16, "15000000000000000"],
    [123456789012.25, "123456789012.25"],
    [
      1.7976931348623157e308,
      "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368",
    ],
    [Number.NaN, "nan"],
    [Number.NEGATIVE_INFINITY, "-inf"],
    ["it's", "it's"],
    [
      ["it's", 'say "x"', "both ' \"", "tab\tnl\n", "\u0001", "é", "\u00a0"],
      `["it's", 'say "x"', 'both \\' "', 'tab\\tnl\\n', '\\x01', 'é', '\\xa0']`,
    ],
    [{ a: [1, { b: null }] }, "{'a': [1, {'b': None}]}"],
    [makeTuple([1]), "(1,)"],
    [[], "[]"],
    [{}, "{}"],
    // An absent value is None, as dict.get returns it.
    [undefined, "None"],
    [[undefined, { a: undefined }], "[None, {'a': None}]"],
    [0.00001, "1e-05"],
    [["\x7f", "\u0085", "\u200b", "\ud83d\ude00"], "['\\x7f', '\\x85', '\\u200b', '\ud83d\ude00']"],
  ];
  for (const [value, expected] of table) {
    it(`prints ${JSON.stringify(value) ?? String(value)}`, () => {
      assert.equal(pyStr(value), expected);
    });
  }
  it("repr quotes strings", () => {
    assert.equal(pyRepr("a"), "'a'");
    assert.equal(pyNumber(1e22), "10000000000000000000000");
  });
});

describe("Python truthiness", () => {
  const table: Array<[unknown, boolean]> = [
    [null, false],
    [undefined, false],
    [false, false],
    [0, false],
    ["", false],
    [[], false],
    [{}, false],
    [true, true],
    [0.5, true],
    ["0", true],
    [[0], true],
    [{ a: null }, true],
  ];
  for (const [value, expected] of table) {
    it(`${JSON.stringify(value) ?? String(value)} is ${expected}`, () => {
      assert.equal(pyTruthy(value), expected);
    });
  }
});

describe("Python equality", () => {
  const table: Array<[unknown, unknown, boolean]> = [
    [1, true, true],
    [0, false, true],
    ["1", 1, false],
    [null, null, true],
    [null, 0, false],
    [[1, "a"], [1, "a"], true],
    [[1], makeTuple([1]), false],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
  ];
  for (const [a, b, expected] of table) {
    it(`${JSON.stringify(a)} == ${JSON.stringify(b)} is ${expected}`, () => {
      assert.equal(pyEquals(a, b), expected);
    });
  }
});

describe("Python json.dumps", () => {
  const value = { b: 'é\u2028"\\', a: [1, 0.5, null, true, { c: [] }], d: {} };
  const table: Array<[Parameters<typeof pyJsonDumps>[1], string]> = [
    [{}, '{"b": "\\u00e9\\u2028\\"\\\\", "a": [1, 0.5, null, true, {"c": []}], "d": {}}'],
    [
      { sortKeys: true, separators: [",", ":"] },
      '{"a":[1,0.5,null,true,{"c":[]}],"b":"\\u00e9\\u2028\\"\\\\","d":{}}',
    ],
    [
      { indent: 2 },
      '{\n  "b": "\\u00e9\\u2028\\"\\\\",\n  "a": [\n    1,\n    0.5,\n    null,\n    true,\n    {\n      "c": []\n    }\n  ],\n  "d": {}\n}',
    ],
    [
      { ensureAscii: false, separators: [",", ":"] },
      '{"b":"é\u2028\\"\\\\","a":[1,0.5,null,true,{"c":[]}],"d":{}}',
    ],
  ];
  for (const [options, expected] of table) {
    it(`dumps with ${JSON.stringify(options)}`, () => {
      assert.equal(pyJsonDumps(value, options), expected);
    });
  }
  it("writes NaN and Infinity like Python", () => {
    assert.equal(pyJsonDumps([Number.NaN, Number.POSITIVE_INFINITY]), "[NaN, Infinity]");
  });
});

describe("Python semantics rule payloads rely on (bytes, hashing, code-point order)", () => {
  const bytes = (...b: number[]) => new Uint8Array(b);

  it("treats Uint8Array as bytes", () => {
    assert.equal(pyTypeName(bytes()), "bytes");
    // CPython: repr(b"a\x00\\\t") and repr(b"it's")
    assert.equal(pyRepr(bytes(97, 0, 92, 9)), "b'a\\x00\\\\\\t'");
    assert.equal(pyRepr(bytes(105, 116, 39, 115)), `b"it's"`);
    assert.equal(pyEquals(bytes(1, 2), bytes(1, 2)), true);
    assert.equal(pyEquals(bytes(1, 2), bytes(1)), false);
    assert.equal(pyContains(bytes(1, 2, 3), bytes(2, 3)), true);
    assert.equal(pyContains(bytes(1, 2, 3), 4), false);
    assert.ok(pyCompare(bytes(1, 2), bytes(1, 3), "<") < 0);
    assert.throws(
      () => pyContains(bytes(1), 256),
      (e: unknown) => e instanceof PythonError && e.pyType === "ValueError",
    );
  });

  it("compares None with an absent value as equal", () => {
    assert.equal(pyEquals(null, undefined), true);
    assert.equal(pyEquals([null], [undefined]), true);
    assert.equal(pyEquals(undefined, 0), false);
  });

  it("refuses unhashable keys in a dict membership test; tuples are hashable", () => {
    assert.throws(
      () => pyContains({ a: 1 }, [1]),
      (e: unknown) => e instanceof PythonError && e.message === "unhashable type: 'list'",
    );
    assert.equal(pyContains({ a: 1 }, makeTuple(["a"])), false);
  });

  it("orders strings by code point, not by UTF-16 unit", () => {
    // U+FFFF sorts before U+10000 in Python; JavaScript's < says the opposite.
    assert.ok(pyCompare("\uffff", "\u{10000}", "<") < 0);
  });
});
