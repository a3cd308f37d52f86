import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { AccessDeniedError } from "../auth/errors.ts";
import { Rbac, type ResourceTarget } from "./resolver.ts";
import {
  ALL_PERMISSION_TYPES,
  GLOBAL_PERMISSION_TYPES,
  PACK_CONTENT_TYPES,
  permissionNameOf,
  resourceTypeOf,
} from "./types.ts";

type Grant = { resource_uid?: string; permission_types: string[] };

/** An Rbac whose user "u" holds one role with `grants` (and `extraRoles`). */
function rbacWith(grants: Grant[], extraRoles: string[] = []): Rbac {
  const dir = mkdtempSync(join(tmpdir(), "squall-rbac-"));
  mkdirSync(join(dir, "roles"));
  mkdirSync(join(dir, "assignments"));
  writeFileSync(join(dir, "roles", "r.yaml"), stringify({ name: "r", permission_grants: grants }));
  writeFileSync(
    join(dir, "assignments", "u.yaml"),
    stringify({ username: "u", roles: ["r", ...extraRoles] }),
  );
  const rbac = new Rbac({ enabled: true, dir, builtinAdmins: ["root"] });
  assert.deepEqual(rbac.errors, []);
  return rbac;
}

/** A resource of the permission's type in pack "demo", and its UID. */
function sample(permission: string, pack = "demo"): ResourceTarget {
  const type = resourceTypeOf(permission);
  switch (type) {
    case "execution":
      return { uid: "execution:e1", parent: { uid: `action:${pack}:a`, packUid: `pack:${pack}` } };
    case "rule_enforcement":
      return {
        uid: "rule_enforcement:x",
        parent: { uid: `rule:${pack}:r`, packUid: `pack:${pack}` },
      };
    case "key_value_pair":
      return {
        uid: `key_value_pair:st2kv.system:${pack}`,
        kv: { scope: "st2kv.system", name: pack },
      };
    case "pack":
      return { uid: `pack:${pack}`, packUid: `pack:${pack}` };
    default:
      return PACK_CONTENT_TYPES.has(type)
        ? { uid: `${type}:${pack}:thing`, packUid: `pack:${pack}` }
        : { uid: `${type}:${pack}` };
  }
}

/** The grant that gives `permission` on `sample(permission)`, as a role file would say it. */
function grantFor(permission: string): Grant {
  if (GLOBAL_PERMISSION_TYPES.has(permission)) return { permission_types: [permission] };
  const target = sample(permission);
  const type = resourceTypeOf(permission);
  if (type === "execution") {
    const mapped =
      permission === "execution_view"
        ? "action_view"
        : permission === "execution_all"
          ? "action_all"
          : "action_execute";
    return { resource_uid: target.parent?.uid, permission_types: [mapped] };
  }
  if (type === "rule_enforcement")
    return { resource_uid: target.parent?.uid, permission_types: ["rule_view"] };
  return { resource_uid: target.uid, permission_types: [permission] };
}

const targetFor = (p: string, pack?: string) =>
  GLOBAL_PERMISSION_TYPES.has(p) ? undefined : sample(p, pack);

describe("RBAC: every permission type", () => {
  const none = rbacWith([]);
  const observer = rbacWith([], ["observer"]);
  const admin = rbacWith([], ["admin"]);
  for (const p of [...ALL_PERMISSION_TYPES].sort()) {
    it(p, () => {
      const target = targetFor(p);
      const freeForAll = p === "key_value_pair_list";
      assert.equal(none.has("u", p, target), freeForAll, "no role");
      assert.equal(
        observer.has("u", p, target),
        freeForAll || ["view", "list", "search"].includes(permissionNameOf(p)),
        "observer",
      );
      assert.equal(admin.has("u", p, target), true, "admin");
      assert.equal(rbacWith([grantFor(p)]).has("u", p, target), true, "granted");
      if (!GLOBAL_PERMISSION_TYPES.has(p))
        assert.equal(
          rbacWith([grantFor(p)]).has("u", p, sample(p, "other")),
          false,
          "granted on another resource only",
        );
    });
  }
});

describe("RBAC: grant semantics", () => {
  const cases: Array<[string, Grant[], string, ResourceTarget | undefined, boolean]> = [
    [
      "pack grant covers its actions",
      [{ resource_uid: "pack:demo", permission_types: ["action_execute"] }],
      "action_execute",
      sample("action_execute"),
      true,
    ],
    [
      "pack grant covers its rules",
      [{ resource_uid: "pack:demo", permission_types: ["rule_view"] }],
      "rule_view",
      sample("rule_view"),
      true,
    ],
    [
      "pack grant does not cover another pack",
      [{ resource_uid: "pack:demo", permission_types: ["action_execute"] }],
      "action_execute",
      sample("action_execute", "other"),
      false,
    ],
    [
      "pack grant covers executions of its actions",
      [{ resource_uid: "pack:demo", permission_types: ["action_execute"] }],
      "execution_stop",
      sample("execution_stop"),
      true,
    ],
    [
      "execute implies view",
      [{ resource_uid: "action:demo:thing", permission_types: ["action_execute"] }],
      "action_view",
      sample("action_view"),
      true,
    ],
    [
      "view does not imply execute",
      [{ resource_uid: "action:demo:thing", permission_types: ["action_view"] }],
      "action_execute",
      sample("action_execute"),
      false,
    ],
    [
      "_all implies every permission",
      [{ resource_uid: "webhook:demo", permission_types: ["webhook_all"] }],
      "webhook_send",
      sample("webhook_send"),
      true,
    ],
    [
      "a resource grant is not a list grant",
      [{ resource_uid: "action:demo:thing", permission_types: ["action_view"] }],
      "action_list",
      undefined,
      false,
    ],
    [
      "rule enforcements follow rule_list",
      [{ permission_types: ["rule_list"] }],
      "rule_enforcement_list",
      undefined,
      true,
    ],
    [
      "own user-scoped keys need no grant",
      [],
      "key_value_pair_view",
      { uid: "key_value_pair:st2kv.user:u:k", kv: { scope: "st2kv.user", name: "u:k" } },
      true,
    ],
    [
      "someone else's user-scoped keys are refused",
      [{ resource_uid: "key_value_pair:st2kv.user:v:k", permission_types: ["key_value_pair_all"] }],
      "key_value_pair_view",
      { uid: "key_value_pair:st2kv.user:v:k", kv: { scope: "st2kv.user", name: "v:k" } },
      false,
    ],
    [
      "set implies view on a key",
      [{ resource_uid: "key_value_pair:st2kv.system:k", permission_types: ["key_value_pair_set"] }],
      "key_value_pair_view",
      { uid: "key_value_pair:st2kv.system:k", kv: { scope: "st2kv.system", name: "k" } },
      true,
    ],
  ];
  for (const [title, grants, permission, target, expected] of cases)
    it(title, () => assert.equal(rbacWith(grants).has("u", permission, target), expected));

  it("denies with StackStorm's wording", () => {
    assert.throws(
      () => rbacWith([]).assert("u", "action_execute", sample("action_execute")),
      (err: unknown) =>
        err instanceof AccessDeniedError &&
        err.message ===
          `User "u" doesn't have required permission "action_execute" on resource "action:demo:thing"`,
    );
    assert.throws(
      () => rbacWith([]).assert("u", "action_list"),
      /^AccessDeniedError: User "u" doesn't have required permission "action_list"$/,
    );
    assert.throws(() => rbacWith([]).assertAdmin("u"), /Administrator access required/);
  });

  it("built-in admins and the system user hold system_admin; RBAC off makes everyone admin", () => {
    const rbac = rbacWith([]);
    assert.equal(rbac.isAdmin("root"), true);
    assert.equal(rbac.isAdmin("stanley"), true);
    assert.equal(rbac.isAdmin("u"), false);
    const off = new Rbac({ enabled: false, dir: "/nonexistent", builtinAdmins: [] });
    assert.equal(off.isAdmin("anyone"), true);
    assert.equal(off.has("anyone", "action_execute", sample("action_execute")), true);
  });

  it("guards datastore reads from expressions", () => {
    const rbac = rbacWith([
      { resource_uid: "key_value_pair:st2kv.system:ok", permission_types: ["key_value_pair_view"] },
    ]);
    assert.equal(rbac.kvReadAllowed("u", "system", "ok"), true);
    assert.equal(rbac.kvReadAllowed("u", "system", "secret"), false);
    assert.equal(rbac.kvReadAllowed("u", "user", "u:anything"), true);
  });
});
