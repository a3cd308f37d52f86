import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AliasFormatError,
  AliasParseError,
  compileFormat,
  extractMultipleParameters,
  extractParameters,
} from "./format.ts";

/** [why, format, command, expected parameters] — StackStorm's documented behaviour. */
const MATCHES: Array<[string, string, string, Record<string, string>]> = [
  ["empty format, empty command", "", "", {}],
  ["a bare key=value pair", "", "a=foobar1", { a: "foobar1" }],
  ["double-quoted pair", "foo", 'foo a="x y z"', { a: "x y z" }],
  ["single-quoted pair", "foo", "foo a='x y z'", { a: "x y z" }],
  ["JSON pair", "foo", 'foo a={"k": "v"}', { a: '{"k": "v"}' }],
  [
    "several pairs of every kind",
    "",
    `a=1 b="2 3" c='4 5' d={"e": "f"}`,
    { a: "1", b: "2 3", c: "4 5", d: '{"e": "f"}' },
  ],
  [
    "pairs after a format",
    "{{ captain }} is my captain",
    'Malcolm Reynolds is my captain weirdo="River Tam"',
    { captain: "Malcolm Reynolds", weirdo: "River Tam" },
  ],
  [
    "text between parameters",
    "skip {{a}} more {{b}} end.",
    "skip a1 more b1 end.",
    { a: "a1", b: "b1" },
  ],
  ["parameter at the end", "skip {{a}} more {{b}}", "skip a1 more b1", { a: "a1", b: "b1" }],
  [
    "quoted value with spaces",
    "run {{cmd}} on {{hosts}}",
    'run "ls -l" on h1',
    { cmd: "ls -l", hosts: "h1" },
  ],
  [
    "unquoted value with spaces",
    "run {{cmd}} on {{hosts}}",
    "run ls -l on h1,h2",
    { cmd: "ls -l", hosts: "h1,h2" },
  ],
  ["default used", "acl {{a}} {{b=1}}", 'acl "a1 a2"', { a: "a1 a2", b: "1" }],
  ["default alone", "acl {{a=test}}", "acl", { a: "test" }],
  ["default overridden", "skip {{ a = value }} more", "skip one more", { a: "one" }],
  ["default when absent mid-format", "skip {{ a = value }} more", "skip more", { a: "value" }],
  ["JSON value", "skip {{a}} more.", 'skip {"a": "b"} more.', { a: '{"a": "b"}' }],
  [
    "spaces inside braces",
    "s {{a}} m {{ b }} m {{ c=99 }} m {{ d = 99 }}",
    "s one m two m three m",
    { a: "one", b: "two", c: "three", d: "99" },
  ],
  [
    "template as a default",
    "hands of {{ color = {{ colors.default_color }} }}",
    "hands of",
    { color: "{{ colors.default_color }}" },
  ],
  [
    "pair next to a default",
    "testing {{ a=new }}",
    'testing b="another value"',
    { a: "new", b: "another value" },
  ],
  [
    "extra pairs after values",
    "testing {{ b=abc }} {{ c=xyz }}",
    'testing newvalue d={"1": "2"} e="long value"',
    { b: "newvalue", c: "xyz", d: '{"1": "2"}', e: "long value" },
  ],
  ["pairs only", "foo bar", "foo bar pony1=foo pony2=bar", { pony1: "foo", pony2: "bar" }],
  ["all defaults", "skip {{d=t1}} more skip {{e=t2}}.", "skip more skip", { d: "t1", e: "t2" }],
  [
    "Python named group with a start anchor",
    String.raw`^\s*foo (?P<issue_key>[A-Z][A-Z0-9]+-[0-9]+)`,
    "foo ASDF-1234",
    { issue_key: "ASDF-1234" },
  ],
  [
    "start and end anchors",
    String.raw`^\s*foo (?P<key>[A-Z]+-[0-9]+) bar\s*$`,
    "foo ASDF-1234 bar",
    { key: "ASDF-1234" },
  ],
  [
    "a key=value pair overrides a format parameter",
    "deploy {{ app }}",
    "deploy web app=api",
    { app: "api" },
  ],
];

/** [why, format, command] that must not match. */
const MISMATCHES: Array<[string, string, string]> = [
  ["different literal text", "foo bar ponies", "foo lulz ponies"],
  ["missing required values", "skip {{d}} more skip {{e}}.", ""],
  ["start anchor", String.raw`^\s*foo (?P<k>[A-Z]+-[0-9]+)`, "bar foo ASDF-1234"],
  ["end anchor", String.raw`foo (?P<k>[A-Z]+-[0-9]+)\s*$`, "foo ASDF-1234 bar"],
  ["implicit anchors", "run {{cmd}}", "please run ls"],
  ["nothing supplied and no default", "(?P<x>a)?", ""],
];

describe("alias format extraction", () => {
  for (const [why, format, command, expected] of MATCHES)
    it(`matches: ${why}`, () => {
      assert.deepEqual(extractParameters(format, command), expected);
    });
  for (const [why, format, command] of MISMATCHES)
    it(`refuses: ${why}`, () => {
      assert.throws(() => extractParameters(format, command), AliasParseError);
    });

  it("names the command and the format when they do not fit", () => {
    assert.throws(
      () => extractParameters("foo bar", "foo baz"),
      (err: Error) =>
        err instanceof AliasParseError &&
        err.message === `Command "foo baz" doesn't match format string "foo bar"`,
    );
  });

  it("refuses a format that is not a pattern, naming it", () => {
    for (const bad of ["run {{ bad-name }}", "run (unclosed {{x}}"])
      assert.throws(
        () => compileFormat(bad),
        (err: Error) => err instanceof AliasFormatError && err.message.includes(bad),
      );
  });

  it("keeps an anchor inside a character class from counting as one", () => {
    assert.deepEqual(extractParameters("tag [^x]{{ t }}", "tag a1"), { t: "1" });
    assert.throws(() => extractParameters("tag [^x]{{ t }}", "say tag a1"), AliasParseError);
  });

  it("finds every occurrence for match_multiple formats", () => {
    // The format brings its own anchors, so none are added and it can match more than once.
    const format = String.raw`(?:\b|^)fixes (?P<id>[A-Z]+-\d+)(?:\b|$)`;
    const sets = extractMultipleParameters(format, "fixes AB-1 and fixes CD-22 prio=high");
    assert.deepEqual(sets, [
      { id: "AB-1", prio: "high" },
      { id: "CD-22", prio: "high" },
    ]);
  });
});
