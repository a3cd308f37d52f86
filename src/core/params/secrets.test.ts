import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ParameterSchema } from "../content/model.ts";
import {
  MASKED_ATTRIBUTE_VALUE,
  maskSecretParameters,
  maskSecrets,
  maskSecretText,
  secretValues,
} from "./secrets.ts";

const schema: ParameterSchema = {
  password: { type: "string", secret: true },
  user: { type: "string" },
  creds: {
    type: "object",
    properties: { token: { type: "string", secret: true }, region: { type: "string" } },
  },
  hosts: {
    type: "array",
    items: { type: "object", properties: { key: { type: "string", secret: true } } },
  },
  whole: { type: "object", secret: true },
};

const params = {
  password: "hunter22",
  user: "bob",
  creds: { token: "tok-123456", region: "eu" },
  hosts: [{ key: "k-aaaa", name: "h1" }, { name: "h2" }],
  whole: { a: 1, b: "inner-secret" },
};

describe("masking", () => {
  it("masks named top-level parameters and copies the rest", () => {
    const out = maskSecrets(params, new Set(["password", "absent"]));
    assert.equal(out.password, MASKED_ATTRIBUTE_VALUE);
    assert.equal(out.user, "bob");
    assert.equal("absent" in out, false);
    assert.equal(params.password, "hunter22");
  });
  it("copies even when there is nothing to mask", () => {
    const none = {};
    const out = maskSecrets(none, new Set(["password"]));
    assert.deepEqual(out, {});
    assert.notEqual(out, none);
    const nested = { list: [1, { a: 2 }] };
    const copy = maskSecrets(nested, new Set());
    assert.deepEqual(copy, nested);
    assert.notEqual(copy.list, nested.list);
  });
  it("masks nested secrets per the schema", () => {
    assert.deepEqual(maskSecretParameters(params, schema), {
      password: "********",
      user: "bob",
      creds: { token: "********", region: "eu" },
      hosts: [{ key: "********", name: "h1" }, { name: "h2" }],
      whole: "********",
    });
  });
  it("collects secret values", () => {
    assert.deepEqual(secretValues(params, schema).sort(), [
      "1",
      "hunter22",
      "inner-secret",
      "k-aaaa",
      "tok-123456",
    ]);
  });
  const textTable: Array<[string, string[], string]> = [
    ["login hunter22 ok", ["hunter22"], "login ******** ok"],
    ["a=abc b=abcd", ["abc", "abcd"], "a=abc b=********"],
    ["x hunter22hunter22", ["hunter22", "hunter22hunter22"], "x ********"],
    ["nothing here", ["secret-value"], "nothing here"],
    ["pin 1", ["1"], "pin 1"],
  ];
  for (const [text, secrets, expected] of textTable) {
    it(`scrubs ${JSON.stringify(text)}`, () =>
      assert.equal(maskSecretText(text, secrets), expected));
  }
});
