/**
 * Group-to-role mappings turned into role assignments. StackStorm syncs these at login as
 * "remote" assignments (`is_remote: true`, source = the mapping file); Squall derives them from
 * the user's current groups instead, so a group file edit applies to tokens already issued.
 */

import { type GroupMapping, type RoleAssignment, stableId } from "./definitions.ts";

/** Where a user's groups come from (the flat-file backend's group file). */
export interface GroupSource {
  groupsOf(user: string): readonly string[];
  membersOf(group: string): readonly string[];
}

/** The remote assignments of one user: one per (mapping, role) whose group the user is in. */
export function mappedAssignments(
  user: string,
  groups: readonly string[],
  mappings: readonly GroupMapping[],
): RoleAssignment[] {
  const out: RoleAssignment[] = [];
  for (const m of mappings) {
    if (!groups.includes(m.group)) continue;
    for (const role of m.roles)
      out.push({
        id: stableId("assignment", "remote", m.source, user, role),
        user,
        role,
        description: m.description || `Mapped from group "${m.group}".`,
        is_remote: true,
        source: m.source,
        group: m.group,
      });
  }
  return out;
}

/** Every remote assignment: each mapping's roles for each member of its group. */
export function allMappedAssignments(
  mappings: readonly GroupMapping[],
  source: GroupSource,
): RoleAssignment[] {
  const users = new Set<string>();
  for (const m of mappings) for (const u of source.membersOf(m.group)) users.add(u);
  return [...users].sort().flatMap((u) => mappedAssignments(u, source.groupsOf(u), mappings));
}
