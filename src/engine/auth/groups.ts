/**
 * Groups for the flat-file user backend: an Apache `AuthGroupFile` (`group: user1 user2`, `#`
 * comments, a group may span several lines). StackStorm applies RBAC group mappings to the
 * groups its auth backend reports; htpasswd has none, so this file supplies them.
 *
 * A bad line is reported (file and line) and skipped rather than failing the whole file: one
 * typo must not strip every user of their mapped roles.
 */

import { existsSync, readFileSync, statSync } from "node:fs";

export interface GroupFileError {
  file: string;
  line: number;
  message: string;
}

export interface ParsedGroups {
  /** Members per group, in file order, without duplicates. */
  groups: Map<string, string[]>;
  errors: GroupFileError[];
}

const NAME = /^[^\s:#]+$/;

export function parseGroupFile(text: string, file: string): ParsedGroups {
  const members = new Map<string, Set<string>>();
  const errors: GroupFileError[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? "").trim();
    if (raw === "" || raw.startsWith("#")) continue;
    const bad = (message: string) => errors.push({ file, line: i + 1, message });
    const colon = raw.indexOf(":");
    if (colon < 0) {
      bad(`${file}:${i + 1}: expected "group: user1 user2"`);
      continue;
    }
    const group = raw.slice(0, colon).trim();
    if (!NAME.test(group)) {
      bad(`${file}:${i + 1}: invalid group name "${group}"`);
      continue;
    }
    const users = raw
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter((u) => u !== "");
    const invalid = users.find((u) => u.includes(":"));
    if (invalid !== undefined) {
      bad(`${file}:${i + 1}: invalid user name "${invalid}" in group "${group}"`);
      continue;
    }
    const set = members.get(group) ?? new Set<string>();
    for (const u of users) set.add(u);
    members.set(group, set);
  }
  return {
    groups: new Map([...members].map(([g, users]) => [g, [...users]])),
    errors,
  };
}

/** The group file of a node; `reload()` re-reads it (the RBAC watcher calls it on change). */
export class GroupFile {
  private groups = new Map<string, string[]>();
  private byUser = new Map<string, string[]>();
  private problems: GroupFileError[] = [];

  constructor(readonly path: string) {
    this.reload();
  }

  /** Size and time of the file, or "absent": changes whenever the file is edited or removed. */
  signature(): string {
    try {
      const st = statSync(this.path);
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return "absent";
    }
  }

  /** Re-reads the file (a missing file means no groups); returns the bad lines found. */
  reload(): GroupFileError[] {
    let parsed: ParsedGroups = { groups: new Map(), errors: [] };
    try {
      if (existsSync(this.path))
        parsed = parseGroupFile(readFileSync(this.path, "utf8"), this.path);
    } catch (err) {
      parsed.errors.push({
        file: this.path,
        line: 0,
        message: `${this.path}: cannot read: ${(err as Error).message}`,
      });
    }
    const byUser = new Map<string, string[]>();
    for (const [group, users] of parsed.groups)
      for (const u of users) byUser.set(u, [...(byUser.get(u) ?? []), group]);
    this.groups = parsed.groups;
    this.byUser = byUser;
    this.problems = parsed.errors;
    return parsed.errors;
  }

  get errors(): GroupFileError[] {
    return this.problems;
  }

  groupsOf(user: string): readonly string[] {
    return this.byUser.get(user) ?? [];
  }

  membersOf(group: string): readonly string[] {
    return this.groups.get(group) ?? [];
  }
}
