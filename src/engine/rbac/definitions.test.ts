import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadRbacDefinitions } from "./definitions.ts";

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "squall-rbacdefs-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("RBAC definition files", () => {
  it("loads roles, assignments and mappings in StackStorm's format", () => {
    const defs = loadRbacDefinitions(
      dirWith({
        "roles/ops.yaml":
          "name: ops\ndescription: operators\npermission_grants:\n  - resource_uid: pack:core\n    permission_types: [action_execute, action_view]\n  - permission_types: [action_list]\n",
        "roles/off.yaml": "name: off\nenabled: false\n",
        "assignments/alice.yaml": "username: alice\nroles: [ops, observer]\n",
        "mappings/ldap.yaml": "group: cn=ops\nroles: [ops]\n",
      }),
    );
    assert.deepEqual(defs.errors, []);
    assert.deepEqual([...defs.roles.keys()].sort(), ["admin", "observer", "ops", "system_admin"]);
    assert.equal(defs.roles.get("ops")?.permission_grants[0]?.resource_type, "pack");
    assert.deepEqual(
      defs.assignments.map((a) => [a.user, a.role]),
      [
        ["alice", "ops"],
        ["alice", "observer"],
      ],
    );
    assert.deepEqual(defs.mappings[0]?.roles, ["ops"]);
  });

  const broken: Array<[string, Record<string, string>, RegExp, string?]> = [
    [
      "an unknown field",
      { "roles/x.yaml": "name: x\nperms: []\n" },
      /unknown field "perms"/,
      "perms",
    ],
    ["a missing name", { "roles/x.yaml": "description: d\n" }, /"name" is required/, "name"],
    [
      "an unknown permission type",
      {
        "roles/x.yaml":
          "name: x\npermission_grants:\n  - resource_uid: action:a:b\n    permission_types: [action_fly]\n",
      },
      /unknown permission type "action_fly"/,
    ],
    [
      "a permission of another resource type",
      {
        "roles/x.yaml":
          "name: x\npermission_grants:\n  - resource_uid: rule:a:b\n    permission_types: [action_execute]\n",
      },
      /Invalid permission type "action_execute" for resource type "rule"/,
    ],
    [
      "a resource permission without a resource",
      { "roles/x.yaml": "name: x\npermission_grants:\n  - permission_types: [action_execute]\n" },
      /needs a resource_uid/,
    ],
    ["a redefined system role", { "roles/x.yaml": "name: admin\n" }, /system role/],
    [
      "an assignment to an unknown role",
      { "assignments/a.yaml": "username: a\nroles: [ghost]\n" },
      /role "ghost" does not exist/,
      "roles",
    ],
    ["invalid YAML", { "roles/x.yaml": "name: [\n" }, /./],
    ["a list instead of a mapping", { "roles/x.yaml": "- a\n" }, /must hold a mapping/],
  ];
  for (const [title, files, message, field] of broken)
    it(`reports ${title}, naming the file, and keeps loading the rest`, () => {
      const defs = loadRbacDefinitions(dirWith({ ...files, "roles/good.yaml": "name: good\n" }));
      assert.equal(defs.errors.length, 1, JSON.stringify(defs.errors));
      const [error] = defs.errors;
      assert.match(error?.message ?? "", message);
      assert.match(error?.file ?? "", /\/(roles|assignments)\/[a-z]\.yaml$/);
      if (field) assert.equal(error?.field, field);
      assert.ok(defs.roles.has("good"));
    });
});
