/**
 * The datastore key file: st2's JSON key format on disk. Squall makes one on first start so
 * secrets work out of the box (st2 needed `st2-generate-symmetric-crypto-key` first); an st2
 * deployment's key file can be pointed at instead, to keep reading its secrets.
 */

import { randomBytes } from "node:crypto";
import {
  chmodSync,
  linkSync,
  mkdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { ValidationError } from "../../core/errors.ts";
import { type DatastoreKey, generateKey, keyFromJson, keyToJson } from "./crypto.ts";

/** Where the key lives under the data directory unless a path is configured. */
export function defaultKeyPath(home: string): string {
  return join(home, "keys", "datastore_key.json");
}

/** Reads and validates a key file; every failure is a ValidationError naming the file. */
export function readKeyFile(path: string): DatastoreKey {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist"
        : code === "EACCES"
          ? "is not readable by this user"
          : `cannot be read (${code ?? String(err)})`;
    throw new ValidationError(`datastore key file ${path} ${why}`, { file: path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(
      `datastore key file ${path} is not valid JSON: ${(err as Error).message}`,
      { file: path },
    );
  }
  return keyFromJson(json, path);
}

/**
 * Writes a new key to `path` only if no file is there. The key is written to a temporary file
 * and hard-linked into place: the link fails if another process won the race, and a crash
 * mid-write never leaves a half-written key file that would make every secret unreadable.
 * Returns false when a file already existed.
 */
export function writeKeyFileIfAbsent(path: string, key: DatastoreKey): boolean {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(keyToJson(key))}\n`, { mode: 0o600, flag: "wx" });
  try {
    chmodSync(tmp, 0o600);
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * The key at `path`, generating it (mode 0600, directory 0700) when the file does not exist.
 * A file that exists but is broken is an error, never silently replaced: replacing it would
 * orphan every secret already stored.
 */
export function loadOrCreateDatastoreKey(path: string): { key: DatastoreKey; created: boolean } {
  let created: boolean;
  try {
    if (statSync(path, { throwIfNoEntry: false }) !== undefined) {
      return { key: readKeyFile(path), created: false };
    }
    created = writeKeyFileIfAbsent(path, generateKey());
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ValidationError(`cannot create datastore key file ${path} (${code})`, {
      file: path,
    });
  }
  return { key: readKeyFile(path), created };
}
