import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatSpec,
  makeFloat,
  makeTuple,
  PyFloat,
  PythonError,
  percentFormat,
  pyAdd,
  pyCompare,
  pyEquals,
  pyFloorDiv,
  pyHashKey,
  pyJsonDumps,
  pyMod,
  pyMul,
  pyNeg,
  pyPow,
  pyRepr,
  pyRound,
  pyStr,
  pySub,
  pyTrueDiv,
  pyTruthy,
  pyTypeName,
  strFormat,
  toJsonValue,
} from "./index.ts";

const f = (n: number) => new PyFloat(n);

describe("int versus float", () => {
  it("boxes integral floats only", () => {
    assert.ok(makeFloat(2) instanceof PyFloat);
    assert.equal(makeFloat(2.5), 2.5);
    assert.equal(pyTypeName(f(2)), "float");
    assert.equal(pyTypeName(2), "int");
    assert.equal(pyTypeName(2.5), "float");
  });

  const reprs: Array<[unknown, string]> = [
    [f(2), "2.0"],
    [f(-0), "-0.0"],
    [f(1e16), "1e+16"],
    [f(1e15), "1000000000000000.0"],
    [0.1, "0.1"],
    [1e-5, "1e-05"],
    [Number.NaN, "nan"],
    [Number.NEGATIVE_INFINITY, "-inf"],
    [[f(1), 2], "[1.0, 2]"],
  ];
  for (const [value, text] of reprs) {
    it(`repr ${text}`, () => assert.equal(pyRepr(value), text));
  }

  const ops: Array<[string, () => unknown, string]> = [
    ["1 + 1", () => pyAdd(1, 1), "2"],
    ["1 + 1.0", () => pyAdd(1, f(1)), "2.0"],
    ["True + 1", () => pyAdd(true, 1), "2"],
    ["0.1 + 0.2", () => pyAdd(0.1, 0.2), "0.30000000000000004"],
    ["'a' + 'b'", () => pyAdd("a", "b"), "ab"],
    ["[1] + [2]", () => pyAdd([1], [2]), "[1, 2]"],
    ["5 - 7", () => pySub(5, 7), "-2"],
    ["'ab' * 2", () => pyMul("ab", 2), "abab"],
    ["2 * [0]", () => pyMul(2, [0]), "[0, 0]"],
    ["4 / 2", () => pyTrueDiv(4, 2), "2.0"],
    ["7 / 2", () => pyTrueDiv(7, 2), "3.5"],
    ["-7 // 2", () => pyFloorDiv(-7, 2), "-4"],
    ["7.0 // 2", () => pyFloorDiv(f(7), 2), "3.0"],
    ["-7 % 3", () => pyMod(-7, 3), "2"],
    ["7 % -3", () => pyMod(7, -3), "-2"],
    ["-7.5 % 2", () => pyMod(-7.5, 2), "0.5"],
    ["2 ** 10", () => pyPow(2, 10), "1024"],
    ["2 ** -1", () => pyPow(2, -1), "0.5"],
    ["2.0 ** 2", () => pyPow(f(2), 2), "4.0"],
    ["-(2.0)", () => pyNeg(f(2)), "-2.0"],
    ["round(2.5)", () => pyRound(f(2.5) as unknown as number), "2"],
    ["round(3.5)", () => pyRound(3.5), "4"],
    ["round(2.675, 2)", () => pyRound(2.675, 2), "2.67"],
    ["round(2.0, 1)", () => pyRound(f(2), 1), "2.0"],
  ];
  for (const [name, run, text] of ops) {
    it(name, () => assert.equal(pyStr(run()), text));
  }

  const errors: Array<[string, () => unknown, string]> = [
    ["1 / 0", () => pyTrueDiv(1, 0), "ZeroDivisionError"],
    ["1 % 0", () => pyMod(1, 0), "ZeroDivisionError"],
    ["'a' + 1", () => pyAdd("a", 1), "TypeError"],
    ["'a' * 1.5", () => pyMul("a", 1.5), "TypeError"],
    ["10 ** 100", () => pyPow(10, 100), "OverflowError"],
    ["2 ** 53 + 1", () => pyAdd(2 ** 53, 1), "OverflowError"],
    ["'x' * 10**9", () => pyMul("x", 10 ** 9), "OverflowError"],
  ];
  for (const [name, run, type] of errors) {
    it(`${name} raises ${type}`, () => {
      assert.throws(run, (e: unknown) => e instanceof PythonError && e.pyType === type);
    });
  }
});

describe("equality, ordering, hashing, truthiness", () => {
  it("1 == 1.0 == True", () => {
    assert.ok(pyEquals(1, f(1)));
    assert.ok(pyEquals(f(1), true));
    assert.ok(!pyEquals(1, "1"));
    assert.equal(pyHashKey(1), pyHashKey(f(1)));
    assert.equal(pyHashKey(true), pyHashKey(1));
    assert.equal(pyHashKey(makeTuple([1, "a"])), pyHashKey(makeTuple([f(1), "a"])));
  });
  it("orders numbers, strings and lists; refuses mixed types", () => {
    assert.ok(pyCompare(1, f(1.5), "<") < 0);
    assert.ok(pyCompare([1, 2], [1, 3], "<") < 0);
    assert.throws(
      () => pyCompare(1, "a", "<"),
      (e: unknown) => e instanceof PythonError && e.pyType === "TypeError",
    );
    assert.throws(() => pyHashKey([1]), PythonError);
  });
  it("truthiness", () => {
    assert.equal(pyTruthy(f(0)), false);
    assert.equal(pyTruthy(0.5), true);
    assert.equal(pyTruthy({}), false);
    assert.equal(pyTruthy(Number.NaN), true);
  });
  it("JSON output unboxes floats", () => {
    assert.deepEqual(toJsonValue({ a: [f(2), makeTuple([1])] }), { a: [2, [1]] });
    assert.equal(pyJsonDumps({ a: f(2) }), '{"a": 2.0}');
  });
});

describe("string formatting", () => {
  const table: Array<[string, () => string, string]> = [
    ["%s-%s", () => percentFormat("%s-%s", makeTuple(["a", 1])), "a-1"],
    ["%s of a list", () => percentFormat("%s", [1, 2]), "[1, 2]"],
    [
      "%5.2f|%-4d|%03d",
      () => percentFormat("%5.2f|%-4d|%03d", makeTuple([3.14158, 7, 5])),
      " 3.14|7   |005",
    ],
    ["%(k)s %%", () => percentFormat("%(k)s %%", { k: "v" }), "v %"],
    [
      "%r %x %e",
      () => percentFormat("%r %x %e", makeTuple(["a", 255, 12345.678])),
      "'a' ff 1.234568e+04",
    ],
    ["%g", () => percentFormat("%g %g", makeTuple([0.0001, 1e20])), "0.0001 1e+20"],
    ["{} {}", () => strFormat("{} {}", ["a", 1], {}, () => null), "a 1"],
    ["{1}{0}", () => strFormat("{1}{0}", ["a", "b"], {}, () => null), "ba"],
    ["{x!r:>6}", () => strFormat("{x!r:>6}", [], { x: "a" }, () => null), "   'a'"],
    [":.2f", () => formatSpec(2, ".2f"), "2.00"],
    [":,", () => formatSpec(1234567, ","), "1,234,567"],
    [":^7", () => formatSpec("ab", "*^7"), "**ab***"],
    [":08.3f", () => formatSpec(-3.14158, "08.3f"), "-003.142"],
    [": float default", () => formatSpec(f(2), ""), "2.0"],
  ];
  for (const [name, run, text] of table) {
    it(name, () => assert.equal(run(), text));
  }
  it("counts arguments like Python", () => {
    assert.throws(() => percentFormat("%s %s", "a"), PythonError);
    assert.throws(() => percentFormat("%s", makeTuple(["a", "b"])), PythonError);
  });
});
