/**
 * The datastore as pack code sees it, over Squall's REST API (`/api/v1/keys`) with the token
 * Squall handed the process. Semantics follow StackStorm's datastore service, as the Python
 * shim does: `local: true` (the default) keeps keys in a namespace private to the pack and
 * class, `<pack>.<ClassName>:<name>`; a missing key reads as null.
 */

export type DatastoreScope = "system" | "user" | "st2kv.system" | "st2kv.user";

export interface KeyValuePair {
  name: string;
  value: string;
  scope?: string;
  secret?: boolean;
  expire_timestamp?: string | null;
}

export interface Datastore {
  get(
    name: string,
    options?: { local?: boolean; scope?: DatastoreScope; decrypt?: boolean },
  ): Promise<string | null>;
  set(
    name: string,
    value: unknown,
    options?: { ttl?: number; local?: boolean; scope?: DatastoreScope; encrypt?: boolean },
  ): Promise<void>;
  list(options?: {
    local?: boolean;
    prefix?: string;
    scope?: DatastoreScope;
  }): Promise<KeyValuePair[]>;
  /** True when the key existed and is gone. */
  delete(name: string, options?: { local?: boolean; scope?: DatastoreScope }): Promise<boolean>;
}

/** An API call answered with an unexpected status, or could not be made. */
export class DatastoreError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "DatastoreError";
  }
}

const PAGE_SIZE = 1000;

export function createDatastore(options: {
  apiUrl: string;
  token: string;
  pack: string;
  className: string;
}): Datastore {
  const base = options.apiUrl.replace(/\/+$/, "");
  const localPrefix = `${options.pack}.${options.className}:`;
  const fullName = (name: string, local = true) => (local ? localPrefix + name : name);

  async function request(
    method: string,
    path: string,
    query: Record<string, string>,
    body?: unknown,
  ) {
    if (!base) throw new DatastoreError("no API URL was given to this process");
    const qs = new URLSearchParams(query).toString();
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (options.token) headers["x-auth-token"] = options.token;
    let response: Response;
    try {
      response = await fetch(`${base}${path}${qs ? `?${qs}` : ""}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new DatastoreError(`${method} ${path} failed: ${(err as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) {
      let reason = text;
      try {
        const parsed = JSON.parse(text) as { faultstring?: string; message?: string };
        reason = parsed.faultstring ?? parsed.message ?? text;
      } catch {
        // Not JSON: keep the raw text.
      }
      throw new DatastoreError(
        `${method} ${path} failed with HTTP ${response.status}: ${reason}`,
        response.status,
      );
    }
    return text ? (JSON.parse(text) as unknown) : null;
  }

  const keyPath = (name: string) => `/keys/${encodeURIComponent(name)}`;

  return {
    async get(name, o = {}) {
      try {
        const pair = (await request("GET", keyPath(fullName(name, o.local)), {
          scope: o.scope ?? "system",
          decrypt: o.decrypt ? "true" : "false",
        })) as KeyValuePair | null;
        return pair && typeof pair.value === "string" ? pair.value : null;
      } catch (err) {
        if (err instanceof DatastoreError && err.status === 404) return null;
        throw err;
      }
    },
    async set(name, value, o = {}) {
      const key = fullName(name, o.local);
      const body: Record<string, unknown> = {
        name: key,
        value: typeof value === "string" ? value : JSON.stringify(value),
        scope: o.scope ?? "system",
      };
      if (o.encrypt) body.secret = true;
      if (o.ttl) body.ttl = Math.trunc(o.ttl);
      await request("PUT", keyPath(key), {}, body);
    },
    async list(o = {}) {
      const local = o.local ?? true;
      const prefix = local ? localPrefix + (o.prefix ?? "") : o.prefix;
      const out: KeyValuePair[] = [];
      for (let offset = 0; ; offset += PAGE_SIZE) {
        const query: Record<string, string> = {
          scope: o.scope ?? "system",
          limit: String(PAGE_SIZE),
          offset: String(offset),
        };
        if (prefix) query.prefix = prefix;
        const page = await request("GET", "/keys", query);
        if (!Array.isArray(page)) throw new DatastoreError("GET /keys did not answer with a list");
        out.push(...(page as KeyValuePair[]));
        if (page.length < PAGE_SIZE) return out;
      }
    },
    async delete(name, o = {}) {
      try {
        await request("DELETE", keyPath(fullName(name, o.local)), { scope: o.scope ?? "system" });
        return true;
      } catch (err) {
        if (err instanceof DatastoreError && err.status === 404) return false;
        throw err;
      }
    },
  };
}
