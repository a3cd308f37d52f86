/**
 * A read-through cache over the content store for the lookups every execution makes (its
 * action, runner, pack and config) several times on its way through the engine. Content
 * changes only through registration and the API, both of which write through this same
 * object, so any write simply empties the cache.
 *
 * (With several nodes on PostgreSQL, registration on one node must invalidate the others:
 * that arrives with the PostgreSQL backend's change notifications.)
 */

import type { ContentStore } from "./contract.ts";

type Getter =
  | "getAction"
  | "getRunnerType"
  | "getPack"
  | "getConfig"
  | "getConfigSchema"
  | "getTriggerType"
  | "getRule";
const CACHED: readonly Getter[] = [
  "getAction",
  "getRunnerType",
  "getPack",
  "getConfig",
  "getConfigSchema",
  "getTriggerType",
  "getRule",
];

export function withContentCache(content: ContentStore): ContentStore {
  const caches = new Map<string, Map<string, Promise<unknown>>>(CACHED.map((g) => [g, new Map()]));
  const clear = () => {
    for (const c of caches.values()) c.clear();
  };
  return new Proxy(content, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      const cache = typeof name === "string" ? caches.get(name) : undefined;
      if (cache)
        return (key: string) => {
          let hit = cache.get(key);
          if (!hit) {
            hit = method.call(target, key);
            cache.set(key, hit);
            // A failed read is not remembered.
            hit.catch(() => cache.delete(key));
          }
          return hit;
        };
      if (
        typeof name === "string" &&
        (name.startsWith("upsert") || name.startsWith("prune") || name.startsWith("delete"))
      )
        return async (...args: unknown[]) => {
          try {
            return await method.apply(target, args);
          } finally {
            clear();
          }
        };
      return method.bind(target);
    },
  });
}
