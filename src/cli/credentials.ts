/**
 * How the CLI authenticates without being told: a token cached per server URL in the Squall home
 * (`<home>/cli-tokens.json`, mode 0600), renewed from the administrator credentials file the
 * server wrote on first start (`<home>/credentials`) when it is missing, expired or refused.
 * The home is SQUALL_HOME, else ~/.squall, the same default the server uses.
 */

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

export interface Credentials {
  username: string;
  password: string;
}

export interface TokenAnswer {
  id?: string;
  user: string;
  token: string;
  expiry: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function cliHome(env: Env): string {
  const home = env.SQUALL_HOME?.trim();
  return home ? resolve(home) : join(homedir(), ".squall");
}

export function credentialsPath(env: Env): string {
  const p = env.SQUALL_CREDENTIALS_PATH?.trim();
  return p ? resolve(p) : join(cliHome(env), "credentials");
}

export function tokenCachePath(env: Env): string {
  return join(cliHome(env), "cli-tokens.json");
}

/** `[credentials]` username/password (st2's CLI config section); null when absent or incomplete. */
export function readCredentials(path: string): Credentials | null {
  if (!existsSync(path)) return null;
  let section = "";
  const values: Record<string, string> = {};
  for (const raw of readFileSync(path, "utf8").split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1] ?? "";
    else if (section === "credentials" && line.includes("="))
      values[line.slice(0, line.indexOf("=")).trim()] = line.slice(line.indexOf("=") + 1).trim();
  }
  return values.username && values.password !== undefined
    ? { username: values.username, password: values.password }
    : null;
}

type Cache = Record<string, { token: string; user: string; expiry: string }>;

function readCache(path: string): Cache {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return parsed !== null && typeof parsed === "object" ? (parsed as Cache) : {};
  } catch {
    return {};
  }
}

/** The cached token for `url`, unless it expires within a minute. */
export function cachedToken(path: string, url: string, now = Date.now()): string | undefined {
  const entry = readCache(path)[url];
  if (!entry || typeof entry.token !== "string") return undefined;
  return Date.parse(entry.expiry) - now > 60_000 ? entry.token : undefined;
}

export function storeToken(path: string, url: string, answer: TokenAnswer): void {
  const cache = readCache(path);
  cache[url] = { token: answer.token, user: answer.user, expiry: answer.expiry };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(cache, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function forgetToken(path: string, url: string): void {
  const cache = readCache(path);
  if (!(url in cache)) return;
  delete cache[url];
  writeFileSync(path, `${JSON.stringify(cache, null, 2)}\n`, { mode: 0o600 });
}

/** Thrown by `requestToken` when the server refuses the credentials. */
export class LoginRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly faultstring: string,
  ) {
    super(faultstring);
  }
}

/** `POST /auth/v1/tokens` with Basic credentials. */
export async function requestToken(
  url: string,
  credentials: Credentials,
  ttlSeconds?: number,
): Promise<TokenAnswer> {
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
  const res = await fetch(`${url}/auth/v1/tokens`, {
    method: "POST",
    headers: {
      authorization: `Basic ${basic}`,
      accept: "application/json",
      ...(ttlSeconds !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(ttlSeconds !== undefined ? { body: JSON.stringify({ ttl: ttlSeconds }) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const record = json !== null && typeof json === "object" ? (json as Record<string, unknown>) : {};
  if (!res.ok)
    throw new LoginRefusedError(
      res.status,
      typeof record.faultstring === "string" ? record.faultstring : text || res.statusText,
    );
  if (typeof record.token !== "string" || typeof record.expiry !== "string")
    throw new LoginRefusedError(res.status, "the server's token answer has no token");
  return record as unknown as TokenAnswer;
}

/** The automatic login: cached token first, then the credentials file. */
export class TokenSession {
  constructor(
    private readonly url: string,
    private readonly env: Env,
  ) {}

  current(): string | undefined {
    return cachedToken(tokenCachePath(this.env), this.url);
  }

  /** Logs in again with the credentials file; undefined when there is none to use. */
  async renew(): Promise<string | undefined> {
    const credentials = readCredentials(credentialsPath(this.env));
    if (!credentials) return undefined;
    let answer: TokenAnswer;
    try {
      answer = await requestToken(this.url, credentials);
    } catch (err) {
      // Wrong password in the file, or a server without /auth: carry on unauthenticated.
      if (err instanceof LoginRefusedError) return undefined;
      throw err;
    }
    try {
      storeToken(tokenCachePath(this.env), this.url, answer);
    } catch {
      // A read-only home only costs a login per command.
    }
    return answer.token;
  }
}
