/**
 * The secret values the node holds at rest (secret datastore pairs, secret pack config values),
 * added to the SecretRegistry so every log line, API response and stream event masks them,
 * including the output of actions that received them through templates (`decrypt_kv`,
 * `config_context`) without marking the parameter secret. Called at start-up and after each
 * pack registration; decrypting a datastore secret for a template registers it too (see the
 * node's wiring), which covers pairs set while the node runs.
 */

import { secretValues } from "../core/params/index.ts";
import type { SecretRegistry } from "../engine/logger.ts";
import { MAX_PAGE_SIZE, type Store } from "../engine/store/contract.ts";

const KV_SCOPES = ["st2kv.system", "st2kv.user"];

export interface StoredSecretSources {
  store: Store;
  secrets: SecretRegistry;
  /** The datastore's decrypt; null when the node has no datastore key (nothing to decrypt). */
  decrypt: ((ciphertext: string) => string) | null;
}

/** Registers every stored secret; returns how many values were added. */
export async function rememberStoredSecrets(sources: StoredSecretSources): Promise<number> {
  const { store, secrets, decrypt } = sources;
  let added = 0;
  const add = (value: string) => {
    secrets.add(value);
    added++;
  };
  if (decrypt)
    for (const scope of KV_SCOPES)
      for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
        const page = await store.kv.list(scope, { limit: MAX_PAGE_SIZE, offset });
        for (const item of page.items) {
          if (!item.secret) continue;
          try {
            add(decrypt(item.value));
          } catch {
            // A pair encrypted with another key cannot be read by templates either.
          }
        }
        if (page.items.length < MAX_PAGE_SIZE) break;
      }
  for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
    const page = await store.content.listConfigs({ limit: MAX_PAGE_SIZE, offset });
    for (const config of page.items) {
      const schema = await store.content.getConfigSchema(config.pack);
      if (!schema) continue;
      // A `{{ st2kv... }}` value is not the secret itself: the config loader registers what it
      // renders to, and masking the template text would only hide the reference.
      for (const value of secretValues(config.values, schema.attributes))
        if (!value.includes("{{")) add(value);
    }
    if (page.items.length < MAX_PAGE_SIZE) break;
  }
  return added;
}

/** A datastore decrypt that registers what it reveals, for the template engines. */
export function rememberingDecrypt(
  decrypt: (ciphertext: string) => string,
  secrets: SecretRegistry,
): (ciphertext: string) => string {
  const seen = new Set<string>();
  return (ciphertext) => {
    const value = decrypt(ciphertext);
    // Once per value: the registry counts additions, and this one is never taken back.
    if (!seen.has(value)) {
      seen.add(value);
      secrets.add(value);
    }
    return value;
  };
}
