/**
 * Authentication as st2auth and st2api do it: users log in with a password (htpasswd file) and
 * get a token with a TTL; tokens and API keys are then accepted on every request. Every
 * execution gets its own short-lived token for calls back into the API, revoked when it ends.
 */

import { randomBytes } from "node:crypto";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import { DEFAULT_SYSTEM_USER } from "../../core/params/index.ts";
import { newId } from "../ids.ts";
import { AuthenticationError } from "./errors.ts";
import type { HtpasswdFile } from "./htpasswd.ts";
import { type ApiKeyRow, type AuthStore, sha256, type TokenRow } from "./store.ts";

export interface AuthServiceOptions {
  store: AuthStore;
  users: HtpasswdFile;
  /** TTL of a token when the login does not ask for one, in seconds. */
  tokenTtlSeconds: number;
  /** Largest TTL a login may ask for, in seconds. */
  tokenMaxTtlSeconds: number;
  /** TTL of per-execution tokens, in seconds (they are revoked earlier, when the run ends). */
  executionTokenTtlSeconds: number;
  now?: () => number;
}

/** StackStorm's token shape, as `POST /auth/v1/tokens` answers it. */
export interface TokenView {
  id: string;
  user: string;
  token: string;
  expiry: string;
  metadata: Record<string, unknown>;
}

/** Who a request comes from and how they proved it (StackStorm's `auth_info`). */
export interface Principal {
  user: string;
  method: "authentication token" | "API key";
  /** Token expiry in ms, for tokens. */
  expiry?: number;
}

/** Validated tokens are remembered so the hot path (webhooks, polling) does not hit the database. */
const CACHE_LIMIT = 10_000;

/** Same message for unknown users and wrong passwords, so logins cannot probe for user names. */
export const INVALID_CREDENTIALS = "Invalid or missing credentials";

export class AuthService {
  private readonly now: () => number;
  private readonly cache = new Map<string, TokenRow>();
  /**
   * API keys found, by hash: webhooks commonly authenticate with a key, and every key change
   * goes through this object (update and delete empty it), so the hot path reads no row.
   */
  private readonly keyCache = new Map<string, ApiKeyRow>();

  constructor(private readonly options: AuthServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  get users(): HtpasswdFile {
    return this.options.users;
  }

  async login(
    user: string,
    password: string,
    ttlSeconds?: number,
    metadata: Record<string, unknown> = {},
  ): Promise<TokenView> {
    if (user === "" || !(await this.options.users.verify(user, password)))
      throw new AuthenticationError(INVALID_CREDENTIALS);
    return this.createToken(user, { ttlSeconds, metadata });
  }

  /** A new token for `user`. Service tokens (executions) may exceed the login maximum. */
  createToken(
    user: string,
    options: { ttlSeconds?: number; metadata?: Record<string, unknown>; service?: boolean } = {},
  ): TokenView {
    const { ttlSeconds, service = false } = options;
    if (ttlSeconds !== undefined) {
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
        throw new ValidationError(`ttl must be a positive integer, got ${ttlSeconds}`, {
          field: "ttl",
        });
      if (!service && ttlSeconds > this.options.tokenMaxTtlSeconds)
        throw new ValidationError(
          `TTL specified ${ttlSeconds} is greater than max allowed ${this.options.tokenMaxTtlSeconds}.`,
          { field: "ttl" },
        );
    }
    const ttl = ttlSeconds ?? this.options.tokenTtlSeconds;
    const token = randomBytes(16).toString("hex");
    const now = this.now();
    const row: TokenRow = {
      id: newId(),
      user,
      expiry: now + ttl * 1000,
      metadata: options.metadata ?? {},
      service,
    };
    this.options.store.insertToken(sha256(token), row, now);
    return {
      id: row.id,
      user,
      token,
      expiry: new Date(row.expiry).toISOString(),
      metadata: row.metadata,
    };
  }

  /** The token's owner; throws AuthenticationError saying why it is not accepted. */
  validateToken(token: string): Principal {
    const hash = sha256(token);
    let row = this.cache.get(hash) ?? null;
    if (!row) {
      row = this.options.store.findToken(hash);
      if (!row) throw new AuthenticationError("Token is not found.");
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(hash, row);
    }
    if (row.expiry <= this.now()) {
      this.cache.delete(hash);
      throw new AuthenticationError("Token has expired.");
    }
    return { user: row.user, method: "authentication token", expiry: row.expiry };
  }

  /** True when the token exists and has not expired (`POST /auth/v1/tokens/validate`). */
  isValidToken(token: string): boolean {
    try {
      this.validateToken(token);
      return true;
    } catch (err) {
      if (err instanceof AuthenticationError) return false;
      throw err;
    }
  }

  revokeToken(token: string): boolean {
    const hash = sha256(token);
    this.cache.delete(hash);
    return this.options.store.deleteToken(hash);
  }

  /** Drops expired tokens from the database; run now and then. */
  purgeExpired(): number {
    this.cache.clear();
    return this.options.store.purgeExpiredTokens(this.now());
  }

  /** The short-lived token an execution's action uses to call the API as the execution's user. */
  issueExecutionToken(execution: { id: string; context: { user?: string } }): string {
    return this.createToken(execution.context.user ?? DEFAULT_SYSTEM_USER, {
      ttlSeconds: this.options.executionTokenTtlSeconds,
      service: true,
      metadata: { execution_id: execution.id },
    }).token;
  }

  validateApiKey(key: string): Principal {
    const hash = sha256(key);
    let row = this.keyCache.get(hash) ?? null;
    if (!row) {
      row = this.options.store.apiKeyByHash(hash);
      if (!row) throw new AuthenticationError("API key is not found.");
      if (this.keyCache.size >= CACHE_LIMIT) this.keyCache.clear();
      this.keyCache.set(hash, row);
    }
    if (!row.enabled) throw new AuthenticationError("API key is disabled.");
    return { user: row.user, method: "API key" };
  }

  createApiKey(
    user: string,
    metadata: Record<string, unknown> = {},
  ): { row: ApiKeyRow; key: string } {
    const key = randomBytes(36).toString("base64url");
    const row: ApiKeyRow = {
      id: newId(),
      user,
      key_hash: sha256(key),
      metadata,
      created_at: new Date(this.now()).toISOString(),
      enabled: true,
    };
    this.options.store.insertApiKey(row);
    return { row, key };
  }

  /** By id or by the key itself, as StackStorm's `/apikeys/{api_key_id_or_key}` allows. */
  getApiKey(idOrKey: string): ApiKeyRow {
    const row =
      this.options.store.apiKeyByHash(sha256(idOrKey)) ?? this.options.store.apiKeyById(idOrKey);
    if (!row) throw new NotFoundError(`ApiKey matching ${idOrKey} for reference and id not found.`);
    return row;
  }

  listApiKeys(filter: { user?: string }, page: { limit: number; offset: number }) {
    return this.options.store.listApiKeys(filter, page);
  }

  updateApiKey(
    idOrKey: string,
    patch: { user?: string; metadata?: Record<string, unknown>; enabled?: boolean },
  ): ApiKeyRow {
    const row = { ...this.getApiKey(idOrKey) };
    if (patch.user !== undefined) row.user = patch.user;
    if (patch.metadata !== undefined) row.metadata = patch.metadata;
    if (patch.enabled !== undefined) row.enabled = patch.enabled;
    this.options.store.updateApiKey(row);
    this.keyCache.clear();
    return row;
  }

  deleteApiKey(idOrKey: string): void {
    const row = this.getApiKey(idOrKey);
    this.options.store.deleteApiKey(row.id);
    this.keyCache.clear();
  }
}
