import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../core/errors.ts";
import { type KeySetBody, parseKeyFile, setBody } from "./key.ts";

describe("parseKeyFile (st2 key load)", () => {
  const good: Array<[string, string, string, boolean, KeySetBody[]]> = [
    [
      "a JSON list",
      "keys.json",
      '[{"name": "a", "value": "1"}, {"name": "b", "value": "2", "scope": "user", "user": "al"}]',
      false,
      [
        { name: "a", value: "1", scope: "system" },
        { name: "b", value: "2", scope: "user", user: "al" },
      ],
    ],
    [
      "a single JSON object",
      "one.json",
      '{"name": "a", "value": "x", "secret": true, "ttl": 30}',
      false,
      [{ name: "a", value: "x", scope: "system", secret: true, ttl: 30 }],
    ],
    [
      "a YAML list with flags",
      "keys.yaml",
      "- name: pw\n  value: '3030'\n  encrypted: true\n  secret: true\n- name: off\n  value: v\n  secret: false\n  ttl: 0\n",
      false,
      [
        { name: "pw", value: "3030", scope: "system", secret: true, encrypted: true },
        { name: "off", value: "v", scope: "system" },
      ],
    ],
    [
      "non-string values with --convert",
      "keys.yml",
      "- name: n\n  value: 5\n- name: o\n  value: {a: [1, true]}\n- name: b\n  value: false\n",
      true,
      [
        { name: "n", value: "5", scope: "system" },
        { name: "o", value: '{"a":[1,true]}', scope: "system" },
        { name: "b", value: "false", scope: "system" },
      ],
    ],
    ["an empty file", "empty.yaml", "", false, []],
    [
      "JSON in a file without a known extension",
      "keys.txt",
      '[{"name":"a","value":"v"}]',
      false,
      [{ name: "a", value: "v", scope: "system" }],
    ],
  ];
  for (const [what, file, text, convert, expected] of good) {
    it(`reads ${what}`, () => {
      assert.deepEqual(parseKeyFile(text, file, { convert }), expected);
    });
  }

  const bad: Array<[string, string, string, string]> = [
    ["a number value without --convert", "k.json", '[{"name": "n", "value": 5}]', "value"],
    ["a missing name", "k.json", '[{"value": "v"}]', "name"],
    ["a missing value", "k.yaml", "name: n\n", "value"],
    ["a list item that is not an object", "k.json", '["a"]', "(item)"],
    ["a string ttl", "k.json", '{"name": "n", "value": "v", "ttl": "10"}', "ttl"],
    ["a string secret flag", "k.json", '{"name": "n", "value": "v", "secret": "yes"}', "secret"],
    ["a numeric scope", "k.json", '{"name": "n", "value": "v", "scope": 3}', "scope"],
  ];
  for (const [what, file, text, field] of bad) {
    it(`rejects ${what}, naming the file and ${field}`, () => {
      assert.throws(
        () => parseKeyFile(text, `/data/${file}`, { convert: false }),
        (err: unknown) =>
          err instanceof ValidationError &&
          err.location?.field === field &&
          err.location.file === `/data/${file}` &&
          err.message.startsWith(`/data/${file}`),
      );
    });
  }

  it("names the item index in a list", () => {
    assert.throws(
      () =>
        parseKeyFile('[{"name":"a","value":"1"},{"name":"b","value":2}]', "k.json", {
          convert: false,
        }),
      /k\.json item 1: value of "b" is not a string/,
    );
  });

  it("reports unparseable files", () => {
    assert.throws(
      () => parseKeyFile("{nope", "k.json", { convert: false }),
      /not valid JSON\/YAML/,
    );
    assert.throws(() => parseKeyFile("a: [", "k.yaml", { convert: false }), ValidationError);
  });
});

describe("setBody (st2 key set)", () => {
  it("maps -e, --encrypted, --ttl, scope and user onto the PUT body", () => {
    assert.deepEqual(setBody("k", "v", { scope: "system" }), {
      name: "k",
      value: "v",
      scope: "system",
    });
    assert.deepEqual(setBody("k", "v", { scope: "user", user: "al", encrypt: true, ttl: "60" }), {
      name: "k",
      value: "v",
      scope: "user",
      user: "al",
      secret: true,
      ttl: 60,
    });
    assert.deepEqual(setBody("k", "3030", { scope: "system", encrypted: true }), {
      name: "k",
      value: "3030",
      scope: "system",
      encrypted: true,
    });
  });

  const bad: Array<[string, Parameters<typeof setBody>[2], string]> = [
    ["both -e and --encrypted", { scope: "system", encrypt: true, encrypted: true }, "--encrypt"],
    ["a word ttl", { scope: "system", ttl: "soon" }, "--ttl"],
    ["a zero ttl", { scope: "system", ttl: "0" }, "--ttl"],
    ["a negative ttl", { scope: "system", ttl: "-4" }, "--ttl"],
  ];
  for (const [what, options, field] of bad) {
    it(`rejects ${what}`, () => {
      assert.throws(
        () => setBody("k", "v", options),
        (err: unknown) => err instanceof ValidationError && err.location?.field === field,
      );
    });
  }
});
