/**
 * The datastore with StackStorm's semantics: scopes, per-user keys, TTLs, secrets encrypted with
 * the datastore key, and the `core.st2.key_value_pair.*` triggers every change emits.
 *
 * A change and its trigger instances commit in one transaction (`reactor.commit`), so a rule
 * never misses a change that happened and never fires for one that was rolled back.
 */

import { NotFoundError, ValidationError } from "../../core/errors.ts";
import type { KeyValueStore, KvEntry, PageResult } from "../store/contract.ts";
import type { ReactorStore, WriteOp } from "../store/reactor-contract.ts";
import {
  DatastoreCryptoError,
  type DatastoreKey,
  symmetricDecrypt,
  symmetricEncrypt,
} from "./crypto.ts";
import { type KeyValuePair, presentPair } from "./model.ts";
import {
  ALL_SCOPE,
  FULL_SYSTEM_SCOPE,
  FULL_USER_SCOPE,
  listScope,
  type StoredScope,
  storedName,
  storedScope,
} from "./scope.ts";

export const KV_TRIGGERS = {
  create: "core.st2.key_value_pair.create",
  update: "core.st2.key_value_pair.update",
  valueChange: "core.st2.key_value_pair.value_change",
  delete: "core.st2.key_value_pair.delete",
} as const;

/**
 * Builds the write operations that record one trigger instance (and queue its processing).
 * `traceTag` is undefined when the change belongs to no trace yet; the builder then starts one.
 */
export type InstanceOps = (
  triggerRef: string,
  payload: Record<string, unknown>,
  traceTag: string | undefined,
) => WriteOp[];

export interface DatastoreServiceOptions {
  store: { kv: KeyValueStore; reactor: Pick<ReactorStore, "commit"> };
  /** Null when no key is available: secrets are then refused, plain values still work. */
  key: DatastoreKey | null;
  /** Where the key was expected, for the error that says secrets are unavailable. */
  keyPath?: string;
  instanceOps: InstanceOps;
  /** The requester when a call names none (StackStorm's `system_user`, `stanley`). */
  systemUser: string;
  /** ms since the epoch; must be the store's clock, which decides when a TTL has passed. */
  now?: () => number;
}

/** Who is asking and for whose user scope. `user` defaults to `requester`. */
interface Addressing {
  scope?: string;
  user?: string;
  requester?: string;
}

export interface GetOptions extends Addressing {
  decrypt?: boolean;
}

export interface ListOptions extends GetOptions {
  prefix?: string;
  limit?: number;
  offset?: number;
}

export interface SetRequest extends Addressing {
  value: string;
  /** Encrypt `value` before storing it. */
  secret?: boolean;
  /** `value` is already ciphertext made with this datastore's key: store it as it is. */
  encrypted?: boolean;
  /** Seconds until the pair disappears; 0 or absent keeps it. */
  ttl?: number;
  traceTag?: string;
}

export interface DeleteOptions extends Addressing {
  traceTag?: string;
}

export class DatastoreService {
  readonly #kv: KeyValueStore;
  readonly #reactor: Pick<ReactorStore, "commit">;
  readonly #now: () => number;
  /** Per-key queue: read-then-commit must not interleave, or both writers would see "create". */
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(private readonly options: DatastoreServiceOptions) {
    this.#kv = options.store.kv;
    this.#reactor = options.store.reactor;
    this.#now = options.now ?? Date.now;
  }

  /** Decrypts a secret's stored value; for the `decrypt_kv` template filter. */
  readonly decrypt = (ciphertext: string): string =>
    symmetricDecrypt(this.#requireKey("a datastore value"), ciphertext);

  async get(name: string, options: GetOptions = {}): Promise<KeyValuePair> {
    const scope = storedScope(options.user ? FULL_USER_SCOPE : options.scope);
    const stored = storedName(scope, requireName(name), this.#user(options));
    const entry = await this.#kv.getEntry(scope, stored);
    if (!entry) throw keyNotFound(name, scope);
    return this.#present(entry, options.decrypt === true);
  }

  /**
   * Lists pairs in name order. Scope `all` is the system pairs followed by the user's own,
   * paged as one sequence (st2 pages each half separately, returning up to twice `limit`).
   */
  async list(options: ListOptions = {}): Promise<PageResult<KeyValuePair>> {
    const scope = options.user ? FULL_USER_SCOPE : listScope(options.scope);
    const prefix = options.prefix ?? "";
    const user = this.#user(options);
    const limit = options.limit ?? 50;
    const offset = options.offset ?? 0;
    const decrypt = options.decrypt === true;
    const userPrefix = () => storedName(FULL_USER_SCOPE, prefix, user);

    if (scope !== ALL_SCOPE) {
      const page = await this.#kv.listEntries(scope, {
        prefix: scope === FULL_USER_SCOPE ? userPrefix() : prefix,
        limit,
        offset,
      });
      return { items: page.items.map((e) => this.#present(e, decrypt)), total: page.total };
    }
    const system = await this.#kv.listEntries(FULL_SYSTEM_SCOPE, { prefix, limit, offset });
    const remaining = limit - system.items.length;
    const users = await this.#kv.listEntries(FULL_USER_SCOPE, {
      prefix: userPrefix(),
      limit: Math.max(remaining, 1),
      offset: Math.max(offset - system.total, 0),
    });
    const items = [...system.items, ...(remaining > 0 ? users.items : [])];
    return {
      items: items.map((e) => this.#present(e, decrypt)),
      total: system.total + users.total,
    };
  }

  /** Creates or replaces a pair; emits create or update, and value_change when the value differs. */
  async set(name: string, request: SetRequest): Promise<KeyValuePair> {
    requireName(name);
    if (typeof request.value !== "string") {
      throw new ValidationError(`value of key "${name}" must be a string`, { field: "value" });
    }
    const scope = storedScope(request.scope);
    const stored = storedName(scope, name, this.#user(request));
    const expiresAt = this.#expiry(request.ttl);
    const secret = request.secret === true || request.encrypted === true;
    const value = this.#storedValue(name, request);

    return this.#serialize(scope, stored, async () => {
      const before = await this.#kv.getEntry(scope, stored);
      const after: KvEntry = { scope, name: stored, value, secret, expiresAt };
      const object = presentPair(after);
      const ops: WriteOp[] = [
        { op: "kv.set", scope, name: stored, value, secret, expiresAt },
        ...this.#instance(before ? "update" : "create", { object }, request.traceTag),
      ];
      if (before && before.value !== value) {
        const payload = { old_object: presentPair(before), new_object: object };
        ops.push(...this.#instance("valueChange", payload, request.traceTag));
      }
      await this.#reactor.commit(ops);
      return object;
    });
  }

  /** Deletes a pair and emits the delete trigger with the pair as it was (value masked). */
  async delete(name: string, options: DeleteOptions = {}): Promise<KeyValuePair> {
    const scope = storedScope(options.scope);
    const stored = storedName(scope, requireName(name), this.#user(options));
    return this.#serialize(scope, stored, async () => {
      const before = await this.#kv.getEntry(scope, stored);
      if (!before) throw keyNotFound(name, scope);
      const object = presentPair(before);
      await this.#reactor.commit([
        { op: "kv.delete", scope, name: stored },
        ...this.#instance("delete", { object }, options.traceTag),
      ]);
      return object;
    });
  }

  /** Removes pairs whose TTL has passed; they are invisible already, this frees the rows. */
  async purgeExpired(): Promise<number> {
    return this.#kv.purgeExpired();
  }

  #present(entry: KvEntry, decrypt: boolean): KeyValuePair {
    if (!decrypt || !entry.secret) return presentPair(entry);
    return presentPair(entry, this.decrypt(entry.value));
  }

  #storedValue(name: string, request: SetRequest): string {
    if (request.encrypted === true) {
      // Decrypting proves the ciphertext was made with this key and is intact; storing
      // something that can never be read back would only fail later, far from the cause.
      try {
        symmetricDecrypt(this.#requireKey(`key "${name}"`), request.value);
      } catch (err) {
        if (!(err instanceof DatastoreCryptoError)) throw err;
        throw new ValidationError(
          `Failed to verify the integrity of the provided value for key "${name}". Ensure that ` +
            `the value is encrypted with the correct key and not corrupted (${err.message}).`,
          { field: "value" },
        );
      }
      return request.value;
    }
    if (request.secret === true) {
      return symmetricEncrypt(this.#requireKey(`key "${name}"`), request.value);
    }
    return request.value;
  }

  #expiry(ttl: number | undefined): number | null {
    if (ttl === undefined || ttl === 0) return null;
    if (!Number.isInteger(ttl) || ttl < 0) {
      throw new ValidationError(`ttl must be a positive whole number of seconds, got ${ttl}`, {
        field: "ttl",
      });
    }
    return this.#now() + ttl * 1000;
  }

  #instance(
    kind: keyof typeof KV_TRIGGERS,
    payload: Record<string, unknown>,
    traceTag: string | undefined,
  ): WriteOp[] {
    return this.options.instanceOps(KV_TRIGGERS[kind], payload, traceTag);
  }

  #user(addressing: Addressing): string {
    return addressing.user || addressing.requester || this.options.systemUser;
  }

  #requireKey(what: string): DatastoreKey {
    if (this.options.key) return this.options.key;
    throw new ValidationError(
      `Crypto key not found in ${this.options.keyPath ?? "the configured key path"}. ` +
        `Unable to encrypt / decrypt value for ${what}.`,
    );
  }

  async #serialize<T>(scope: StoredScope, name: string, fn: () => Promise<T>): Promise<T> {
    const lockKey = `${scope}\u0000${name}`;
    const previous = this.#locks.get(lockKey) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(lockKey, settled);
    try {
      return await run;
    } finally {
      // Forget the key once no later caller queued behind this one.
      if (this.#locks.get(lockKey) === settled) this.#locks.delete(lockKey);
    }
  }
}

function requireName(name: unknown): string {
  if (typeof name !== "string" || name === "") {
    throw new ValidationError("key name must be a non-empty string", { field: "name" });
  }
  return name;
}

function keyNotFound(name: string, scope: StoredScope): NotFoundError {
  return new NotFoundError(`The key "${name}" does not exist in the datastore (scope ${scope}).`);
}
