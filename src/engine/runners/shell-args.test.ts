import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ParameterSchema } from "../../core/content/model.ts";
import { ValidationError } from "../../core/errors.ts";
import {
  buildScriptArgs,
  quoteShell,
  secretEnvName,
  serializeNamed,
  serializePositional,
  toCommandString,
} from "./shell-args.ts";

describe("quoteShell (Python shlex.quote)", () => {
  const cases: Array<[string, string]> = [
    ["", "''"],
    ["abc", "abc"],
    ["a-b_c.d/e:f,g+h=i@j%k", "a-b_c.d/e:f,g+h=i@j%k"],
    ["hello world", "'hello world'"],
    ["it's", `'it'"'"'s'`],
    ["$HOME", "'$HOME'"],
    ["a;b", "'a;b'"],
    ["é", "'é'"],
    ["--flag", "--flag"],
    ["*", "'*'"],
    ["a\nb", "'a\nb'"],
  ];
  for (const [input, expected] of cases) {
    it(`quotes ${JSON.stringify(input)}`, () => assert.equal(quoteShell(input), expected));
  }
  it("joins words", () =>
    assert.equal(toCommandString(["/x/y.sh", "--a=1 2", ""]), "/x/y.sh '--a=1 2' ''"));
});

describe("serializePositional (action_db.serialize_positional_argument)", () => {
  const cases: Array<[string | string[] | undefined, unknown, string]> = [
    ["string", "hi there", "hi there"],
    ["string", null, ""],
    ["string", undefined, ""],
    ["number", 5, "5"],
    ["number", 1.5, "1.5"],
    ["number", 0, "0"],
    ["boolean", true, "1"],
    ["boolean", false, "0"],
    ["boolean", null, ""],
    ["array", ["a", "b", 3], "a,b,3"],
    ["array", [], ""],
    ["array", null, ""],
    ["array", [["x"], true], "['x'],True"],
    ["object", { a: 1, b: "x" }, '{"a":1,"b":"x"}'],
    ["object", {}, ""],
    ["null", "anything", ""],
    ["integer", 7, "7"],
    ["integer", 0, ""],
    [undefined, true, "True"],
    [undefined, "", ""],
    [["string", "null"], "x", "x"],
    [undefined, { a: [1, null] }, "{'a': [1, None]}"],
  ];
  for (const [type, value, expected] of cases) {
    it(`${JSON.stringify(type)} ${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () =>
      assert.equal(serializePositional(type, value), expected));
  }
});

describe("serializeNamed (ShellScriptAction._get_script_arguments)", () => {
  const cases: Array<[unknown, string | null]> = [
    [null, null],
    [undefined, null],
    ["", null],
    [false, null],
    [true, "--f"],
    ["v a", "--f=v a"],
    [0, "--f=0"],
    [2.5, "--f=2.5"],
    [0.00001, "--f=1e-05"],
    [["a", "b"], "--f=['a', 'b']"],
    [[], "--f=[]"],
    [{ k: "it's" }, `--f={'k': "it's"}`],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () =>
      assert.equal(serializeNamed("--f", value), expected));
  }
});

describe("buildScriptArgs", () => {
  const schema: ParameterSchema = {
    name: { type: "string" },
    second: { type: "string", position: 1 },
    verbose: { type: "boolean" },
    quiet: { type: "boolean" },
    first: { type: "integer", position: 0 },
    tags: { type: "array" },
    password: { type: "string", secret: true },
    token: { type: "string", secret: true, position: 2 },
    third: { type: "boolean", position: 3 },
    sudo: { type: "boolean", default: true },
    cwd: { type: "string" },
  };

  it("puts keyword arguments first (schema order) then positional ones by position", () => {
    const result = buildScriptArgs({
      parameters: {
        name: "a b",
        second: "two",
        verbose: true,
        quiet: false,
        first: 1,
        tags: ["x", "y"],
        password: "hunter2",
        token: "tok",
        third: false,
        sudo: true,
        cwd: "/tmp",
      },
      actionSchema: schema,
      runnerParameterNames: ["sudo", "cwd", "timeout"],
      secretNames: new Set(["password", "token"]),
      kwargOp: "--",
    });
    assert.deepEqual(result.argv, [
      "--name=a b",
      "--verbose",
      "--tags=['x', 'y']",
      "1",
      "two",
      "",
      "0",
    ]);
    assert.deepEqual(result.secretEnv, {
      ST2_ACTION_SECRET_PASSWORD: "hunter2",
      ST2_ACTION_SECRET_TOKEN: "tok",
    });
    assert.ok(!result.argv.some((a) => a.includes("hunter2") || a.includes("tok")));
  });

  it("keeps empty slots for missing positional values and honours kwarg_op", () => {
    const result = buildScriptArgs({
      parameters: { name: "n", third: true },
      actionSchema: schema,
      runnerParameterNames: [],
      secretNames: new Set(),
      kwargOp: "-",
    });
    assert.deepEqual(result.argv, ["-name=n", "", "", "", "1"]);
    assert.deepEqual(result.secretEnv, {});
  });

  it("ignores parameters that are not in the action schema", () => {
    const result = buildScriptArgs({
      parameters: { stray: "x", name: "n" },
      actionSchema: { name: { type: "string" } },
      runnerParameterNames: [],
      secretNames: new Set(),
      kwargOp: "--",
    });
    assert.deepEqual(result.argv, ["--name=n"]);
  });

  it("rejects two secrets mapping to the same variable", () => {
    assert.throws(
      () =>
        buildScriptArgs({
          parameters: { "api-key": "a", api_key: "b" },
          actionSchema: { "api-key": { type: "string" }, api_key: { type: "string" } },
          runnerParameterNames: [],
          secretNames: new Set(["api-key", "api_key"]),
          kwargOp: "--",
        }),
      ValidationError,
    );
  });

  it("rejects a non-integer position", () => {
    assert.throws(
      () =>
        buildScriptArgs({
          parameters: {},
          actionSchema: { a: { type: "string", position: 1.5 } },
          runnerParameterNames: [],
          secretNames: new Set(),
          kwargOp: "--",
        }),
      ValidationError,
    );
  });

  it("names secret variables predictably", () => {
    assert.equal(secretEnvName("api-key"), "ST2_ACTION_SECRET_API_KEY");
    assert.equal(secretEnvName("Password"), "ST2_ACTION_SECRET_PASSWORD");
  });
});
