/**
 * Python `re` semantics through the translator. Expected results come from CPython 3.11 running
 * the same pattern on the same subject: `search` is re.search, `match` is re.match with DOTALL
 * (StackStorm's matchregex), `isearch` is re.search with IGNORECASE.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OperatorError } from "./errors.ts";
import { compilePythonRegex } from "./regex-translate.ts";

const REGEX_TABLE: Array<[string, "search" | "match" | "isearch", string, boolean]> = [
  ["a.c", "search", "abc", true],
  ["a.c", "search", "a\nc", false],
  ["a.c", "search", "a\rc", true],
  ["a.c", "match", "a\nc", true],
  ["a.c", "match", "xabc", false],
  ["abc$", "search", "abc", true],
  ["abc$", "search", "abc\n", true],
  ["abc$", "search", "abc\n\n", false],
  ["^b$", "search", "a\nb", false],
  ["(?m)^b$", "search", "a\nb\nc", true],
  ["(?m)^b$", "search", "a\nbc", false],
  ["(?s)a.b", "search", "a\nb", true],
  ["\\Aab\\Z", "search", "ab", true],
  ["\\Aab\\Z", "search", "ab\n", false],
  ["(?P<x>a)(?P=x)", "search", "aa", true],
  ["(?P<x>a)(?P=x)", "search", "ab", false],
  ["(a)(b)\\2", "search", "abb", true],
  ["(a)(b)\\2", "search", "aba", false],
  ["\\d+", "search", "\u0663", true],
  ["\\d+", "search", "x", false],
  ["(?a)\\d", "search", "\u0663", false],
  ["(?a)\\d", "search", "3", true],
  ["\\w+", "match", "\u00e9", true],
  ["\\w+", "match", "_", true],
  ["\\w+", "match", "-", false],
  ["\\bfoo\\b", "search", "a foo b", true],
  ["\\bfoo\\b", "search", "\u00e9foo", false],
  ["\\bfoo\\b", "search", "foobar", false],
  ["\\s", "search", "\u001c", true],
  ["\\s", "search", "\ufeff", false],
  ["\\s", "search", "\u3000", true],
  ["[^\\W\\d]+", "match", "abc", true],
  ["[^\\W\\d]+", "match", "1", false],
  ["[\\s\\d]x", "search", " x", true],
  ["[\\s\\d]x", "search", "1x", true],
  ["[\\s\\d]x", "search", "ax", false],
  ["a{,2}b", "match", "aab", true],
  ["a{,2}b", "match", "b", true],
  ["a{", "search", "a{", true],
  ["{x}", "search", "{x}", true],
  ["(?x) a b  # comment", "search", "ab", true],
  ["(?x) a b  # comment", "search", "a b", false],
  ["(?i)ABC", "search", "abc", true],
  ["stra\u00dfe", "isearch", "STRASSE", false],
  ["stra\u00dfe", "isearch", "STRA\u1e9eE", true],
  ["\\x41\\u00e9\\101", "search", "A\u00e9A", true],
  ["[]a]", "match", "]", true],
  ["[]a]", "match", "a", true],
  ["[]a]", "match", "b", false],
  ["[a\\-z]", "match", "-", true],
  ["[a\\-z]", "match", "b", false],
  ["(?<=a)b", "search", "ab", true],
  ["(?<=a)b", "search", "cb", false],
  ["(?#note)x", "search", "x", true],
  ["a\\nb", "search", "a\nb", true],
  ["[\\b]", "search", "\b", true],
  ["[\\b]", "search", "b", false],
  ["^\\d{3}-\\d{4}$", "match", "555-1234", true],
  ["^\\d{3}-\\d{4}$", "match", "555-12345", false],
  ["ABC", "match", "abc", false],
];

function pyTest(pattern: string, mode: "search" | "match" | "isearch", subject: string): boolean {
  const flags =
    mode === "match" ? { dotAll: true } : mode === "isearch" ? { ignoreCase: true } : {};
  return compilePythonRegex(pattern, flags, mode === "match").test(subject);
}

describe("Python regex translation", () => {
  it("matches what CPython matches", () => {
    for (const [pattern, mode, subject, expected] of REGEX_TABLE) {
      assert.equal(
        pyTest(pattern, mode, subject),
        expected,
        `${mode} ${pattern} on ${JSON.stringify(subject)}`,
      );
    }
  });

  it("rejects patterns CPython rejects", () => {
    for (const pattern of ["\\q", "(", "[z-a]", "\\1", "(?<n>a)", "a(?i)b", "[", "a**"]) {
      assert.throws(
        () => compilePythonRegex(pattern),
        (e: unknown) => e instanceof OperatorError && e.pythonType === "re.error",
        pattern,
      );
    }
  });

  it("names constructs JavaScript cannot express instead of matching them differently", () => {
    const cases: Array<[string, RegExp]> = [
      ["(?i:abc)", /case sensitivity/],
      ["(?>a)", /atomic group/],
      ["a++", /possessive/],
      ["(a)(?(1)a|b)", /conditional/],
      ["\\N{EM DASH}", /named Unicode escape/],
    ];
    for (const [pattern, message] of cases) {
      assert.throws(() => compilePythonRegex(pattern), message, pattern);
    }
    // The same scoped flag as the global one changes nothing, so it is accepted.
    assert.equal(compilePythonRegex("(?i:abc)", { ignoreCase: true }).test("ABC"), true);
  });
});
