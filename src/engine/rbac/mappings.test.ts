import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { GroupSource } from "./mappings.ts";
import { Rbac } from "./resolver.ts";

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "squall-rbacmap-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

class Groups implements GroupSource {
  constructor(public table: Record<string, string[]>) {}
  groupsOf(user: string): string[] {
    return Object.keys(this.table).filter((g) => this.table[g]?.includes(user));
  }
  membersOf(group: string): string[] {
    return this.table[group] ?? [];
  }
}

const FILES = {
  "roles/ops.yaml": "name: ops\npermission_grants:\n  - permission_types: [action_list]\n",
  "roles/dev.yaml": "name: dev\n",
  "assignments/alice.yaml": "username: alice\nroles: [dev]\n",
  "mappings/ops.yaml": "group: ops\ndescription: operators\nroles: [ops, observer]\n",
  "mappings/off.yaml": "group: admins\nenabled: false\nroles: [admin]\n",
  "mappings/ghost.yaml": "group: dev\nroles: [ghost, dev]\n",
};

describe("group mappings", () => {
  const cases: Array<[string, Record<string, string[]>, string, string[]]> = [
    ["direct assignments only", {}, "alice", ["dev"]],
    ["direct and mapped roles together", { ops: ["alice"] }, "alice", ["dev", "ops", "observer"]],
    ["mapped roles only", { ops: ["bob"] }, "bob", ["ops", "observer"]],
    ["a disabled mapping gives nothing", { admins: ["bob"] }, "bob", []],
    ["a mapping's unknown role is left out", { dev: ["carol"] }, "carol", ["dev"]],
    ["the same role twice counts once", { dev: ["alice"] }, "alice", ["dev"]],
    ["a group nobody maps gives nothing", { other: ["bob"] }, "bob", []],
  ];
  for (const [title, table, user, roles] of cases)
    it(title, () => {
      const rbac = new Rbac({
        enabled: true,
        dir: dirWith(FILES),
        builtinAdmins: [],
        groups: new Groups(table),
      });
      assert.deepEqual(
        rbac.rolesFor(user).map((r) => r.name),
        roles,
      );
    });

  it("reports a mapping's unknown role, naming the file", () => {
    const rbac = new Rbac({ enabled: true, dir: dirWith(FILES), builtinAdmins: [] });
    assert.equal(rbac.errors.length, 1, JSON.stringify(rbac.errors));
    assert.match(rbac.errors[0]?.file ?? "", /mappings\/ghost\.yaml$/);
    assert.match(rbac.errors[0]?.message ?? "", /role "ghost" does not exist/);
  });

  it("lists mapped assignments as remote, with the mapping file as source", () => {
    const groups = new Groups({ ops: ["bob"] });
    const rbac = new Rbac({ enabled: true, dir: dirWith(FILES), builtinAdmins: [], groups });
    const remote = rbac.assignments().filter((a) => a.is_remote);
    assert.deepEqual(
      remote.map((a) => [a.user, a.role, a.group, a.description]),
      [
        ["bob", "ops", "ops", "operators"],
        ["bob", "observer", "ops", "operators"],
      ],
    );
    assert.match(remote[0]?.source ?? "", /mappings\/ops\.yaml$/);
    assert.equal(rbac.assignments().filter((a) => !a.is_remote && a.user === "alice").length, 1);
  });

  it("applies group changes once told, and not before (the roles are cached)", () => {
    const groups = new Groups({ ops: ["bob"] });
    const rbac = new Rbac({ enabled: true, dir: dirWith(FILES), builtinAdmins: [], groups });
    assert.ok(rbac.has("bob", "action_list"));
    groups.table = {};
    assert.ok(rbac.has("bob", "action_list"), "cached until groupsChanged()");
    rbac.groupsChanged();
    assert.equal(rbac.has("bob", "action_list"), false);
  });
});
