import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PyFloat } from "../python/number.ts";
import { isTuple } from "../python/value.ts";
import {
  CollectionTooLargeException,
  compileYaql,
  evaluateYaql,
  fn,
  NoFunctionRegisteredException,
  NoMatchingFunctionException,
  p,
  renderOrquestaYaql,
  T,
  YaqlEvaluationException,
  YaqlException,
  YaqlGrammarException,
  YaqlLexicalException,
  type YaqlMode,
  YaqlPythonError,
  YaqlResourceException,
} from "./index.ts";

describe("evaluateYaql", () => {
  const cases: [string, unknown, unknown, YaqlMode?][] = [
    [
      "$.items.where($.n > 1).select($.name)",
      {
        items: [
          { n: 1, name: "a" },
          { n: 2, name: "b" },
        ],
      },
      ["b"],
    ],
    ["7 / 2", null, 3],
    ["coalesce($x, 0) + 1", null, 1],
    ["{b => 1, a => 2}.keys()", null, ["b", "a"]],
    ["dict(a => 1).set(1, x)", null, { a: 1, "1": "x" }],
    ["$.a.b", { a: { b: null } }, null],
    ["$?.a", null, null],
    ["[1, 2] + [3]", null, [1, 2, 3]],
    ["$.b", { a: 1 }, null, "legacy"],
    ["let(x => 2) -> $x * $", 4, 8],
  ];
  for (const [expr, data, expected, mode] of cases) {
    test(`${mode ?? "default"}: ${expr}`, () => {
      assert.deepEqual(evaluateYaql(expr, data, { mode: mode ?? "default" }), expected);
    });
  }

  test("int and float stay apart", () => {
    const r = evaluateYaql("4 / 2.0");
    assert.ok(r instanceof PyFloat);
    assert.equal(Number(r), 2);
    assert.equal(evaluateYaql("4 / 2"), 2);
    assert.equal(JSON.stringify(evaluateYaql("[2.0, 2]")), "[2,2]");
  });

  test("legacy `=>` builds tuples, kept as tuples at the boundary", () => {
    const r = evaluateYaql("1 => 2", null, { mode: "legacy" });
    assert.deepEqual(r, [1, 2]);
    assert.ok(isTuple(r));
  });

  test("context variables are visible as $name", () => {
    assert.equal(evaluateYaql("$greeting + $", "!", { context: { greeting: "hi" } }), "hi!");
  });
});

describe("compileYaql", () => {
  test("parses once: the same text gives the same compiled expression", () => {
    const a = compileYaql("$ + 1");
    assert.equal(compileYaql("$ + 1"), a);
    assert.equal(a.evaluate(1), 2);
    assert.equal(a.evaluate(41), 42);
    assert.notEqual(compileYaql("$ + 1", "legacy"), a);
  });
});

describe("errors", () => {
  const cases: [string, new (...args: never[]) => Error, number][] = [
    ["1 ? 2", YaqlLexicalException, 2],
    ["(2", YaqlGrammarException, 2],
    ["func(x => 1, 2)", YaqlGrammarException, 13],
    ["  nope()", NoFunctionRegisteredException, 2],
    ["len(1, 2, 3)", NoMatchingFunctionException, 0],
    ["$[5]", YaqlPythonError, 1],
  ];
  for (const [expr, cls, pos] of cases) {
    test(`${expr} → ${cls.name} at ${pos}`, () => {
      assert.throws(
        () => evaluateYaql(expr, [1]),
        (err: unknown) => {
          assert.ok(err instanceof cls, `got ${String(err)}`);
          assert.ok(err instanceof YaqlException);
          assert.equal(err.position, pos);
          assert.equal(err.expression, expr);
          return true;
        },
      );
    });
  }

  test("Python errors carry the Python class name", () => {
    assert.throws(
      () => evaluateYaql("1 / 0"),
      (err: unknown) => err instanceof YaqlPythonError && err.pyName === "ZeroDivisionError",
    );
  });
});

describe("function registry", () => {
  const double = fn("double", "ext", [p("n", T.int)], (_c, [n]) => (n as number) * 2);
  const shout = fn(
    "toUpper",
    "method",
    [p("s", T.string)],
    (_c, [s]) => `${String(s).toUpperCase()}!`,
  );

  test("injected functions are callable as functions and methods", () => {
    assert.equal(evaluateYaql("double(21)", null, { functions: [double] }), 42);
    assert.equal(evaluateYaql("21.double()", null, { functions: [double] }), 42);
    assert.throws(
      () => evaluateYaql("double(a)", null, { functions: [double] }),
      NoMatchingFunctionException,
    );
    assert.throws(() => evaluateYaql("double(1)"), NoFunctionRegisteredException);
  });

  test("injected overloads are tried before the library's", () => {
    assert.equal(evaluateYaql("abc.toUpper()", null, { functions: [shout] }), "ABC!");
    assert.equal(evaluateYaql("abc.toUpper()"), "ABC");
  });
});

describe("orquesta", () => {
  const state = {
    tasks: { t1__r0: 0, t2__r0: 1 },
    sequence: [{ status: "succeeded" }, { status: "failed" }],
    routes: [[]],
  };
  const context = {
    x: 1,
    __state: state,
    __current_task: { id: "t2", route: 0, result: { out: 5 } },
    __current_item: { name: "a" },
  };
  const cases: [string, unknown][] = [
    ["<% $ %>", null],
    ["<% ctx(x) + 1 %>", 2],
    ["<% task_status(t1) %>", "succeeded"],
    ["<% task_status(t9) %>", "null"],
    ["<% succeeded() %>", false],
    ["<% failed() %>", true],
    ["<% completed() %>", true],
    ["<% result().out %>", 5],
    ["<% item(name) %>", "a"],
    ["x=<% ctx(x) %>, ok=<% true %>, none=<% null %>", "x=1, ok=True, none=None"],
    [
      "<% zip([1, 2], [a]) %>",
      [
        [1, "a"],
        [2, null],
      ],
    ],
  ];
  for (const [text, expected] of cases) {
    test(text, () => assert.deepEqual(renderOrquestaYaql(text, context), expected));
  }

  test("st2kv and task use the injected callbacks", () => {
    const callbacks = {
      st2kv: (key: string, decrypt: boolean) => `${key}:${decrypt}`,
      task: (id: string | null) => ({ id, result: 1 }),
    };
    assert.equal(
      renderOrquestaYaql("<% st2kv('system.k', true) %>", {}, { callbacks }),
      "system.k:true",
    );
    assert.deepEqual(renderOrquestaYaql("<% task(t1) %>", {}, { callbacks }), {
      id: "t1",
      result: 1,
    });
    assert.throws(() => renderOrquestaYaql("<% st2kv(k) %>", {}), YaqlEvaluationException);
  });

  test("errors are worded as Orquesta words them", () => {
    assert.throws(() => renderOrquestaYaql("<% ctx().missing %>", {}), {
      message: "Unable to resolve key 'missing' in expression '<% ctx().missing %>' from context.",
    });
    assert.throws(() => renderOrquestaYaql("<% lambda($)(1) %>", {}), YaqlEvaluationException);
  });

  test("a context that refers to itself ends in an error", () => {
    assert.throws(
      () => renderOrquestaYaql("<% ctx(a) %>", { a: "<% ctx(a) %>" }),
      YaqlEvaluationException,
    );
  });
});

describe("bad input ends in a clear error", () => {
  test("deep nesting", () => {
    assert.throws(
      () => evaluateYaql(`${"(".repeat(10000)}1${")".repeat(10000)}`),
      YaqlGrammarException,
    );
    assert.throws(
      () => evaluateYaql(`${"[".repeat(10000)}${"]".repeat(10000)}`),
      YaqlGrammarException,
    );
    assert.throws(() => evaluateYaql(`${"-".repeat(10000)}1`), YaqlGrammarException);
  });

  test("runaway recursion and huge values", () => {
    assert.throws(() => evaluateYaql("def(f, f($)) -> f(1)"), YaqlResourceException);
    assert.throws(() => evaluateYaql("'x' * 2000000000"), YaqlResourceException);
  });

  test("iterator limits", () => {
    assert.throws(() => evaluateYaql("sequence()"), CollectionTooLargeException);
    assert.deepEqual(evaluateYaql("sequence().take(3)"), [0, 1, 2]);
    assert.throws(
      () =>
        evaluateYaql("sequence().where($ < 0).first()", null, {
          mode: "orquesta",
          limitIterators: 1000,
        }),
      CollectionTooLargeException,
    );
  });

  test("no way out to the host", () => {
    for (const expr of [
      "$.constructor",
      "''.constructor",
      "$.__proto__",
      "call(constructor, [], {})",
      "$.toString()",
    ]) {
      assert.throws(() => evaluateYaql(expr, {}), YaqlException, expr);
    }
  });
});
