/**
 * Opens authentication for one node: the htpasswd users (creating the administrator on first
 * start), their groups (an Apache group file), the token/API key tables, and the RBAC definitions.
 */

import type { Logger } from "../logger.ts";
import { definitionsSignature } from "../rbac/definitions.ts";
import { Rbac } from "../rbac/resolver.ts";
import { openDatabase } from "../store/sqlite/index.ts";
import { ensureAdmin } from "./bootstrap.ts";
import { GroupFile } from "./groups.ts";
import { HtpasswdFile } from "./htpasswd.ts";
import { AuthService } from "./service.ts";
import { AuthStore } from "./store.ts";

export interface AuthSettings {
  dbPath: string;
  authEnabled: boolean;
  htpasswdPath: string;
  /** Apache group file (`group: user1 user2`): the groups RBAC `mappings/` apply to. */
  groupsPath: string;
  adminUser: string;
  credentialsPath: string;
  tokenTtlSeconds: number;
  tokenMaxTtlSeconds: number;
  executionTokenTtlSeconds: number;
  rbacEnabled: boolean;
  rbacDir: string;
}

/** What the action worker needs: a token per execution, revoked when the run ends. */
export interface ExecutionTokens {
  issue(execution: { id: string; context: { user?: string } }): string;
  revoke(token: string): void;
}

export interface NodeAuth {
  /** Null when authentication is turned off. */
  auth: AuthService | null;
  rbac: Rbac;
  /** Always usable: with authentication off it hands out no tokens. */
  executionTokens: ExecutionTokens;
  close(): void;
}

const PURGE_EVERY_MS = 3_600_000;
/** How often the RBAC directory and the group file are checked for edits (no restart needed). */
const RBAC_CHECK_MS = 2_000;

function logGroupErrors(groups: GroupFile, log: Logger): void {
  for (const e of groups.errors) log.warn({ file: e.file, line: e.line }, e.message);
}

/** Reloads the RBAC definitions and the group file whenever they change; returns the stop function. */
function watchRbac(rbac: Rbac, groups: GroupFile, dir: string, log: Logger): () => void {
  let signature = definitionsSignature(dir);
  let groupSignature = groups.signature();
  const timer = setInterval(() => {
    const nowGroups = groups.signature();
    if (nowGroups !== groupSignature) {
      groupSignature = nowGroups;
      groups.reload();
      logGroupErrors(groups, log);
      rbac.groupsChanged();
      log.info({ file: groups.path }, "group file reloaded");
    }
    const now = definitionsSignature(dir);
    if (now === signature) return;
    signature = now;
    const errors = rbac.reload();
    for (const e of errors) log.warn({ file: e.file, field: e.field }, e.message);
    log.info({ roles: rbac.roles().length }, "RBAC definitions reloaded");
  }, RBAC_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export function openNodeAuth(settings: AuthSettings, log: Logger): NodeAuth {
  const users = new HtpasswdFile(settings.htpasswdPath);
  const groups = new GroupFile(settings.groupsPath);
  logGroupErrors(groups, log);
  const rbac = new Rbac({
    enabled: settings.rbacEnabled,
    dir: settings.rbacDir,
    builtinAdmins: [settings.adminUser],
    groups,
  });
  for (const e of rbac.errors) log.warn({ file: e.file, field: e.field }, e.message);
  const stopWatching = watchRbac(rbac, groups, settings.rbacDir, log);
  if (!settings.authEnabled) {
    log.warn(
      "authentication is turned off (SQUALL_AUTH_ENABLED=false): every request acts as the system user",
    );
    return {
      auth: null,
      rbac,
      executionTokens: { issue: () => "", revoke: () => undefined },
      close: stopWatching,
    };
  }
  const { created } = ensureAdmin(users, settings.credentialsPath, settings.adminUser);
  if (created)
    log.warn(
      { user: settings.adminUser, credentials: settings.credentialsPath },
      "created the administrator; its password is in the credentials file (readable only by you)",
    );
  const db = openDatabase(settings.dbPath);
  const auth = new AuthService({
    store: new AuthStore(db),
    users,
    tokenTtlSeconds: settings.tokenTtlSeconds,
    tokenMaxTtlSeconds: settings.tokenMaxTtlSeconds,
    executionTokenTtlSeconds: settings.executionTokenTtlSeconds,
  });
  const purge = () => {
    try {
      auth.purgeExpired();
    } catch (err) {
      log.warn({ err }, "could not purge expired tokens");
    }
  };
  purge();
  const timer = setInterval(purge, PURGE_EVERY_MS);
  timer.unref();
  return {
    auth,
    rbac,
    executionTokens: {
      issue: (execution) => auth.issueExecutionToken(execution),
      revoke: (token) => {
        if (token !== "") auth.revokeToken(token);
      },
    },
    close() {
      stopWatching();
      clearInterval(timer);
      if (db.open) db.close();
    },
  };
}
