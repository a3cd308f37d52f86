/**
 * RBAC definitions from YAML files in StackStorm's format (st2-rbac-backend's loader):
 *   roles/*.yaml        {name, description, enabled, permission_grants: [{resource_uid, permission_types}]}
 *   assignments/*.yaml  {username, description, enabled, roles: []}
 *   mappings/*.yaml     {group, description, enabled, roles: []}
 * A broken file is reported (file and field) and skipped; the others still load.
 */

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import {
  ALL_PERMISSION_TYPES,
  GLOBAL_PERMISSION_TYPES,
  RESOURCE_PERMISSIONS,
  SYSTEM_ROLES,
} from "./types.ts";

export interface PermissionGrant {
  id: string;
  resource_uid: string | null;
  resource_type: string | null;
  permission_types: string[];
}

export interface Role {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  system: boolean;
  permission_grants: PermissionGrant[];
  source: string;
}

export interface RoleAssignment {
  id: string;
  user: string;
  role: string;
  description: string;
  is_remote: boolean;
  source: string;
  /** For remote assignments: the group whose mapping gave the role. */
  group?: string;
}

export interface GroupMapping {
  group: string;
  roles: string[];
  description: string;
  source: string;
}

export interface DefinitionError {
  file: string;
  field?: string;
  message: string;
}

export interface RbacDefinitions {
  roles: Map<string, Role>;
  assignments: RoleAssignment[];
  mappings: GroupMapping[];
  errors: DefinitionError[];
}

/** Stable ids, so `GET /rbac/roles/{id}` keeps working across reloads. */
export function stableId(...parts: string[]): string {
  return createHash("sha1").update(parts.join("\u0000")).digest("hex").slice(0, 24);
}

const SYSTEM_DESCRIPTIONS: Record<string, string> = {
  system_admin: "Can do everything; cannot be revoked.",
  admin: "Can do everything, including managing RBAC assignments.",
  observer: "Can list and view everything, change nothing.",
};

function systemRoles(): Map<string, Role> {
  const roles = new Map<string, Role>();
  for (const name of SYSTEM_ROLES)
    roles.set(name, {
      id: stableId("role", name),
      name,
      description: SYSTEM_DESCRIPTIONS[name] ?? "",
      enabled: true,
      system: true,
      permission_grants: [],
      source: "<system>",
    });
  return roles;
}

class FileProblem extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort()
    .map((f) => join(dir, f));
}

function object(doc: unknown, allowed: string[]): Record<string, unknown> {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    throw new FileProblem("the file must hold a mapping");
  const o = doc as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!allowed.includes(key))
      throw new FileProblem(`unknown field "${key}" (allowed: ${allowed.join(", ")})`, key);
  return o;
}

function str(o: Record<string, unknown>, field: string, required: boolean): string {
  const v = o[field];
  if (v === undefined || v === null) {
    if (required) throw new FileProblem(`"${field}" is required`, field);
    return "";
  }
  if (typeof v !== "string") throw new FileProblem(`"${field}" must be a string`, field);
  return v;
}

function bool(o: Record<string, unknown>, field: string): boolean {
  const v = o[field];
  if (v === undefined || v === null) return true;
  if (typeof v !== "boolean") throw new FileProblem(`"${field}" must be true or false`, field);
  return v;
}

function strings(o: Record<string, unknown>, field: string, required: boolean): string[] {
  const v = o[field];
  if (v === undefined || v === null) {
    if (required) throw new FileProblem(`"${field}" is required`, field);
    return [];
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new FileProblem(`"${field}" must be a list of strings`, field);
  return v as string[];
}

function parseGrant(raw: unknown, index: number, role: string): PermissionGrant {
  const field = `permission_grants[${index}]`;
  let g: Record<string, unknown>;
  try {
    g = object(raw, ["resource_uid", "permission_types"]);
  } catch (err) {
    throw new FileProblem(`${field}: ${(err as Error).message}`, field);
  }
  const uid = g.resource_uid === undefined || g.resource_uid === null ? null : g.resource_uid;
  if (uid !== null && (typeof uid !== "string" || !uid.includes(":")))
    throw new FileProblem(`${field}.resource_uid must look like "<type>:<...>"`, field);
  const types = strings(g, "permission_types", false);
  const resourceType = uid === null ? null : uid.slice(0, uid.indexOf(":"));
  for (const p of types) {
    if (!ALL_PERMISSION_TYPES.has(p))
      throw new FileProblem(
        `${field}: unknown permission type "${p}"`,
        `${field}.permission_types`,
      );
    if (resourceType !== null) {
      const valid = RESOURCE_PERMISSIONS[resourceType];
      if (!valid)
        throw new FileProblem(
          `${field}: unknown resource type "${resourceType}" in "${uid}"`,
          `${field}.resource_uid`,
        );
      if (!valid.includes(p))
        throw new FileProblem(
          `${field}: Invalid permission type "${p}" for resource type "${resourceType}"`,
          `${field}.permission_types`,
        );
    } else if (!GLOBAL_PERMISSION_TYPES.has(p)) {
      throw new FileProblem(
        `${field}: permission type "${p}" needs a resource_uid (only global types such as *_list may go without)`,
        `${field}.permission_types`,
      );
    }
  }
  return {
    id: stableId("grant", role, String(index)),
    resource_uid: uid as string | null,
    resource_type: resourceType,
    permission_types: types,
  };
}

function load(dir: string, errors: DefinitionError[], each: (doc: unknown, file: string) => void) {
  for (const file of yamlFiles(dir)) {
    try {
      each(parse(readFileSync(file, "utf8")), file);
    } catch (err) {
      const field = err instanceof FileProblem ? err.field : undefined;
      errors.push({ file, ...(field ? { field } : {}), message: (err as Error).message });
    }
  }
}

/** Reads `<dir>/roles`, `<dir>/assignments` and `<dir>/mappings`. A missing directory is empty. */
export function loadRbacDefinitions(dir: string): RbacDefinitions {
  const errors: DefinitionError[] = [];
  const roles = systemRoles();
  load(join(dir, "roles"), errors, (doc, file) => {
    const o = object(doc, ["name", "description", "enabled", "permission_grants"]);
    const name = str(o, "name", true);
    if (roles.get(name)?.system)
      throw new FileProblem(`"${name}" is a system role and cannot be redefined`, "name");
    if (roles.has(name)) throw new FileProblem(`role "${name}" is defined twice`, "name");
    const grants = o.permission_grants ?? [];
    if (!Array.isArray(grants))
      throw new FileProblem(`"permission_grants" must be a list`, "permission_grants");
    const role: Role = {
      id: stableId("role", name),
      name,
      description: str(o, "description", false),
      enabled: bool(o, "enabled"),
      system: false,
      permission_grants: grants.map((g, i) => parseGrant(g, i, name)),
      source: file,
    };
    // Disabled roles are ignored, as in StackStorm.
    if (role.enabled) roles.set(name, role);
  });
  const assignments: RoleAssignment[] = [];
  load(join(dir, "assignments"), errors, (doc, file) => {
    const o = object(doc, ["username", "description", "enabled", "roles", "file_path"]);
    const user = str(o, "username", true);
    const names = strings(o, "roles", true);
    const enabled = bool(o, "enabled");
    for (const role of names)
      if (!roles.has(role)) throw new FileProblem(`role "${role}" does not exist`, "roles");
    if (!enabled) return;
    for (const role of names)
      assignments.push({
        id: stableId("assignment", file, user, role),
        user,
        role,
        description: str(o, "description", false),
        is_remote: false,
        source: file,
      });
  });
  const mappings: GroupMapping[] = [];
  load(join(dir, "mappings"), errors, (doc, file) => {
    const o = object(doc, ["group", "description", "enabled", "roles"]);
    const group = str(o, "group", true);
    const names = strings(o, "roles", true);
    const enabled = bool(o, "enabled");
    // As StackStorm's remote sync does, a mapping's unknown roles are left out (and reported
    // here) while its known ones still apply.
    for (const role of names)
      if (!roles.has(role))
        errors.push({ file, field: "roles", message: `role "${role}" does not exist` });
    if (enabled)
      mappings.push({
        group,
        roles: names.filter((r) => roles.has(r)),
        description: str(o, "description", false),
        source: file,
      });
  });
  return { roles, assignments, mappings, errors };
}

/** Names, sizes and times of the definition files: changes when any file is added, edited or removed. */
export function definitionsSignature(dir: string): string {
  const parts: string[] = [];
  for (const sub of ["roles", "assignments", "mappings"])
    for (const file of yamlFiles(join(dir, sub))) {
      try {
        const st = statSync(file);
        parts.push(`${file}:${st.size}:${st.mtimeMs}`);
      } catch {
        parts.push(`${file}:gone`);
      }
    }
  return parts.join("|");
}
