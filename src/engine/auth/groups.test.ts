import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GroupFile, parseGroupFile } from "./groups.ts";

describe("Apache group file", () => {
  const good: Array<[string, string, Record<string, string[]>]> = [
    ["one group", "ops: alice bob\n", { ops: ["alice", "bob"] }],
    [
      "comments and blank lines",
      "# who is who\n\nops: alice\n  # indented comment\n",
      { ops: ["alice"] },
    ],
    ["tabs and extra spaces", "ops:\talice   bob \t\n", { ops: ["alice", "bob"] }],
    ["a group over several lines", "ops: alice\nops: bob alice\n", { ops: ["alice", "bob"] }],
    ["a group without members", "empty:\n", { empty: [] }],
    ["CRLF line ends", "ops: alice\r\ndev: bob\r\n", { ops: ["alice"], dev: ["bob"] }],
  ];
  for (const [title, text, want] of good)
    it(`parses ${title}`, () => {
      const parsed = parseGroupFile(text, "/etc/groups");
      assert.deepEqual(parsed.errors, []);
      assert.deepEqual(Object.fromEntries(parsed.groups), want);
    });

  const bad: Array<[string, string, number, RegExp]> = [
    ["a line without a colon", "ops: alice\nalice bob\n", 2, /expected "group: user1 user2"/],
    ["an empty group name", "# c\n: alice\n", 2, /invalid group name ""/],
    ["a group name with a space", "my ops: alice\n", 1, /invalid group name "my ops"/],
    ["a user name with a colon", "\n\nops: alice b:c\n", 3, /invalid user name "b:c"/],
  ];
  for (const [title, text, line, message] of bad)
    it(`reports ${title}, naming the file and line, and keeps the other lines`, () => {
      const parsed = parseGroupFile(`${text}dev: carol\n`, "/etc/groups");
      assert.equal(parsed.errors.length, 1, JSON.stringify(parsed.errors));
      const [error] = parsed.errors;
      assert.equal(error?.file, "/etc/groups");
      assert.equal(error?.line, line);
      assert.match(error?.message ?? "", new RegExp(`^/etc/groups:${line}: `));
      assert.match(error?.message ?? "", message);
      assert.deepEqual(parsed.groups.get("dev"), ["carol"]);
    });

  it("answers a user's groups and a group's members, and re-reads the file on reload", () => {
    const dir = mkdtempSync(join(tmpdir(), "squall-groups-"));
    try {
      const file = join(dir, "groups");
      const groups = new GroupFile(file);
      assert.deepEqual(groups.groupsOf("alice"), []);
      const absent = groups.signature();
      writeFileSync(file, "ops: alice bob\ndev: alice\n");
      assert.notEqual(groups.signature(), absent);
      groups.reload();
      assert.deepEqual(groups.groupsOf("alice"), ["ops", "dev"]);
      assert.deepEqual(groups.membersOf("ops"), ["alice", "bob"]);
      writeFileSync(file, "ops: bob\n");
      groups.reload();
      assert.deepEqual(groups.groupsOf("alice"), []);
      assert.deepEqual(groups.membersOf("nobody"), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
