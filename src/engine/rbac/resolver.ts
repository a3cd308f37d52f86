/**
 * Decides whether a user holds a permission, following st2-rbac-backend's resolvers:
 * - system_admin and admin may do anything; observer may list, view and search anything;
 * - global permissions (lists, pack_install, …) come from any grant naming them;
 * - a resource permission comes from a grant on the resource's UID with that permission or the
 *   resource type's `_all`; view is implied by create/modify/delete/execute;
 * - a grant on `pack:<name>` covers the pack's actions, aliases, rules, sensors and policies;
 * - executions are judged by their action, rule enforcements by their rule;
 * - datastore: a user's own user-scoped keys are always theirs; other users' keys only admins'.
 */

import { DEFAULT_SYSTEM_USER } from "../../core/params/index.ts";
import { AccessDeniedError } from "../auth/errors.ts";
import {
  loadRbacDefinitions,
  type RbacDefinitions,
  type Role,
  type RoleAssignment,
  stableId,
} from "./definitions.ts";
import { allMappedAssignments, type GroupSource, mappedAssignments } from "./mappings.ts";
import {
  ADMIN_ROLES,
  GLOBAL_PERMISSION_TYPES,
  PACK_CONTENT_TYPES,
  permissionNameOf,
  resourceTypeOf,
} from "./types.ts";

/** The resource a permission is checked on. */
export interface ResourceTarget {
  /** `<type>:<…>`, e.g. `action:core:local`. */
  uid: string;
  /** `pack:<name>` for resources that live in a pack. */
  packUid?: string;
  /** For executions: the action they run. For rule enforcements: the rule. */
  parent?: { uid: string; packUid?: string };
  /** For datastore items: full scope (`st2kv.system`/`st2kv.user`) and full name. */
  kv?: { scope: string; name: string };
}

export interface RbacOptions {
  /** False: every authenticated user is an administrator (StackStorm's default without RBAC). */
  enabled: boolean;
  dir: string;
  /** Users that hold system_admin whatever the files say (the bootstrap admin, the system user). */
  builtinAdmins: string[];
  /** The users' groups, for `mappings/` (none: mappings apply to nobody). */
  groups?: GroupSource;
}

const READ_NAMES = new Set(["view", "list", "search"]);

const VIEW_IMPLIED_BY: Record<string, string[]> = {
  action: ["all", "create", "modify", "delete", "execute"],
  action_alias: ["all", "create", "modify", "delete"],
  rule: ["all", "create", "modify", "delete"],
  sensor_type: ["all", "modify"],
  policy: ["all", "create", "modify", "delete"],
  key_value_pair: ["list", "set", "delete", "all"],
};

export class Rbac {
  private defs: RbacDefinitions;
  /**
   * Roles per user, direct and mapped from groups. Every request asks, so this is emptied only
   * when the definitions or the group file change (`reload`, `groupsChanged`).
   */
  private readonly roleCache = new Map<string, Role[]>();

  constructor(private readonly options: RbacOptions) {
    this.defs = loadRbacDefinitions(options.dir);
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  /** Re-reads the definition files; returns the problems found (broken files are skipped). */
  reload(): RbacDefinitions["errors"] {
    this.defs = loadRbacDefinitions(this.options.dir);
    this.roleCache.clear();
    return this.defs.errors;
  }

  /** The group source changed: mapped roles are worked out again on the next request. */
  groupsChanged(): void {
    this.roleCache.clear();
  }

  get errors(): RbacDefinitions["errors"] {
    return this.defs.errors;
  }

  roles(): Role[] {
    return [...this.defs.roles.values()];
  }

  role(nameOrId: string): Role | undefined {
    return this.defs.roles.get(nameOrId) ?? this.roles().find((r) => r.id === nameOrId);
  }

  private builtinAssignments(): RoleAssignment[] {
    return [...new Set([...this.options.builtinAdmins, DEFAULT_SYSTEM_USER])].map(
      (user): RoleAssignment => ({
        id: stableId("assignment", "<builtin>", user, "system_admin"),
        user,
        role: "system_admin",
        description: "Built in: Squall's administrator and system user.",
        is_remote: false,
        source: "<builtin>",
      }),
    );
  }

  /** Built-in, file and remote (group-mapped, `is_remote: true`) assignments. */
  assignments(): RoleAssignment[] {
    const remote = this.options.groups
      ? allMappedAssignments(this.defs.mappings, this.options.groups)
      : [];
    return [...this.builtinAssignments(), ...this.defs.assignments, ...remote];
  }

  /** The groups the user's backend reports (empty without a group source). */
  groupsOf(user: string): readonly string[] {
    return this.options.groups?.groupsOf(user) ?? [];
  }

  /** Where each of the user's roles comes from: direct assignments first, then mappings. */
  assignmentsFor(user: string): RoleAssignment[] {
    const direct = [...this.builtinAssignments(), ...this.defs.assignments].filter(
      (a) => a.user === user,
    );
    return [...direct, ...mappedAssignments(user, this.groupsOf(user), this.defs.mappings)];
  }

  /** The union of the user's direct roles and the roles mapped from their groups. */
  rolesFor(user: string): Role[] {
    const cached = this.roleCache.get(user);
    if (cached) return cached;
    const names = new Set(this.assignmentsFor(user).map((a) => a.role));
    const roles = [...names]
      .map((n) => this.defs.roles.get(n))
      .filter((r): r is Role => r !== undefined);
    if (this.roleCache.size >= 10_000) this.roleCache.clear();
    this.roleCache.set(user, roles);
    return roles;
  }

  /** Administrators: admin roles, or anyone when RBAC is off. */
  isAdmin(user: string): boolean {
    if (!this.options.enabled) return true;
    return this.rolesFor(user).some((r) => ADMIN_ROLES.has(r.name));
  }

  private systemRoleAllows(roles: Role[], permission: string): boolean {
    if (roles.some((r) => ADMIN_ROLES.has(r.name))) return true;
    return roles.some((r) => r.name === "observer") && READ_NAMES.has(permissionNameOf(permission));
  }

  private granted(roles: Role[], uid: string | null, candidates: string[]): boolean {
    for (const role of roles)
      for (const g of role.permission_grants) {
        if (uid !== null && g.resource_uid !== uid) continue;
        if (g.permission_types.some((p) => candidates.includes(p))) return true;
      }
    return false;
  }

  private candidates(type: string, permission: string): string[] {
    const name = permissionNameOf(permission);
    if (name === "view" && VIEW_IMPLIED_BY[type])
      return [permission, ...(VIEW_IMPLIED_BY[type] ?? []).map((n) => `${type}_${n}`)];
    return [permission, `${type}_all`];
  }

  has(user: string, permission: string, target?: ResourceTarget): boolean {
    if (!this.options.enabled) return true;
    const roles = this.rolesFor(user);
    if (this.systemRoleAllows(roles, permission)) return true;
    const type = resourceTypeOf(permission);
    if (permission === "key_value_pair_list") return true; // filtered per item by scope
    // StackStorm lets rule_list cover enforcement lists; a direct grant works as well.
    if (permission === "rule_enforcement_list")
      return this.granted(roles, null, ["rule_enforcement_list", "rule_list"]);
    if (!target || GLOBAL_PERMISSION_TYPES.has(permission))
      return this.granted(roles, null, [permission]);

    if (type === "key_value_pair" && target.kv) {
      const { scope, name } = target.kv;
      if (scope.startsWith("st2kv.user")) {
        // Own keys always; anyone else's only through a system role (handled above).
        return scope === `st2kv.user:${user}` || name.startsWith(`${user}:`);
      }
      return this.granted(roles, target.uid, this.candidates(type, permission));
    }
    if (type === "execution" || type === "rule_enforcement") {
      const parent = target.parent;
      if (!parent) return false;
      const [parentType, mapped] =
        type === "execution"
          ? [
              "action",
              permission === "execution_view"
                ? "action_view"
                : permission === "execution_all"
                  ? "action_all"
                  : "action_execute",
            ]
          : ["rule", "rule_view"];
      const wanted =
        type === "execution" ? [mapped, `${parentType}_all`] : this.candidates(parentType, mapped);
      return (
        (parent.packUid !== undefined && this.granted(roles, parent.packUid, wanted)) ||
        this.granted(roles, parent.uid, wanted)
      );
    }
    const wanted = this.candidates(type, permission);
    if (this.granted(roles, target.uid, wanted)) return true;
    return (
      PACK_CONTENT_TYPES.has(type) &&
      target.packUid !== undefined &&
      this.granted(roles, target.packUid, wanted)
    );
  }

  /** Throws AccessDeniedError worded as StackStorm's. */
  assert(user: string, permission: string, target?: ResourceTarget): void {
    if (this.has(user, permission, target)) return;
    const on =
      target && !GLOBAL_PERMISSION_TYPES.has(permission) ? ` on resource "${target.uid}"` : "";
    throw new AccessDeniedError(
      `User "${user}" doesn't have required permission "${permission}"${on}`,
      user,
      permission,
    );
  }

  assertAdmin(user: string): void {
    if (!this.isAdmin(user))
      throw new AccessDeniedError("Administrator access required", user, "admin");
  }

  /** Admins, or the user acting on their own records (role assignments, API keys). */
  assertAdminOrSelf(user: string, owner: string | undefined): void {
    if (owner !== undefined && owner === user) return;
    if (!this.isAdmin(user))
      throw new AccessDeniedError("Administrator or self access required", user, "admin");
  }

  /** The guard for datastore reads made from expressions (`{{ st2kv.system.x }}`). */
  kvReadAllowed(user: string, scope: "system" | "user", name: string): boolean {
    if (scope === "user") return true; // parameter rendering only reads the user's own scope
    return this.has(user, "key_value_pair_view", {
      uid: `key_value_pair:st2kv.system:${name}`,
      kv: { scope: "st2kv.system", name },
    });
  }
}
