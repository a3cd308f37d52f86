import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ParameterSchema } from "../../core/content/model.ts";
import { restoreMaskedSecrets } from "./rule-view.ts";

const MASK = "********";
const parameters: ParameterSchema = {
  password: { type: "string", secret: true },
  message: { type: "string" },
  auth: {
    type: "object",
    properties: { token: { type: "string", secret: true }, user: { type: "string" } },
  },
  keys: { type: "array", items: { type: "string", secret: true } },
};

describe("restoreMaskedSecrets", () => {
  const stored = {
    password: "hunter2",
    message: "hi",
    auth: { token: "t0k", user: "al" },
    keys: ["k1", "k2"],
  };
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    [
      "masks sent back unchanged keep the stored secrets, at every depth",
      { password: MASK, message: "hi", auth: { token: MASK, user: "al" }, keys: [MASK, MASK] },
      stored,
    ],
    [
      "new secret values replace the stored ones",
      { password: "new", message: "hi", auth: { token: "t1", user: "al" }, keys: ["k9", MASK] },
      { password: "new", message: "hi", auth: { token: "t1", user: "al" }, keys: ["k9", "k2"] },
    ],
    [
      "a mask in a parameter that is not secret is taken literally",
      { message: MASK },
      { message: MASK },
    ],
    ["a removed secret stays removed", { message: "hi" }, { message: "hi" }],
    [
      "a mask with nothing stored stays a mask",
      { keys: [MASK, MASK, MASK] },
      { keys: ["k1", "k2", MASK] },
    ],
  ];
  for (const [what, incoming, expected] of cases)
    it(what, () =>
      assert.deepEqual(restoreMaskedSecrets(incoming, stored, { parameters }), expected),
    );

  it("changes nothing when the action is unknown", () => {
    assert.deepEqual(restoreMaskedSecrets({ password: MASK }, stored, null), { password: MASK });
  });
});
