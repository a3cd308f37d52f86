/**
 * `st2kv()` in workflow expressions. The conductor is pure and evaluates synchronously, so the
 * engine reads the pairs a workflow can name before each step (the way parameters.ts prefetches
 * for templates): keys written literally (`st2kv('system.x')`) are read one by one; a key the
 * spec computes (`st2kv(ctx().name)`) makes the engine read the whole system scope and the
 * user's part of the user scope.
 *
 * Key names follow StackStorm's st2kv function: `system.<name>` is the system scope,
 * `user.<name>` or a bare name the user scope (stored as `<user>:<name>`).
 */

import { OrquestaExpressionError } from "../../core/expr/jinja/orquesta.ts";
import { KV_SCOPES } from "../services/parameters.ts";
import { type KeyValueStore, MAX_PAGE_SIZE } from "../store/contract.ts";

export interface KvPair {
  value: string;
  secret: boolean;
}

/** Where a `st2kv()` key lives: the stored scope name and the stored key name. */
export function kvLocation(
  key: string,
  user: string,
): { scope: string; name: string; shown: string } {
  if (key.startsWith("system.")) {
    const name = key.slice("system.".length);
    return { scope: KV_SCOPES.system, name, shown: name };
  }
  const bare = key.startsWith("user.") ? key.slice("user.".length) : key;
  return { scope: KV_SCOPES.user, name: `${user}:${bare}`, shown: bare };
}

export const readKey = (scope: string, name: string) => `${scope}/${name}`;

export interface KvPlan {
  /** Literal keys (`st2kv` function arguments) found in the spec. */
  keys: string[];
  /** Whether some key is computed, so whole scopes must be read. */
  dynamic: boolean;
}

function strings(value: unknown, out: string[]): void {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
}

const LITERAL = /\bst2kv\s*\(\s*(['"])((?:(?!\1).)*)\1/g;

/** The datastore keys a workflow definition can read; null when it never calls st2kv. */
export function kvPlan(spec: Record<string, unknown>): KvPlan | null {
  const texts: string[] = [];
  strings(spec, texts);
  const keys = new Set<string>();
  let dynamic = false;
  let mentioned = false;
  for (const text of texts) {
    if (!text.includes("st2kv")) continue;
    mentioned = true;
    let literal = 0;
    for (const m of text.matchAll(LITERAL)) {
      literal++;
      keys.add(m[2] as string);
    }
    if ((text.match(/\bst2kv\b/g)?.length ?? 0) > literal) dynamic = true;
  }
  return mentioned ? { keys: [...keys], dynamic } : null;
}

/** Reads what `plan` may need, as a map by `readKey`. */
export async function prefetchKv(
  kv: KeyValueStore,
  plan: KvPlan,
  user: string,
): Promise<Map<string, KvPair>> {
  const out = new Map<string, KvPair>();
  for (const key of plan.keys) {
    const { scope, name } = kvLocation(key, user);
    const pair = await kv.get(scope, name);
    if (pair) out.set(readKey(scope, name), pair);
  }
  if (plan.dynamic) {
    for (const [scope, prefix] of [
      [KV_SCOPES.system, ""],
      [KV_SCOPES.user, `${user}:`],
    ] as const) {
      for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
        const page = await kv.list(scope, { prefix, limit: MAX_PAGE_SIZE, offset });
        for (const item of page.items)
          out.set(readKey(scope, item.name), { value: item.value, secret: item.secret });
        if (page.items.length < MAX_PAGE_SIZE) break;
      }
    }
  }
  return out;
}

/**
 * The `st2kv` callback over a source of pairs: the prefetched map when live, the event's own
 * recorded reads when replaying. Every pair read is reported to `onRead` for the event.
 */
export function st2kvLookup(
  source: (readKey: string) => KvPair | undefined,
  onRead: (readKey: string, pair: KvPair) => void,
  user: () => string,
  decrypt: ((ciphertext: string) => string) | undefined,
): (key: string, decrypt: boolean) => unknown {
  return (key, wantClear) => {
    if (typeof key !== "string")
      throw new OrquestaExpressionError("TypeError", "Given key is not typeof string.");
    const { scope, name, shown } = kvLocation(key, user());
    const id = readKey(scope, name);
    const pair = source(id);
    if (!pair) {
      throw new OrquestaExpressionError(
        "ExpressionEvaluationException",
        `The key "${shown}" does not exist in the StackStorm datastore.`,
      );
    }
    onRead(id, pair);
    if (!pair.secret || !wantClear) return pair.value;
    if (!decrypt)
      throw new OrquestaExpressionError(
        "ExpressionEvaluationException",
        `The key "${shown}" is secret and this node has no datastore key to decrypt it.`,
      );
    return decrypt(pair.value);
  };
}
