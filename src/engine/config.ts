/**
 * Every setting in one table: name, environment variable, default and a one-line doc sit
 * together, so the configuration reference in docs/operations.md is generated from this file
 * (`npm run docs:config`) and can never drift from the code.
 */

import { homedir, hostname } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ValidationError } from "../core/errors.ts";

interface SettingSpec<T> {
  env: string;
  doc: string;
  /** Computed from the settings already resolved (for paths under `home`). */
  default: (s: Partial<Settings>) => T;
  parse: (raw: string, env: string) => T;
}

export interface Settings {
  home: string;
  host: string;
  port: number;
  dbPath: string;
  packsPaths: string[];
  configsDir: string;
  logLevel: string;
  nodeId: string;
  actionConcurrency: number;
  leaseMs: number;
  shutdownGraceMs: number;
  bodyLimitBytes: number;
  idempotencyWindowMs: number;
  datastoreKeyPath: string;
}

const BUNDLED_PACKS = fileURLToPath(new URL("../../packs", import.meta.url));

function int(min: number, max: number) {
  return (raw: string, env: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new ValidationError(`${env} must be an integer from ${min} to ${max}, got "${raw}"`, {
        field: env,
      });
    return n;
  };
}
const text = (raw: string): string => raw;

export const SETTINGS: { [K in keyof Settings]: SettingSpec<Settings[K]> } = {
  home: {
    env: "SQUALL_HOME",
    doc: "Directory holding all of Squall's data: database, configs, user packs.",
    default: () => join(homedir(), ".squall"),
    parse: (raw) => resolve(raw),
  },
  host: {
    env: "SQUALL_HOST",
    doc: "Address the API listens on.",
    default: () => "127.0.0.1",
    parse: text,
  },
  port: {
    env: "SQUALL_PORT",
    doc: "Port the API listens on (StackStorm's API port by default; 0 picks a free port).",
    default: () => 9101,
    parse: int(0, 65535),
  },
  dbPath: {
    env: "SQUALL_DB",
    doc: "SQLite database file.",
    default: (s) => join(s.home ?? ".", "squall.db"),
    parse: (raw) => resolve(raw),
  },
  packsPaths: {
    env: "SQUALL_PACKS_PATH",
    doc: "Colon-separated directories of packs registered at start-up, after the bundled packs.",
    default: (s) => [BUNDLED_PACKS, join(s.home ?? ".", "packs")],
    parse: (raw) => [
      BUNDLED_PACKS,
      ...raw
        .split(":")
        .filter(Boolean)
        .map((p) => resolve(p)),
    ],
  },
  configsDir: {
    env: "SQUALL_CONFIGS_DIR",
    doc: "Directory of pack configuration values, one `<pack>.yaml` per pack.",
    default: (s) => join(s.home ?? ".", "configs"),
    parse: (raw) => resolve(raw),
  },
  logLevel: {
    env: "SQUALL_LOG_LEVEL",
    doc: "Log level: trace, debug, info, warn, error, fatal or silent.",
    default: () => "info",
    parse: text,
  },
  nodeId: {
    env: "SQUALL_NODE_ID",
    doc: "Name of this node; leases it holds are released at once when it restarts.",
    default: () => hostname(),
    parse: text,
  },
  actionConcurrency: {
    env: "SQUALL_ACTION_CONCURRENCY",
    doc: "How many actions this node runs at once.",
    default: () => 20,
    parse: int(1, 10_000),
  },
  leaseMs: {
    env: "SQUALL_LEASE_MS",
    doc: "How long a claimed unit of work stays leased without a heartbeat before another worker may take it.",
    default: () => 30_000,
    parse: int(1_000, 3_600_000),
  },
  shutdownGraceMs: {
    env: "SQUALL_SHUTDOWN_GRACE_MS",
    doc: "On shutdown, how long running actions may finish before they are marked abandoned.",
    default: () => 10_000,
    parse: int(0, 3_600_000),
  },
  bodyLimitBytes: {
    env: "SQUALL_BODY_LIMIT",
    doc: "Largest accepted API request body, in bytes.",
    default: () => 10 * 1024 * 1024,
    parse: int(1024, 1024 * 1024 * 1024),
  },
  idempotencyWindowMs: {
    env: "SQUALL_IDEMPOTENCY_WINDOW_MS",
    doc: "How long a webhook's idempotency key is remembered: a repeat within this window creates nothing.",
    default: () => 24 * 3600 * 1000,
    parse: int(1000, 30 * 24 * 3600 * 1000),
  },
  datastoreKeyPath: {
    env: "SQUALL_DATASTORE_KEY_PATH",
    doc: "Datastore encryption key (StackStorm's key file format); created on first start. Point it at an st2 key file to read existing secrets.",
    default: (s) => join(s.home ?? ".", "keys", "datastore_key.json"),
    parse: (raw) => resolve(raw),
  },
};

/** Resolves settings from the environment, then explicit overrides (command-line flags). */
export function loadSettings(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Settings> = {},
): Settings {
  const out: Partial<Settings> = {};
  // Order matters: `home` first, because other defaults live under it.
  for (const key of Object.keys(SETTINGS) as Array<keyof Settings>) {
    const spec = SETTINGS[key] as SettingSpec<unknown>;
    const override = overrides[key];
    const raw = env[spec.env];
    const value =
      override !== undefined
        ? override
        : raw !== undefined && raw !== ""
          ? spec.parse(raw, spec.env)
          : spec.default(out);
    (out as Record<string, unknown>)[key] = value;
  }
  return out as Settings;
}
