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
  dbWriterThread: boolean;
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
  authEnabled: boolean;
  htpasswdPath: string;
  groupsPath: string;
  adminUser: string;
  credentialsPath: string;
  tokenTtlSeconds: number;
  tokenMaxTtlSeconds: number;
  executionTokenTtlSeconds: number;
  rbacEnabled: boolean;
  rbacDir: string;
  sensorContainer: boolean;
  pythonBinary: string;
  pipOptions: string[];
  systemUser: string;
  sshKeyFile: string;
  sshMaxParallel: number;
  sshAllowPartialFailure: boolean;
  sshConnectTimeoutSeconds: number;
  inquiryExpiryIntervalMs: number;
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
function bool(raw: string, env: string): boolean {
  const v = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new ValidationError(`${env} must be true or false, got "${raw}"`, { field: env });
}

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
  dbWriterThread: {
    env: "SQUALL_DB_WRITER_THREAD",
    doc: "Run the database's writes on a thread of their own, so SQLite statements and commits use the second core instead of stalling the API; off, one connection on the main thread does everything.",
    default: () => true,
    parse: bool,
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
  authEnabled: {
    env: "SQUALL_AUTH_ENABLED",
    doc: "Require a token or API key on every API request (StackStorm's `[auth] enable`). Turn off only on a trusted single-user machine.",
    default: () => true,
    parse: bool,
  },
  htpasswdPath: {
    env: "SQUALL_HTPASSWD_PATH",
    doc: "Users and password hashes, in Apache htpasswd format (bcrypt, apr1 or SHA), as StackStorm's flat_file backend reads.",
    default: (s) => join(s.home ?? ".", "htpasswd"),
    parse: (raw) => resolve(raw),
  },
  groupsPath: {
    env: "SQUALL_GROUPS_PATH",
    doc: "Groups of the htpasswd users, in Apache AuthGroupFile format (`group: user1 user2`); RBAC `mappings/` give roles to these groups. Re-read within seconds of an edit.",
    default: (s) => join(s.home ?? ".", "groups"),
    parse: (raw) => resolve(raw),
  },
  adminUser: {
    env: "SQUALL_ADMIN_USER",
    doc: "The administrator created on first start (added to the htpasswd file, always system_admin).",
    default: () => "st2admin",
    parse: text,
  },
  credentialsPath: {
    env: "SQUALL_CREDENTIALS_PATH",
    doc: "Where the first start writes the administrator's password (mode 0600); the local CLI logs in with it.",
    default: (s) => join(s.home ?? ".", "credentials"),
    parse: (raw) => resolve(raw),
  },
  tokenTtlSeconds: {
    env: "SQUALL_TOKEN_TTL",
    doc: "Lifetime of a login token when the login does not ask for one, in seconds (StackStorm's `[auth] token_ttl`).",
    default: () => 86_400,
    parse: int(1, 10 * 365 * 86_400),
  },
  tokenMaxTtlSeconds: {
    env: "SQUALL_TOKEN_MAX_TTL",
    doc: "Longest lifetime a login may ask for (body `{ttl}`), in seconds.",
    default: () => 86_400,
    parse: int(1, 10 * 365 * 86_400),
  },
  executionTokenTtlSeconds: {
    env: "SQUALL_EXECUTION_TOKEN_TTL",
    doc: "Lifetime of the token each execution gets for calls back to the API, in seconds; it is revoked when the execution ends.",
    default: () => 86_400,
    parse: int(60, 30 * 86_400),
  },
  rbacEnabled: {
    env: "SQUALL_RBAC_ENABLED",
    doc: "Enforce RBAC roles and permissions. Off: every authenticated user is an administrator (StackStorm without RBAC).",
    default: () => true,
    parse: bool,
  },
  rbacDir: {
    env: "SQUALL_RBAC_DIR",
    doc: "RBAC definitions in StackStorm's format: `roles/`, `assignments/` and `mappings/` YAML files.",
    default: (s) => join(s.home ?? ".", "rbac"),
    parse: (raw) => resolve(raw),
  },
  sensorContainer: {
    env: "SQUALL_SENSOR_CONTAINER",
    doc: "Run the packs' enabled sensors on this node (StackStorm's st2sensorcontainer), each in its own supervised process.",
    default: () => true,
    parse: bool,
  },
  pythonBinary: {
    env: "SQUALL_PYTHON",
    doc: "The Python interpreter for Python actions and sensors, and for creating packs' virtualenvs.",
    default: () => "python3",
    parse: text,
  },
  pipOptions: {
    env: "SQUALL_PIP_OPTS",
    doc: "Extra pip options when installing a pack's requirements.txt, space-separated (StackStorm's `[actionrunner] pip_opts`), e.g. `--no-index --find-links /srv/wheels`.",
    default: () => [],
    parse: (raw) => raw.split(/\s+/).filter((o) => o !== ""),
  },
  systemUser: {
    env: "SQUALL_SYSTEM_USER",
    doc: "Default SSH user for remote actions that name none (StackStorm's `[system_user] user`).",
    default: () => "stanley",
    parse: text,
  },
  sshKeyFile: {
    env: "SQUALL_SSH_KEY_FILE",
    doc: "Default private key for remote actions that give no password or key (StackStorm's `[system_user] ssh_key_file`).",
    default: () => "/home/stanley/.ssh/stanley_rsa",
    parse: (raw) => resolve(raw),
  },
  sshMaxParallel: {
    env: "SQUALL_SSH_MAX_PARALLEL",
    doc: "Most hosts one remote action works on at once (StackStorm's `[ssh_runner] max_parallel_actions`).",
    default: () => 50,
    parse: int(1, 10_000),
  },
  sshAllowPartialFailure: {
    env: "SQUALL_SSH_ALLOW_PARTIAL_FAILURE",
    doc: "A remote action on several hosts succeeds if any host succeeded (StackStorm's `[ssh_runner] allow_partial_failure`).",
    default: () => false,
    parse: bool,
  },
  sshConnectTimeoutSeconds: {
    env: "SQUALL_SSH_CONNECT_TIMEOUT",
    doc: "Seconds to wait for an SSH connection (capped at the action's timeout less 2 s, as StackStorm).",
    default: () => 60,
    parse: int(1, 3600),
  },
  inquiryExpiryIntervalMs: {
    env: "SQUALL_INQUIRY_EXPIRY_INTERVAL_MS",
    doc: "How often inquiries past their TTL are moved to `timeout` (StackStorm's garbage collector `purge_inquiries`, on here).",
    default: () => 60_000,
    parse: int(1000, 24 * 3600 * 1000),
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
