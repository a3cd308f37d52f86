import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../core/errors.ts";
import { DEFAULT_API_URL, resolveClientConfig, resolveOutputFormat } from "./config.ts";

describe("resolveClientConfig", () => {
  const cases: Array<
    [
      string,
      { url?: string },
      Record<string, string>,
      { url: string; token?: string; apiKey?: string },
    ]
  > = [
    ["default", {}, {}, { url: DEFAULT_API_URL }],
    ["env", {}, { SQUALL_API_URL: "http://h:1/" }, { url: "http://h:1" }],
    [
      "option beats env",
      { url: "https://o" },
      { SQUALL_API_URL: "http://h:1" },
      { url: "https://o" },
    ],
    ["blank env ignored", {}, { SQUALL_API_URL: "  " }, { url: DEFAULT_API_URL }],
    ["st2-style /api/v1 suffix dropped", { url: "http://h/api/v1/" }, {}, { url: "http://h" }],
    [
      "/api suffix dropped, prefix kept",
      { url: "http://h/squall/api" },
      {},
      { url: "http://h/squall" },
    ],
    ["token from env", {}, { SQUALL_AUTH_TOKEN: "t0k" }, { url: DEFAULT_API_URL, token: "t0k" }],
    ["API key from env", {}, { SQUALL_API_KEY: "k3y" }, { url: DEFAULT_API_URL, apiKey: "k3y" }],
  ];
  for (const [title, options, env, expected] of cases) {
    it(title, () => {
      // Without a token or key the CLI logs in by itself (session); compare the rest.
      const { session, ...rest } = resolveClientConfig(options, env);
      assert.deepEqual(rest, expected);
      assert.equal(
        session !== undefined,
        expected.token === undefined && expected.apiKey === undefined,
      );
    });
  }

  it("names the source of a bad URL", () => {
    assert.throws(
      () => resolveClientConfig({}, { SQUALL_API_URL: "not a url" }),
      (err: unknown) =>
        err instanceof ValidationError && /^SQUALL_API_URL is not a valid URL/.test(err.message),
    );
    assert.throws(() => resolveClientConfig({ url: "ftp://x" }, {}), /--url must be an http/);
  });
});

describe("resolveOutputFormat", () => {
  it("picks json, yaml or table and refuses both", () => {
    assert.equal(resolveOutputFormat({}), "table");
    assert.equal(resolveOutputFormat({ json: true }), "json");
    assert.equal(resolveOutputFormat({ yaml: true }), "yaml");
    assert.throws(() => resolveOutputFormat({ json: true, yaml: true }), ValidationError);
  });
});
