/**
 * References and UIDs, shaped the way StackStorm prints them so API clients and rule files that
 * quote them keep working.
 */

/** Pack refs StackStorm accepts (`PACK_REF_WHITELIST_REGEX`). */
export const PACK_REF_PATTERN = /^[a-z0-9_]+$/;

/** Semver as StackStorm's `PACK_VERSION_REGEX` spells it (lowercase pre-release/build tags). */
export const PACK_VERSION_PATTERN =
  "^(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)(?:-[\\da-z\\-]+(?:\\.[\\da-z\\-]+)*)?(?:\\+[\\da-z\\-]+(?:\\.[\\da-z\\-]+)*)?$";

/** `stackstorm_version` constraint such as `>=3.0.0` or `>1.6.0, <2.2.0`. */
export const ST2_VERSION_PATTERN =
  "^((>?>|>=|=|<=|<?<)\\s*[0-9]+\\.[0-9]+\\.[0-9]+?(\\s*,)?\\s*)+$";

/** The pack resources go to when the API creates them without naming one. */
export const DEFAULT_PACK = "default";

export type UidKind =
  | "pack"
  | "action"
  | "rule"
  | "sensor_type"
  | "trigger_type"
  | "action_alias"
  | "policy";

export function isValidPackRef(ref: string): boolean {
  return PACK_REF_PATTERN.test(ref);
}

export function makeRef(pack: string, name: string): string {
  return `${pack}.${name}`;
}

/** `action:<pack>:<name>`; a pack's own uid is `pack:<ref>`. */
export function makeUid(kind: UidKind, pack: string, name?: string): string {
  return name === undefined ? `${kind}:${pack}` : `${kind}:${pack}:${name}`;
}

/**
 * Splits `<pack>.<name>` at the first dot: pack refs never contain dots, resource names may
 * (StackStorm's `ResourceReference.from_string_reference` splits the same way).
 */
export function splitRef(ref: string): { pack: string; name: string } | null {
  const dot = ref.indexOf(".");
  if (dot <= 0 || dot === ref.length - 1) return null;
  return { pack: ref.slice(0, dot), name: ref.slice(dot + 1) };
}
