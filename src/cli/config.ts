/**
 * Where the CLI finds the server and how it prints: resolved from global options first, then the
 * environment, then defaults. Kept apart from the commands so every command resolves it the same
 * way and the rules can be tested without a server.
 */

import { ValidationError } from "../core/errors.ts";
import { TokenSession } from "./credentials.ts";

export const DEFAULT_API_URL = "http://127.0.0.1:9101";

export type OutputFormat = "table" | "json" | "yaml";

export interface GlobalOptions {
  url?: string;
  json?: boolean;
  yaml?: boolean;
}

export interface ClientConfig {
  /** Base URL of the server, without a trailing slash and without the `/api/v1` suffix. */
  url: string;
  token?: string;
  /** Sent as St2-Api-Key (SQUALL_API_KEY). */
  apiKey?: string;
  /** Without a token or key: the cached login, renewed from the local credentials file. */
  session?: TokenSession;
}

export function resolveClientConfig(
  options: GlobalOptions,
  env: Readonly<Record<string, string | undefined>>,
): ClientConfig {
  const raw = options.url ?? nonEmpty(env.SQUALL_API_URL) ?? DEFAULT_API_URL;
  const source = options.url !== undefined ? "--url" : env.SQUALL_API_URL ? "SQUALL_API_URL" : "";
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ValidationError(`${source} is not a valid URL: "${raw}"`, { field: source });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ValidationError(`${source} must be an http:// or https:// URL, got "${raw}"`, {
      field: source,
    });
  }
  // People coming from st2 tend to paste their ST2_API_URL, which ends in /api or /api/v1; the
  // CLI adds those itself, so accept both spellings instead of producing /api/v1/api/v1 paths.
  const url = parsed.href.replace(/\/+$/, "").replace(/\/api(\/v1)?$/, "");
  const token = nonEmpty(env.SQUALL_AUTH_TOKEN);
  if (token !== undefined) return { url, token };
  const apiKey = nonEmpty(env.SQUALL_API_KEY);
  if (apiKey !== undefined) return { url, apiKey };
  return { url, session: new TokenSession(url, env) };
}

export function resolveOutputFormat(options: GlobalOptions): OutputFormat {
  if (options.json && options.yaml) {
    throw new ValidationError("choose one of --json or --yaml, not both", { field: "--json" });
  }
  if (options.json) return "json";
  if (options.yaml) return "yaml";
  return "table";
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
