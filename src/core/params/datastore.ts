/**
 * The `st2kv` template context, kept pure: rendering reads keys through a synchronous lookup
 * that the engine backs with values it prefetched (see `datastoreReferences`).
 *
 * Mirrors StackStorm's KeyValueLookup/UserKeyValueLookup (st2common/services/keyvalues.py):
 * `st2kv.system.a.b` looks up key `a`, then key `a.b`, and prints the value of the last one; a
 * missing key prints as the empty string. User-scope keys are stored as `<user>:<name>`, and the
 * lookup receives that stored name.
 */

import { RenderError } from "../errors.ts";
import { TemplateProxy } from "../expr/template.ts";
import { containsTemplate } from "./templates.ts";

export type KvScope = "system" | "user";

/** Returns the stored value of `name` in `scope`, or undefined when there is no such key. */
export type KvLookup = (scope: KvScope, name: string) => string | undefined;

class KeyValueProxy extends TemplateProxy {
  constructor(
    private readonly scope: KvScope,
    private readonly user: string,
    private readonly keyPrefix: string,
    private readonly cache: Map<string, string>,
    private readonly lookup: KvLookup,
  ) {
    super();
  }

  attr(name: string): unknown {
    let key: string;
    if (this.keyPrefix !== "") key = `${this.keyPrefix}.${name}`;
    else key = this.scope === "user" ? `${this.user}:${name}` : name;
    if (!this.cache.has(key)) this.cache.set(key, this.lookup(this.scope, key) ?? "");
    return new KeyValueProxy(this.scope, this.user, key, this.cache, this.lookup);
  }

  str(): string {
    const value = this.cache.get(this.keyPrefix);
    if (value === undefined) {
      throw new RenderError(
        `st2kv.${this.scope} is a scope, not a key; name a key such as st2kv.${this.scope}.foo`,
      );
    }
    return value;
  }
}

/** The `st2kv` context value: `{ system, user }` lookups. */
export function datastoreContext(lookup: KvLookup, user: string): Record<KvScope, TemplateProxy> {
  const cache = new Map<string, string>();
  return {
    system: new KeyValueProxy("system", user, "", cache, lookup),
    user: new KeyValueProxy("user", user, "", cache, lookup),
  };
}

/**
 * Whose user scope `st2kv.user` reads: `api_user` if the action context has one, else `user`,
 * else the system user (StackStorm's `_create_graph`).
 */
export function datastoreUser(
  actionContext: Readonly<Record<string, unknown>>,
  systemUser: string,
): string {
  return nonEmpty(actionContext.api_user) ?? nonEmpty(actionContext.user) ?? systemUser;
}

function nonEmpty(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

const REFERENCE =
  /\bst2kv\s*(?:\.\s*(system|user)|\[\s*(['"])(system|user)\2\s*\])(?:\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)|\s*\[\s*(['"])(.*?)\5\s*\])?/g;

function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      collectStrings(v, out);
    }
  }
}

function addReference(
  found: Map<string, { scope: KvScope; prefix: string }>,
  scope: KvScope,
  prefix: string,
): void {
  found.set(`${scope}\u0000${prefix}`, { scope, prefix });
}

/**
 * The datastore keys the templates among `values` and the schema's defaults may read, so the
 * engine can prefetch them. `prefix` is the first key segment (`st2kv.system.foo.bar` → `foo`,
 * which covers both `foo` and `foo.bar`); user-scope prefixes are bare names, to be combined with
 * `datastoreUser`. A lookup the scan cannot pin down (a computed key, or `st2kv` used whole)
 * yields prefix "" for that scope, meaning "the whole scope", or for both scopes.
 */
export function datastoreReferences(
  values: Readonly<Record<string, unknown>>,
  schema: Readonly<Record<string, { default?: unknown } | undefined>>,
): Array<{ scope: KvScope; prefix: string }> {
  const texts: string[] = [];
  collectStrings(values, texts);
  for (const spec of Object.values(schema)) collectStrings(spec?.default, texts);
  const found = new Map<string, { scope: KvScope; prefix: string }>();
  for (const text of texts) {
    if (!containsTemplate(text) || !text.includes("st2kv")) continue;
    let named = 0;
    for (const m of text.matchAll(REFERENCE)) {
      named++;
      const scope = (m[1] ?? m[3]) as KvScope;
      const key = m[4] ?? m[6];
      addReference(found, scope, key === undefined ? "" : (key.split(".")[0] ?? ""));
    }
    const mentions = text.match(/\bst2kv\b/g)?.length ?? 0;
    if (mentions > named) {
      addReference(found, "system", "");
      addReference(found, "user", "");
    }
  }
  return [...found.values()];
}
