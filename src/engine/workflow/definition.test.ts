import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ActionDef } from "../../core/content/model.ts";
import type { ContentStore } from "../store/contract.ts";
import { loadDefinition } from "./definition.ts";

const registered = new Set(["core.noop"]);
const content = {
  getAction: async (ref: string) => (registered.has(ref) ? ({ ref } as ActionDef) : null),
} as unknown as ContentStore;
const action = { ref: "p.wf", entry_point: "workflows/wf.yaml" } as ActionDef;

const flow = (action: string) =>
  `version: 1.0\ntasks:\n  one:\n    action: ${action}\n    next:\n      - do: two\n  two:\n    action: core.noop\n`;

describe("loading a workflow definition", () => {
  it("parses a file once per text and re-parses an edited one", async () => {
    let text = flow("core.noop");
    const read = async () => text;
    const a = await loadDefinition(action, "/packs/p1", content, read);
    const b = await loadDefinition(action, "/packs/p1", content, read);
    assert.ok(a.spec && b.spec);
    assert.equal(a.spec, b.spec, "the same text gives the same parsed spec");
    text = `${flow("core.noop")}\ndescription: edited\n`;
    const c = await loadDefinition(action, "/packs/p1", content, read);
    assert.ok(c.spec);
    assert.notEqual(c.spec, a.spec);
    assert.equal(c.spec.description, "edited");
  });

  it("checks action registration on every load, not only the first", async () => {
    const read = async () => flow("p.later");
    const first = await loadDefinition(action, "/packs/p2", content, read);
    assert.deepEqual(
      first.errors?.map((e) => e.message),
      ['The action "p.later" is not registered in the database.'],
    );
    registered.add("p.later");
    try {
      const second = await loadDefinition(action, "/packs/p2", content, read);
      assert.equal(second.errors, undefined);
      assert.ok(second.spec?.tasks.has("one"));
    } finally {
      registered.delete("p.later");
    }
  });

  it("reports a definition that does not parse, every time, naming the file", async () => {
    const read = async () => "version: 1.0\ntasks: [not, a, mapping\n";
    for (let i = 0; i < 2; i++) {
      const got = await loadDefinition(action, "/packs/p3", content, read);
      assert.equal(got.spec, undefined);
      assert.match(String(got.errors?.[0]?.message), /\/packs\/p3\/actions\/workflows\/wf\.yaml/);
    }
  });

  it("hands out its own copy of the errors, so a caller's changes do not leak", async () => {
    const read = async () =>
      "version: 1.0\ntasks:\n  one:\n    action: core.noop\n    next:\n      - do: nowhere\n";
    const first = await loadDefinition(action, "/packs/p4", content, read);
    assert.ok(first.errors && first.errors.length > 0);
    const count = first.errors.length;
    first.errors.push({ message: "added by the caller" });
    if (first.errors[0]) first.errors[0].message = "changed by the caller";
    const second = await loadDefinition(action, "/packs/p4", content, read);
    assert.equal(second.errors?.length, count);
    assert.notEqual(second.errors?.[0]?.message, "changed by the caller");
  });
});
