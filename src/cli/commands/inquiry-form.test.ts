import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { askResponse, DialogAbortedError, type Prompter } from "./inquiry-form.ts";

/** Answers prompts in order, recording what was asked and said. */
function scripted(answers: string[]): Prompter & { asked: string[]; said: string[] } {
  const queue = [...answers];
  const asked: string[] = [];
  const said: string[] = [];
  return {
    interactive: true,
    asked,
    said,
    async ask(question) {
      asked.push(question);
      const next = queue.shift();
      if (next === undefined) throw new Error(`unexpected question: ${question}`);
      return next;
    },
    say: (text) => void said.push(text),
    close: () => undefined,
  };
}

describe("askResponse", () => {
  const cases: Array<[string, Record<string, unknown>, string[], unknown, string[]]> = [
    [
      "the default schema's boolean",
      { continue: { type: "boolean", required: true } },
      ["y"],
      { continue: true },
      ["continue (boolean): "],
    ],
    [
      "booleans in st2's spellings",
      { a: { type: "boolean" }, b: { type: "boolean" } },
      ["nope", "TRUE"],
      { a: false, b: true },
      ["a (boolean): ", "b (boolean): "],
    ],
    [
      "integers, numbers and strings",
      { n: { type: "integer" }, x: { type: "number" }, s: { type: "string" } },
      ["42", "2.5", "hello world"],
      { n: 42, x: 2.5, s: "hello world" },
      ["n (integer): ", "x (number): ", "s: "],
    ],
    [
      "defaults for empty answers, optional fields left out",
      {
        d: { type: "integer", default: 3 },
        b: { type: "boolean", default: true },
        o: { type: "string" },
      },
      ["", "", ""],
      { d: 3, b: true },
      ["d (integer) [3]: ", "b (boolean) [y]: ", "o: "],
    ],
    [
      "an enum chosen by number",
      { color: { type: "string", enum: ["red", "blue"], default: "blue" } },
      ["0"],
      { color: "red" },
      ["color (choose 0-1) [1]: "],
    ],
    [
      "arrays typed by their items, and arrays of enums",
      {
        tags: { type: "array", items: { type: "string" } },
        ports: { type: "array", items: { type: "integer" } },
        picks: { type: "array", items: { enum: ["a", "b", "c"] } },
      },
      ["x, y", "80,443", "2,0"],
      { tags: ["x", "y"], ports: [80, 443], picks: ["c", "a"] },
      [
        "tags (comma-separated list): ",
        "ports (comma-separated list): ",
        "picks (comma-separated numbers): ",
      ],
    ],
    [
      "nested objects field by field",
      {
        who: { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } } },
      },
      ["ann", "7"],
      { who: { name: "ann", age: 7 } },
      ["who.name: ", "who.age (integer): "],
    ],
    [
      "lists of objects, one item at a time",
      {
        hosts: { type: "array", items: { type: "object", properties: { h: { type: "string" } } } },
      },
      ["a", "y", "b", "n"],
      { hosts: [{ h: "a" }, { h: "b" }] },
      [
        "hosts[0].h: ",
        "Add another item to hosts? (boolean) [n]: ",
        "hosts[1].h: ",
        "Add another item to hosts? (boolean) [n]: ",
      ],
    ],
    [
      "other types as JSON",
      { data: { type: "array", items: { type: "array" } } },
      ["[[1]]"],
      { data: [[1]] },
      ["data (JSON): "],
    ],
  ];
  for (const [what, properties, answers, expected, questions] of cases) {
    it(`asks ${what}`, async () => {
      const p = scripted(answers);
      assert.deepEqual(await askResponse(properties, p), expected);
      assert.deepEqual(p.asked, questions);
    });
  }

  it("explains a refused answer and asks again", async () => {
    const p = scripted(["maybe", "", "y", "5x", "5"]);
    const response = await askResponse(
      { ok: { type: "boolean", required: true }, n: { type: "integer" } },
      p,
    );
    assert.deepEqual(response, { ok: true, n: 5 });
    assert.deepEqual(p.said, [
      '  "maybe" does not look like a boolean; answer y or n',
      "  an answer is required",
      '  "5x" is not a whole number',
    ]);
  });

  it("shows descriptions and enum choices before asking", async () => {
    const p = scripted(["1"]);
    await askResponse({ c: { description: "Pick one", enum: ["x", "y"] } }, p);
    assert.deepEqual(p.said, ["c: Pick one", "  0 - x", "  1 - y"]);
  });

  it("gives up after repeated refusals", async () => {
    const p = scripted(["a", "b", "c", "d", "e"]);
    await assert.rejects(askResponse({ n: { type: "integer" } }, p), DialogAbortedError);
  });
});
