/**
 * Starts `squall up` as a real child process on a free loopback port with its own data
 * directory, for integration tests that need the whole server (and for killing it with -9).
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";

const ROOT = new URL("../..", import.meta.url).pathname;
export const SQUALL_BIN = join(ROOT, "bin", "squall.js");

export interface SquallProcess {
  url: string;
  home: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Authentication is on by default, so the helpers log in as the administrator the node created
 * in its home (the credentials file), like the local CLI does. Homes by node URL, tokens by URL.
 */
const homesByUrl = new Map<string, string>();
const tokensByUrl = new Map<string, Promise<string | undefined>>();

/** The Squall home of a node started here, by its URL (for the CLI's automatic login). */
export function homeOf(url: string): string | undefined {
  return homesByUrl.get(url);
}

/** The administrator credentials a node wrote on first start; null when there are none. */
export function adminCredentials(home: string): { username: string; password: string } | null {
  const file = join(home, "credentials");
  if (!existsSync(file)) return null;
  const text = readFileSync(file, "utf8");
  const username = /^username\s*=\s*(.+)$/m.exec(text)?.[1]?.trim();
  const password = /^password\s*=\s*(.+)$/m.exec(text)?.[1]?.trim();
  return username && password ? { username, password } : null;
}

async function login(base: string): Promise<string | undefined> {
  const home = homesByUrl.get(base);
  const credentials = home ? adminCredentials(home) : null;
  if (!credentials) return undefined;
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
  const res = await fetch(`${base}/auth/v1/tokens`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}` },
  });
  if (res.status !== 201)
    throw new Error(`test login failed: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** Headers that authenticate as the node's administrator (empty when auth is off). */
export async function authHeaders(base: string): Promise<Record<string, string>> {
  let pending = tokensByUrl.get(base);
  if (!pending) {
    pending = login(base);
    tokensByUrl.set(base, pending);
    pending.catch(() => tokensByUrl.delete(base));
  }
  const token = await pending;
  return token === undefined ? {} : { "x-auth-token": token };
}

export function makeHome(prefix = "squall-test-"): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/**
 * One `squall up` in a fresh home shared by the tests of the enclosing describe block: started
 * in its before() hook, stopped (SIGTERM) and its home removed in its after() hook.
 */
export function useSquallNode(env: Record<string, string> = {}): { readonly node: SquallProcess } {
  let node: SquallProcess | undefined;
  let cleanup = (): void => {};
  before(async () => {
    const home = makeHome();
    cleanup = home.cleanup;
    node = await startSquall(home.home, env);
  });
  after(async () => {
    await node?.kill("SIGTERM");
    cleanup();
  });
  return {
    get node(): SquallProcess {
      if (!node) throw new Error("the squall node is used before its before() hook ran");
      return node;
    },
  };
}

export async function startSquall(
  home: string,
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<SquallProcess> {
  const child = spawn(
    process.execPath,
    [
      // SQUALL_PROFILE=1 (or a directory) writes the node's CPU profile there (default /tmp/prof).
      ...(process.env.SQUALL_PROFILE
        ? [
            "--cpu-prof",
            `--cpu-prof-dir=${process.env.SQUALL_PROFILE.startsWith("/") ? process.env.SQUALL_PROFILE : "/tmp/prof"}`,
          ]
        : []),
      SQUALL_BIN,
      "up",
      "--port",
      "0",
    ],
    {
      env: {
        ...process.env,
        SQUALL_HOME: home,
        SQUALL_LOG_LEVEL: "warn",
        SQUALL_NODE_ID: "test-node",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`squall up did not become ready in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const check = () => {
      const m = /Squall is up at (http:\/\/\S+?) /.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`squall up exited with ${code} before it was ready:\n${out}`));
    });
  });
  homesByUrl.set(url, home);
  tokensByUrl.delete(url);
  // Log in now, so a test's first request (or a kill timed after start-up) does not wait for it.
  await authHeaders(url).catch(() => undefined);
  return {
    url,
    home,
    child,
    output: () => out,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export async function api<T = unknown>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T; headers: Headers }> {
  const auth = await authHeaders(base);
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: body === undefined ? auth : { ...auth, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain-text endpoints
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Polls until `check` returns a value, at most `timeoutMs` (bounded loop for integration tests). */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}
