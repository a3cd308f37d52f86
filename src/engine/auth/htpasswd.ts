/**
 * The flat-file user backend: an Apache htpasswd file (StackStorm's default `flat_file` auth
 * backend reads the same format), so an existing st2 htpasswd file can be used as is.
 *
 * Accepted hashes: bcrypt (`$2y$`, `$2a$`, `$2b$`; `htpasswd -B`), `$apr1$` (`htpasswd -m`) and
 * `{SHA}` (`htpasswd -s`). Squall writes bcrypt. The file is re-read when it changes, so users
 * added with `htpasswd` take effect without a restart.
 */

import { createHash, timingSafeEqual } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import bcrypt from "bcryptjs";
import { ValidationError } from "../../core/errors.ts";
import { apr1 } from "./apr1.ts";

export interface HtpasswdEntry {
  user: string;
  hash: string;
  line: number;
}

/** Parses htpasswd text; a line that is not `user:hash` is an error naming the file and line. */
export function parseHtpasswd(text: string, file: string): Map<string, HtpasswdEntry> {
  const users = new Map<string, HtpasswdEntry>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? "").trim();
    if (raw === "" || raw.startsWith("#")) continue;
    const colon = raw.indexOf(":");
    if (colon <= 0 || colon === raw.length - 1)
      throw new ValidationError(`${file}:${i + 1}: expected "user:hash"`, { file, line: i + 1 });
    const user = raw.slice(0, colon);
    const hash = raw.slice(colon + 1);
    if (!supported(hash))
      throw new ValidationError(
        `${file}:${i + 1}: unsupported password hash for user "${user}" (use bcrypt, apr1 or SHA: htpasswd -B, -m or -s)`,
        { file, line: i + 1 },
      );
    users.set(user, { user, hash, line: i + 1 });
  }
  return users;
}

function supported(hash: string): boolean {
  return /^\$2[aby]\$\d\d\$/.test(hash) || hash.startsWith("$apr1$") || hash.startsWith("{SHA}");
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when `password` matches `hash` in any accepted format. */
export async function verifyHash(password: string, hash: string): Promise<boolean> {
  if (hash.startsWith("$2")) {
    // htpasswd writes `$2y$`; bcryptjs knows it as `$2b$`/`$2a$` (the same algorithm).
    return bcrypt.compare(password, hash.replace(/^\$2y\$/, "$2b$"));
  }
  if (hash.startsWith("$apr1$")) {
    const salt = hash.slice(6).split("$")[0] ?? "";
    return sameText(apr1(password, salt), hash);
  }
  if (hash.startsWith("{SHA}")) {
    const digest = createHash("sha1").update(password, "utf8").digest("base64");
    return sameText(`{SHA}${digest}`, hash);
  }
  return false;
}

/** bcrypt's work factor for passwords people choose (Apache's htpasswd uses 5; 10 is bcrypt's default). */
export const BCRYPT_COST = 10;

/** A bcrypt hash in htpasswd's spelling (`$2y$`), readable by Apache's tools too. */
export function hashPassword(password: string, cost: number = BCRYPT_COST): string {
  return bcrypt.hashSync(password, cost).replace(/^\$2[ab]\$/, "$2y$");
}

export class HtpasswdFile {
  private cache: { mtimeMs: number; size: number; users: Map<string, HtpasswdEntry> } | null = null;

  constructor(readonly path: string) {}

  /** The users in the file now (empty when the file does not exist). */
  users(): Map<string, HtpasswdEntry> {
    if (!existsSync(this.path)) return new Map();
    const st = statSync(this.path);
    if (this.cache && this.cache.mtimeMs === st.mtimeMs && this.cache.size === st.size)
      return this.cache.users;
    const users = parseHtpasswd(readFileSync(this.path, "utf8"), this.path);
    this.cache = { mtimeMs: st.mtimeMs, size: st.size, users };
    return users;
  }

  has(user: string): boolean {
    return this.users().has(user);
  }

  /** True when the user exists and the password matches. */
  async verify(user: string, password: string): Promise<boolean> {
    const entry = this.users().get(user);
    if (!entry) return false;
    return verifyHash(password, entry.hash);
  }

  /** Adds a user (bcrypt), or replaces the hash of an existing one. The file stays 0600. */
  setPassword(user: string, password: string, cost: number = BCRYPT_COST): void {
    if (user === "" || user.includes(":") || /\s/.test(user))
      throw new ValidationError(`invalid user name "${user}"`, { field: "user" });
    const line = `${user}:${hashPassword(password, cost)}\n`;
    if (!existsSync(this.path)) {
      writeFileSync(this.path, line, { mode: 0o600 });
    } else if (!this.has(user)) {
      const text = readFileSync(this.path, "utf8");
      appendFileSync(this.path, text === "" || text.endsWith("\n") ? line : `\n${line}`);
    } else {
      const kept = readFileSync(this.path, "utf8")
        .split(/\r?\n/)
        .filter((l) => l.trim() !== "" && !l.startsWith(`${user}:`));
      writeFileSync(this.path, `${[...kept, line.trimEnd()].join("\n")}\n`, { mode: 0o600 });
    }
    this.cache = null;
  }
}
