import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../core/errors.ts";
import { DEFAULT_API_URL } from "./config.ts";
import { parseIni, resolveSettings } from "./settings.ts";

const CONFIG = `# like ~/.st2/config
[general]
base_url = http://from-file:1

[cli]
output = yaml

[credentials]
username = st2admin
`;

/** A file system holding only the files given. */
const files =
  (entries: Record<string, string>) =>
  (path: string): string | undefined =>
    entries[path];

describe("resolveSettings precedence: flags > environment > config file > defaults", () => {
  const home = { HOME: "/home/u" };
  const withFile = files({ "/home/u/.squall/config": CONFIG });
  const cases: Array<[string, Record<string, unknown>, Record<string, string>, string, string]> = [
    ["defaults without a file", {}, {}, DEFAULT_API_URL, "the default"],
    ["config file [general] base_url", {}, home, "http://from-file:1", "[general] base_url"],
    [
      "ST2_BASE_URL beats the file",
      {},
      { ...home, ST2_BASE_URL: "http://st2:2" },
      "http://st2:2",
      "ST2_BASE_URL",
    ],
    [
      "SQUALL_API_URL beats st2's variables",
      {},
      { ...home, ST2_API_URL: "http://st2:2/api", SQUALL_API_URL: "http://sq:3" },
      "http://sq:3",
      "SQUALL_API_URL",
    ],
    [
      "SQUALL_BASE_URL beats ST2_API_URL",
      {},
      { ...home, ST2_API_URL: "http://st2:2/api", SQUALL_BASE_URL: "http://sq:4" },
      "http://sq:4",
      "SQUALL_BASE_URL",
    ],
    [
      "--url beats everything",
      { url: "http://flag:5" },
      { ...home, SQUALL_API_URL: "http://sq:3" },
      "http://flag:5",
      "--url",
    ],
  ];
  for (const [title, flags, env, url, source] of cases) {
    it(title, () => {
      const s = resolveSettings(flags, env, env.HOME ? withFile : files({}));
      assert.equal(s.url, url);
      assert.ok(s.urlSource.endsWith(source), s.urlSource);
    });
  }

  it("takes [api] url as st2 writes it, and the output format from [cli] output", () => {
    const read = files({ "/c": "[api]\nurl = http://api:6/api/v1\n[cli]\noutput = json\n" });
    const s = resolveSettings({}, { SQUALL_CONFIG_FILE: "/c" }, read);
    assert.equal(s.url, "http://api:6/api/v1");
    assert.equal(s.format, "json");
    assert.equal(s.configFile, "/c");
  });

  it("lets --json and --yaml beat the configured format", () => {
    const env = { HOME: "/home/u" };
    assert.equal(resolveSettings({}, env, withFile).format, "yaml");
    assert.equal(resolveSettings({ json: true }, env, withFile).format, "json");
    assert.throws(
      () => resolveSettings({ json: true, yaml: true }, env, withFile),
      ValidationError,
    );
  });

  it("maps st2's token and key variables, Squall's first", () => {
    const s = resolveSettings({}, { ST2_AUTH_TOKEN: "t", ST2_API_KEY: "k" }, files({}));
    assert.equal(s.env.SQUALL_AUTH_TOKEN, "t");
    assert.equal(s.env.SQUALL_API_KEY, "k");
    const both = resolveSettings({}, { ST2_AUTH_TOKEN: "t", SQUALL_AUTH_TOKEN: "mine" }, files({}));
    assert.equal(both.env.SQUALL_AUTH_TOKEN, "mine");
  });

  it("names the source of a bad value", () => {
    assert.throws(
      () => resolveSettings({}, { ST2_BASE_URL: "nope" }, files({})),
      /^ValidationError: ST2_BASE_URL is not a valid URL/,
    );
    const bad = files({ "/c": "[cli]\noutput = xml\n" });
    assert.throws(
      () => resolveSettings({ configFile: "/c" }, {}, bad),
      /\/c \[cli\] output must be/,
    );
    assert.throws(
      () => resolveSettings({ configFile: "/missing" }, {}, files({})),
      /does not exist/,
    );
  });
});

describe("parseIni", () => {
  it("reads sections, both separators and comments", () => {
    assert.deepEqual(parseIni("; c\n[a]\nx = 1\ny: two words\n# c\n[b]\n", "f"), {
      a: { x: "1", y: "two words" },
      b: {},
    });
  });
  it("names the file and line of a bad line", () => {
    assert.throws(() => parseIni("[a]\njunk\n", "/cfg"), /^ValidationError: \/cfg:2: expected/);
    assert.throws(() => parseIni("x = 1\n", "/cfg"), /\/cfg:1/);
  });
});
