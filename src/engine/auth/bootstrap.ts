/**
 * First start: Squall creates an administrator so nobody has to edit files before the first
 * login. The password goes into the htpasswd file (hashed) and, in clear, into a credentials file
 * only the owner can read; the local `squall` CLI finds it there and logs in by itself.
 *
 * The credentials file uses the `[credentials]` section of st2's CLI config, so
 * `st2 --config-file <home>/credentials` works too.
 */

import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { ValidationError } from "../../core/errors.ts";
import type { HtpasswdFile } from "./htpasswd.ts";

export interface AdminCredentials {
  username: string;
  password: string;
}

export function formatCredentials(c: AdminCredentials): string {
  return [
    "# Squall administrator, created on first start. Readable only by its owner.",
    "[credentials]",
    `username = ${c.username}`,
    `password = ${c.password}`,
    "",
  ].join("\n");
}

/** Reads `username`/`password` from the `[credentials]` section; null when the file is absent. */
export function readCredentialsFile(path: string): AdminCredentials | null {
  if (!existsSync(path)) return null;
  let section = "";
  const values: Record<string, string> = {};
  for (const raw of readFileSync(path, "utf8").split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1] ?? "";
      continue;
    }
    const eq = line.indexOf("=");
    if (section === "credentials" && eq > 0)
      values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  if (!values.username || values.password === undefined)
    throw new ValidationError(`${path}: [credentials] needs username and password`, {
      file: path,
    });
  return { username: values.username, password: values.password };
}

/**
 * Makes sure the administrator exists. Creates it (random password) when the htpasswd file does
 * not list it; leaves an existing account and its credentials file alone.
 */
/** bcrypt's minimum work factor. */
const GENERATED_PASSWORD_COST = 4;

export function ensureAdmin(
  users: HtpasswdFile,
  credentialsPath: string,
  username: string,
): { created: boolean } {
  if (users.has(username)) {
    // Keep the owner-only mode even if someone loosened it.
    if (existsSync(credentialsPath)) chmodSync(credentialsPath, 0o600);
    return { created: false };
  }
  const password = randomBytes(18).toString("base64url");
  // bcrypt's work factor slows guessing of passwords people choose. This one is 144 random bits,
  // beyond guessing at any cost, so the minimum cost is as safe and keeps ~80 ms of CPU off the
  // first start (Squall is meant to be ready in under a second).
  users.setPassword(username, password, GENERATED_PASSWORD_COST);
  writeFileSync(credentialsPath, formatCredentials({ username, password }), { mode: 0o600 });
  chmodSync(credentialsPath, 0o600);
  return { created: true };
}
