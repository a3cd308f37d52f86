/** Semantic versions as StackStorm's version_* filters use them (python-semver). */

import { pyValueError } from "../../python/errors.ts";

interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: string | null;
  build: string | null;
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function parseVersion(text: string): Version {
  const m = SEMVER.exec(text);
  if (!m) return pyValueError(`${text} is not valid SemVer string`);
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    prerelease: m[4] ?? null,
    build: m[5] ?? null,
  };
}

function cmp(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrerelease(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    const c = nx && ny ? cmp(Number(x), Number(y)) : nx ? -1 : ny ? 1 : cmp(x, y);
    if (c !== 0) return c;
  }
  return cmp(pa.length, pb.length);
}

/** -1, 0 or 1, as semver.compare. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return (
    cmp(x.major, y.major) ||
    cmp(x.minor, y.minor) ||
    cmp(x.patch, y.patch) ||
    comparePrerelease(x.prerelease, y.prerelease)
  );
}

/** semver.match(version, ">=1.2.3"). */
export function matchVersion(version: string, expr: string): boolean {
  const m = /^(<=|>=|==|!=|<|>)(.*)$/.exec(expr.trim());
  if (!m) {
    return pyValueError(
      `match_expr parameter should be in format <op><ver>, where <op> is one of ['<', '>', '==', '<=', '>=', '!=']. You provided: '${expr}'`,
    );
  }
  const c = compareVersions(version, (m[2] ?? "").trim());
  switch (m[1]) {
    case "<":
      return c < 0;
    case ">":
      return c > 0;
    case "<=":
      return c <= 0;
    case ">=":
      return c >= 0;
    case "==":
      return c === 0;
    default:
      return c !== 0;
  }
}

export function bumpVersion(text: string, part: "major" | "minor" | "patch"): string {
  const v = parseVersion(text);
  if (part === "major") return `${v.major + 1}.0.0`;
  if (part === "minor") return `${v.major}.${v.minor + 1}.0`;
  return `${v.major}.${v.minor}.${v.patch + 1}`;
}

export function stripPatch(text: string): string {
  const v = parseVersion(text);
  return `${v.major}.${v.minor}`;
}
