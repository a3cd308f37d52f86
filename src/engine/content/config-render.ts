/**
 * Pack config values as actions and sensors receive them (`self.config`, `ctx.config`), with
 * StackStorm's dynamic values rendered (ContentPackConfigLoader, st2common/util/config_loader.py):
 * a config value holding `{{`/`{%` is a Jinja template over the datastore (`st2kv.system.x`,
 * `st2kv.user.x`, and the bare `system.x` / `user.x`), rendered to text for the user the
 * action runs as (sensors: the system user). As in StackStorm:
 * - nested objects and arrays are walked, with the schema item found through `properties`,
 *   `patternProperties`, `additionalProperties`, `items` and `additionalItems`;
 * - a value that renders to "" becomes null;
 * - an item marked `secret: true` in the config schema is decrypted after rendering (its datastore
 *   key holds ciphertext), unless the template already decrypts with `decrypt_kv`;
 * - schema defaults are not applied to rendered values (the stored config already holds them).
 *
 * Values that are secret (schema `secret: true`, or rendered through `decrypt_kv`) are registered
 * with the node's SecretRegistry so logs, output and results mask them. Registrations follow the
 * config: the set kept for one pack and user is replaced on each load, so it never grows.
 */

import type { ParameterSpec } from "../../core/content/model.ts";
import { assignDefaults } from "../../core/content/param-schema.ts";
import { RenderError } from "../../core/errors.ts";
import type { TemplateEngine } from "../../core/expr/template.ts";
import {
  DEFAULT_SYSTEM_USER,
  datastoreContext,
  datastoreReferences,
  type KvScope,
} from "../../core/params/index.ts";
import type { SecretRegistry } from "../logger.ts";
import type { PackConfigLoader } from "../python/pack-config.ts";
import { prefetch } from "../services/parameters.ts";
import type { ContentStore, KeyValueStore } from "../store/contract.ts";

export interface ConfigRenderDeps {
  content: Pick<ContentStore, "getConfig" | "getConfigSchema">;
  kv: KeyValueStore;
  engine: TemplateEngine;
  /** Decrypts datastore ciphertext (for `secret: true` items); absent when there is no key. */
  decrypt?: (ciphertext: string) => string;
  secrets?: Pick<SecretRegistry, "add" | "remove">;
  /** Whose user scope a load without a user reads (sensors); default `stanley`. */
  systemUser?: string;
}

type Schema = Record<string, unknown>;

interface TemplateLeaf {
  /** Dotted key, for error messages (`auth.token`, `hosts.0`). */
  key: string;
  template: string;
  schema: Schema;
  set(value: unknown): void;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isTemplate = (v: unknown): v is string =>
  typeof v === "string" && (v.includes("{{") || v.includes("{%"));

/** The schema of each key of an object: `properties`, then matching patterns, then additional. */
function propertySchema(objectSchema: Schema, key: string): Schema {
  const properties = isRecord(objectSchema.properties) ? objectSchema.properties : {};
  const own = properties[key];
  if (isRecord(own)) return own;
  if (Object.hasOwn(properties, key)) return {};
  const patterns = isRecord(objectSchema.patternProperties) ? objectSchema.patternProperties : {};
  let composed: Schema | null = null;
  for (const [pattern, spec] of Object.entries(patterns)) {
    let matches = false;
    try {
      matches = new RegExp(pattern, "u").test(key);
    } catch {
      matches = false;
    }
    if (matches && isRecord(spec)) composed = { ...(composed ?? {}), ...spec };
  }
  if (composed) return composed;
  return isRecord(objectSchema.additionalProperties) ? objectSchema.additionalProperties : {};
}

function itemSchema(arraySchema: Schema, index: number): Schema {
  const items = arraySchema.items;
  if (isRecord(items)) return items;
  if (Array.isArray(items) && index < items.length) {
    const spec = items[index];
    return isRecord(spec) ? spec : {};
  }
  return isRecord(arraySchema.additionalItems) ? arraySchema.additionalItems : {};
}

interface Walk {
  leaves: TemplateLeaf[];
  /** Plain (non-template) values whose schema item is secret. */
  staticSecrets: string[];
}

function childKey(key: string, name: string | number): string {
  return key === "" ? String(name) : `${key}.${name}`;
}

function walk(value: unknown, schema: Schema, key: string, set: (v: unknown) => void, out: Walk) {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++)
      walk(value[i], itemSchema(schema, i), childKey(key, i), (v) => (value[i] = v), out);
  } else if (isRecord(value)) {
    for (const [name, item] of Object.entries(value))
      walk(item, propertySchema(schema, name), childKey(key, name), (v) => (value[name] = v), out);
  } else if (isTemplate(value)) {
    out.leaves.push({ key, template: value, schema, set });
  } else if (schema.secret === true && typeof value === "string") {
    out.staticSecrets.push(value);
  }
}

/** Bare `system.x` / `user.x` (StackStorm also puts the scopes at the top of the context). */
const BARE = /(?<![\w.'"\]])(system|user)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g;
const BARE_MENTION = /(?<![\w.'"\]])(system|user)\b/g;

function references(templates: string[]): Array<{ scope: KvScope; prefix: string }> {
  const found = new Map<string, { scope: KvScope; prefix: string }>();
  for (const ref of datastoreReferences({ templates }, {}))
    found.set(`${ref.scope}\u0000${ref.prefix}`, ref);
  for (const text of templates) {
    const withoutSt2kv = text.replace(/\bst2kv\s*\.\s*(system|user)/g, "");
    let named = 0;
    for (const m of withoutSt2kv.matchAll(BARE)) {
      named++;
      const scope = m[1] as KvScope;
      found.set(`${scope}\u0000${m[2]}`, { scope, prefix: m[2] ?? "" });
    }
    const mentions = [...withoutSt2kv.matchAll(BARE_MENTION)];
    // A scope used some other way (`system['a']`): read it whole.
    if (mentions.length > named)
      for (const m of mentions) {
        const scope = m[1] as KvScope;
        found.set(`${scope}\u0000`, { scope, prefix: "" });
      }
  }
  return [...found.values()];
}

export function createRenderingConfigLoader(deps: ConfigRenderDeps): PackConfigLoader {
  const systemUser = deps.systemUser ?? DEFAULT_SYSTEM_USER;
  /** Secret values registered for each pack and user, replaced on each load. */
  const registered = new Map<string, Set<string>>();

  function register(slot: string, values: Set<string>): void {
    const secrets = deps.secrets;
    if (!secrets) return;
    const before = registered.get(slot) ?? new Set<string>();
    for (const v of values) if (!before.has(v)) secrets.add(v);
    for (const v of before) if (!values.has(v)) secrets.remove(v);
    if (values.size > 0) registered.set(slot, values);
    else registered.delete(slot);
  }

  async function render(pack: string, user: string, leaves: TemplateLeaf[], out: Set<string>) {
    const snapshot = await prefetch(deps.kv, references(leaves.map((l) => l.template)), user);
    const st2kv = datastoreContext((scope, name) => snapshot.get(`${scope}\u0000${name}`), user);
    const context = { st2kv, system: st2kv.system, user: st2kv.user };
    for (const leaf of leaves) {
      const usesDecryptKv = leaf.template.includes("decrypt_kv");
      let text: string;
      try {
        text = deps.engine.render(leaf.template, context);
      } catch (err) {
        throw new RenderError(
          `Failed to render dynamic configuration value for key "${leaf.key}" with value "${leaf.template}" for pack "${pack}" config: ${(err as Error).message}`,
        );
      }
      if (text !== "" && leaf.schema.secret === true && !usesDecryptKv)
        text = decryptItem(pack, leaf.key, text);
      if (text !== "" && (leaf.schema.secret === true || usesDecryptKv)) out.add(text);
      leaf.set(text === "" ? null : text);
    }
  }

  function decryptItem(pack: string, key: string, ciphertext: string): string {
    if (!deps.decrypt)
      throw new RenderError(
        `pack "${pack}" config key "${key}" is secret, but this node has no datastore key to decrypt it with`,
      );
    try {
      return deps.decrypt(ciphertext);
    } catch (err) {
      throw new RenderError(
        `pack "${pack}" config key "${key}" is secret, but its datastore value could not be decrypted (was it stored with --encrypt?): ${(err as Error).message}`,
      );
    }
  }

  return async (pack, user) => {
    const as = user && user !== "" ? user : systemUser;
    const [stored, schemaDef] = await Promise.all([
      deps.content.getConfig(pack),
      deps.content.getConfigSchema(pack),
    ]);
    if (!stored && !schemaDef) {
      // Nothing to render or default (most packs): what the full path below ends with.
      if (registered.size > 0) register(`${pack}\u0000${as}`, new Set());
      return {};
    }
    const schema: Schema = { type: "object", properties: schemaDef?.attributes ?? {} };
    const values: Record<string, unknown> = stored
      ? structuredClone(stored.values)
      : schemaDef
        ? assignDefaults<Record<string, unknown>>({}, schema as ParameterSpec)
        : {};
    const found: Walk = { leaves: [], staticSecrets: [] };
    walk(values, schema, "", () => undefined, found);
    const secrets = new Set(found.staticSecrets.filter((s) => s !== ""));
    if (found.leaves.length > 0) await render(pack, as, found.leaves, secrets);
    register(`${pack}\u0000${as}`, secrets);
    return values;
  };
}
