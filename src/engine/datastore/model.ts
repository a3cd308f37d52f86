/**
 * The datastore pair as StackStorm's API shows it (KeyValuePairAPI), used by the API responses
 * and the payloads of the `core.st2.key_value_pair.*` triggers alike.
 */

import type { KvEntry } from "../store/contract.ts";
import { FULL_USER_SCOPE, splitUserName } from "./scope.ts";

export interface KeyValuePair {
  /** `key_value_pair:<scope>:<stored name>`, StackStorm's resource UID. */
  uid: string;
  /** The key name; for user-scoped pairs without the `<user>:` prefix. */
  name: string;
  /** Ciphertext for secrets unless the reader asked to decrypt. */
  value: string;
  secret: boolean;
  /** True when `value` is ciphertext. */
  encrypted: boolean;
  scope: string;
  /** Owner of a user-scoped pair. */
  user?: string;
  /** ISO-8601 UTC with microseconds, as st2 formats it; only for pairs with a TTL. */
  expire_timestamp?: string;
}

/** Presents a stored entry; pass `plaintext` to show a secret decrypted. */
export function presentPair(entry: KvEntry, plaintext?: string): KeyValuePair {
  const pair: KeyValuePair = {
    uid: `key_value_pair:${entry.scope}:${entry.name}`,
    name: entry.name,
    value: plaintext ?? entry.value,
    secret: entry.secret,
    encrypted: entry.secret && plaintext === undefined,
    scope: entry.scope,
  };
  if (entry.scope === FULL_USER_SCOPE) {
    const { user, name } = splitUserName(entry.name);
    pair.name = name;
    pair.user = user;
  }
  if (entry.expiresAt !== null) pair.expire_timestamp = isoMicros(entry.expiresAt);
  return pair;
}

/** `2024-05-01T12:00:00.123000Z`: st2's isotime.format(offset=False) of a stored datetime. */
export function isoMicros(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}
