/**
 * Datastore scopes and key names as StackStorm defines them: pairs live in `st2kv.system` or
 * `st2kv.user` (short forms `system`, `user`), and a user-scoped pair is stored under the name
 * `<user>:<key>`, so one user's keys are a prefix range of the user scope.
 */

import { ValidationError } from "../../core/errors.ts";

export const FULL_SYSTEM_SCOPE = "st2kv.system";
export const FULL_USER_SCOPE = "st2kv.user";
/** Listing only: system pairs followed by the requesting user's pairs. */
export const ALL_SCOPE = "all";

export type StoredScope = typeof FULL_SYSTEM_SCOPE | typeof FULL_USER_SCOPE;
export type ListScope = StoredScope | typeof ALL_SCOPE;

const USER_SEPARATOR = ":";
const ALLOWED = ["system", "user", FULL_SYSTEM_SCOPE, FULL_USER_SCOPE];

/** `system`/`st2kv.system` → `st2kv.system`, and so on; empty means system, as in st2. */
export function storedScope(scope: string | undefined): StoredScope {
  const full = expand(scope);
  if (full === FULL_SYSTEM_SCOPE || full === FULL_USER_SCOPE) return full;
  throw new ValidationError(
    `Scope ${String(scope)} is not in allowed scopes list: ${ALLOWED.join(", ")}.`,
    { field: "scope" },
  );
}

/** Like storedScope, but also accepts `all`. */
export function listScope(scope: string | undefined): ListScope {
  return expand(scope) === ALL_SCOPE ? ALL_SCOPE : storedScope(scope);
}

function expand(scope: string | undefined): string {
  if (scope === undefined || scope === "") return FULL_SYSTEM_SCOPE;
  if (scope === ALL_SCOPE || scope.startsWith("st2kv.")) return scope;
  return `st2kv.${scope}`;
}

/** A user name usable in key references: the stored name splits at the first `:`. */
export function requireUser(user: string, field = "user"): string {
  if (user === "" || user.includes(USER_SEPARATOR)) {
    throw new ValidationError(`user must be a non-empty name without "${USER_SEPARATOR}"`, {
      field,
    });
  }
  return user;
}

/** The name a pair is stored under: as given in system scope, `<user>:<name>` in user scope. */
export function storedName(scope: StoredScope, name: string, user: string): string {
  return scope === FULL_USER_SCOPE ? `${requireUser(user)}${USER_SEPARATOR}${name}` : name;
}

/** Splits a stored user-scope name back into its user and key name. */
export function splitUserName(stored: string): { user: string; name: string } {
  const at = stored.indexOf(USER_SEPARATOR);
  // Rows are only written through storedName, so a separator is always present; a row without
  // one (hand-inserted) is shown as belonging to no user rather than crashing the listing.
  if (at < 0) return { user: "", name: stored };
  return { user: stored.slice(0, at), name: stored.slice(at + 1) };
}
