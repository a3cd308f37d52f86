import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ActionDef, ParameterSpec, RunnerType } from "../core/content/model.ts";
import { ValidationError } from "../core/errors.ts";
import { castParameter, mergedParameterSpecs, parseRunArguments } from "./params.ts";

function action(ref: string, parameters: Record<string, ParameterSpec>): ActionDef {
  const [pack = "", name = ""] = ref.split(".");
  return {
    ref,
    uid: `action:${pack}:${name}`,
    name,
    pack,
    description: "",
    enabled: true,
    runner_type: "local-shell-cmd",
    entry_point: "",
    parameters,
    metadata_file: `actions/${name}.yaml`,
  };
}

const runner: RunnerType = {
  name: "local-shell-cmd",
  description: "",
  enabled: true,
  runner_parameters: {
    cmd: { type: "string" },
    timeout: { type: "integer", default: 60 },
    env: { type: "object" },
    sudo: { type: "boolean" },
  },
};

const typed = action("demo.typed", {
  count: { type: "integer" },
  ratio: { type: "number" },
  flag: { type: "boolean" },
  tags: { type: "array" },
  ports: { type: "array", items: { type: "integer" } },
  opts: { type: "object" },
  name: { type: "string" },
  maybe: { type: ["string", "null"] },
  either: { type: ["string", "integer"] },
  untyped: {},
});

const noFiles = (path: string): string => {
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
};

describe("castParameter", () => {
  const cases: Array<[string, ParameterSpec, string, unknown]> = [
    ["integer", { type: "integer" }, "42", 42],
    ["integer with sign and spaces", { type: "integer" }, " -7 ", -7],
    ["number", { type: "number" }, "1.5", 1.5],
    ["number with exponent", { type: "number" }, "2e3", 2000],
    ["number without leading digit", { type: "number" }, ".5", 0.5],
    ["boolean true", { type: "boolean" }, "true", true],
    ["boolean any case", { type: "boolean" }, "FALSE", false],
    ["string stays", { type: "string" }, "42", "42"],
    ["no type stays text", {}, "[1]", "[1]"],
    ["object from JSON", { type: "object" }, '{"a": 1, "b": [true]}', { a: 1, b: [true] }],
    ["object from pairs", { type: "object" }, "a=1,b=x=y", { a: "1", b: "x=y" }],
    ["empty object", { type: "object" }, "", {}],
    ["array comma-split and trimmed", { type: "array" }, "a, b ,c", ["a", "b", "c"]],
    ["array of one number stays text without items type", { type: "array" }, "51", ["51"]],
    [
      "array items cast by items.type",
      { type: "array", items: { type: "integer" } },
      "1,2",
      [1, 2],
    ],
    ["array from JSON", { type: "array" }, '[1, "x", {"k": null}]', [1, "x", { k: null }]],
    ["empty array", { type: "array" }, "", []],
    ["nullable string", { type: ["string", "null"] }, "x", "x"],
    ["nullable integer", { type: ["integer", "null"] }, "3", 3],
    ["real union left as text", { type: ["string", "integer"] }, "3", "3"],
  ];
  for (const [title, spec, input, expected] of cases) {
    it(title, () => assert.deepEqual(castParameter("p", input, spec), expected));
  }

  const failures: Array<[string, ParameterSpec, string, RegExp]> = [
    ["integer with fraction", { type: "integer" }, "1.5", /expects an integer, got "1.5"/],
    ["integer empty", { type: "integer" }, "", /expects an integer/],
    ["integer beyond 2^53", { type: "integer" }, "9007199254740993", /expects an integer/],
    ["number word", { type: "number" }, "abc", /expects a number, got "abc"/],
    ["number infinity", { type: "number" }, "inf", /expects a number/],
    ["boolean 1", { type: "boolean" }, "1", /Valid values are: true, false/],
    ["boolean yes", { type: "boolean" }, "yes", /boolean parameter "p"/],
    ["object bad JSON", { type: "object" }, "{a:1}", /"p" is not valid JSON/],
    ["object pair without =", { type: "object" }, "a=1,b", /"b" is not key=value/],
    ["array JSON that is not a list", { type: "array" }, "[1", /not valid JSON/],
    ["array item of wrong type", { type: "array", items: { type: "integer" } }, "1,x", /"p\[1\]"/],
  ];
  for (const [title, spec, input, message] of failures) {
    it(`rejects ${title}`, () => {
      assert.throws(
        () => castParameter("p", input, spec),
        (err: unknown) => err instanceof ValidationError && message.test(err.message),
      );
    });
  }
});

describe("parseRunArguments", () => {
  it("casts each pair by the merged action and runner schema", () => {
    const params = parseRunArguments(
      ["count=3", "flag=true", "tags=a,b", "timeout=30", "env=A=1", "name=x=y"],
      typed,
      runner,
      noFiles,
    );
    assert.deepEqual(params, {
      count: 3,
      flag: true,
      tags: ["a", "b"],
      timeout: 30,
      env: { A: "1" },
      name: "x=y",
    });
  });

  it("adds up repeated array parameters and keeps the last of other repeats", () => {
    const params = parseRunArguments(
      ["tags=a", "tags=b,c", "count=1", "count=2"],
      typed,
      runner,
      noFiles,
    );
    assert.deepEqual(params, { tags: ["a", "b", "c"], count: 2 });
  });

  it("joins bare words from the first one on into cmd", () => {
    const params = parseRunArguments(["timeout=5", "ls", "-la", "a=b"], typed, runner, noFiles);
    assert.deepEqual(params, { timeout: 5, cmd: "ls -la a=b" });
  });

  it("rejects bare words when the action has no cmd parameter", () => {
    assert.throws(
      () => parseRunArguments(["hello"], typed, undefined, noFiles),
      /"hello" is not of the form name=value, and demo.typed has no "cmd" parameter/,
    );
  });

  it("names unknown parameters and lists the accepted ones", () => {
    assert.throws(
      () => parseRunArguments(["bogus=1", "other=2"], typed, runner, noFiles),
      (err: unknown) =>
        err instanceof ValidationError &&
        err.message.includes('demo.typed has no parameters "bogus", "other"') &&
        err.message.includes("It accepts: cmd, count, either,") &&
        err.location?.field === "parameters.bogus",
    );
  });

  it("rejects a pair without a name", () => {
    assert.throws(() => parseRunArguments(["=1"], typed, runner, noFiles), /no parameter name/);
  });

  it("reads @name=path from the file and casts its content", () => {
    const files: Record<string, string> = { "opts.json": '{"deep": {"x": 1}}', "n.txt": "hi\n" };
    const read = (path: string) => {
      const content = files[path];
      if (content === undefined) return noFiles(path);
      return content;
    };
    const params = parseRunArguments(["@opts=opts.json", "@name=n.txt"], typed, runner, read);
    assert.deepEqual(params, { opts: { deep: { x: 1 } }, name: "hi\n" });
  });

  it("explains a missing @file", () => {
    assert.throws(
      () => parseRunArguments(["@name=missing.txt"], typed, runner, noFiles),
      (err: unknown) =>
        err instanceof ValidationError &&
        err.message === 'Cannot read file "missing.txt" for parameter "name": it does not exist.' &&
        err.location?.file === "missing.txt",
    );
  });

  it("sends an @file to core.http as the request body, defaulting method and file name", () => {
    const http = action("core.http", {
      url: { type: "string" },
      method: { type: "string" },
      file_content: { type: "string" },
      file_name: { type: "string" },
    });
    const params = parseRunArguments(
      ["url=http://x", "@body=dir/data.bin"],
      http,
      undefined,
      () => "payload",
    );
    assert.deepEqual(params, {
      url: "http://x",
      file_content: "payload",
      method: "POST",
      file_name: "data.bin",
    });
  });

  it("lets the action override runner parameter metadata", () => {
    const overriding = action("demo.o", { timeout: { default: 5, immutable: true } });
    const merged = mergedParameterSpecs(overriding, runner);
    assert.deepEqual(merged.timeout, { type: "integer", default: 5, immutable: true });
  });
});
