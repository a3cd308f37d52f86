import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OrquestaExpressionError } from "../../core/expr/jinja/orquesta.ts";
import { kvLocation, kvPlan, st2kvLookup } from "./kv.ts";

describe("st2kv in workflows", () => {
  it("finds the keys a definition names, and notices computed ones", () => {
    assert.equal(kvPlan({ tasks: { a: { action: "core.noop" } } }), null);
    assert.deepEqual(
      kvPlan({
        output: [{ x: "<% st2kv('system.a') %>" }, { y: '{{ st2kv("b", decrypt=true) }}' }],
      }),
      { keys: ["system.a", "b"], dynamic: false },
    );
    assert.deepEqual(kvPlan({ vars: [{ x: "<% st2kv(ctx().name) %>" }] }), {
      keys: [],
      dynamic: true,
    });
  });

  it("reads StackStorm's scopes: system.<name>, user.<name> and bare names (user scope)", () => {
    assert.deepEqual(kvLocation("system.a.b", "bob"), {
      scope: "st2kv.system",
      name: "a.b",
      shown: "a.b",
    });
    assert.deepEqual(kvLocation("user.k", "bob"), {
      scope: "st2kv.user",
      name: "bob:k",
      shown: "k",
    });
    assert.deepEqual(kvLocation("k", "bob"), { scope: "st2kv.user", name: "bob:k", shown: "k" });
  });

  it("records what it read, decrypts on request, and names a missing key", () => {
    const pairs = new Map([
      ["st2kv.system/a", { value: "1", secret: false }],
      ["st2kv.system/s", { value: "cipher", secret: true }],
    ]);
    const reads: string[] = [];
    const lookup = st2kvLookup(
      (k) => pairs.get(k),
      (k) => reads.push(k),
      () => "stanley",
      (c) => `clear(${c})`,
    );
    assert.equal(lookup("system.a", false), "1");
    assert.equal(lookup("system.s", false), "cipher");
    assert.equal(lookup("system.s", true), "clear(cipher)");
    assert.deepEqual(reads, ["st2kv.system/a", "st2kv.system/s", "st2kv.system/s"]);
    assert.throws(
      () => lookup("system.nope", false),
      (e: unknown) =>
        e instanceof OrquestaExpressionError &&
        e.message === 'The key "nope" does not exist in the StackStorm datastore.',
    );
  });
});
