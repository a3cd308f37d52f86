/** `squall expr`: Orquesta's evaluation rules from the command line, no server needed. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { squall } from "../support/cli.ts";

const cases: Array<{
  text: string;
  data?: unknown;
  out?: unknown;
  outText?: string;
  error?: RegExp;
}> = [
  { text: "<% ctx(xs).select($ * 2) %>", data: { xs: [1, 2, 3] }, out: [2, 4, 6] },
  { text: "<% ctx(xs).where($ > 1).len() %>", data: { xs: [1, 2, 3] }, out: 2 },
  { text: "{{ ctx('n') / 2 }}", data: { n: 4 }, outText: "2.0" },
  { text: "{{ ctx('n') }}", data: { n: 4 }, out: 4 },
  { text: "total: {{ ctx('n') + 1 }}", data: { n: 4 }, out: "total: 5" },
  { text: "<% $ %>", out: null },
  { text: "{{ ctx().flag }}", data: { flag: true }, out: true },
  { text: "{{ ctx('d') }}", data: { d: { b: 1 } }, out: { b: 1 } },
  { text: "plain text", out: "plain text" },
  { text: "<% ctx(nope) %>", error: /VariableUndefinedError/ },
  { text: "{{ 1 + }}", error: /TemplateSyntaxError/ },
];

describe("squall expr", () => {
  for (const c of cases) {
    it(`${c.text}`, async () => {
      const args = [
        "expr",
        c.text,
        ...(c.data !== undefined ? ["--data", JSON.stringify(c.data)] : []),
      ];
      const res = await squall("", args);
      if (c.error) {
        assert.equal(res.code, 1);
        assert.match(res.stderr, c.error);
        assert.equal(res.stdout, "");
        return;
      }
      assert.equal(res.code, 0, res.stderr);
      if (c.outText !== undefined) assert.equal(res.stdout.trim(), c.outText);
      else assert.deepEqual(JSON.parse(res.stdout), c.out);
    });
  }

  it("rejects --data that is not a JSON object", async () => {
    const res = await squall("", ["expr", "<% 1 %>", "--data", "[1]"]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /JSON object/);
  });
});
