import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RenderError } from "../../errors.ts";
import { JinjaEngine } from "./engine.ts";

describe("attribute names starting with _", () => {
  const engine = new JinjaEngine();
  it("read a dict's own key, as Jinja2 falls back from attribute to item", () => {
    assert.equal(engine.render("{{ d._id }}", { d: { _id: "x1" } }), "x1");
  });
  it("stay refused for dunders, missing keys and non-dicts", () => {
    for (const [source, ctx] of [
      ["{{ d.__class__ }}", { d: { __class__: 1 } }],
      ["{{ d._missing }}", { d: {} }],
      ["{{ s._x }}", { s: "text" }],
    ] as const)
      assert.throws(() => engine.render(source, ctx), RenderError, source);
  });
});
