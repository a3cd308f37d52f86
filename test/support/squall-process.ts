/**
 * Starts `squall up` as a real child process on a free loopback port with its own data
 * directory, for integration tests that need the whole server (and for killing it with -9).
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
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
      ...(process.env.SQUALL_PROFILE ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : []),
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
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
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
