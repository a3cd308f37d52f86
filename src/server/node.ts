/**
 * The composition root: one Squall node in one process. It opens the store, registers the
 * configured packs, starts the scheduler and the action workers, and serves the API.
 *
 * Start-up order matters for crash recovery: leases this node held before it died are
 * released first, so its unfinished work is picked up at once instead of after the lease ends.
 */

import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { PackRegistrationSummary } from "../api/context.ts";
import { buildServer } from "../api/server.ts";
import { ValidationError } from "../core/errors.ts";
import { JinjaEngine } from "../core/expr/jinja/engine.ts";
import type { Settings } from "../engine/config.ts";
import { registerPackPaths } from "../engine/content/register-paths.ts";
import { symmetricDecrypt } from "../engine/datastore/crypto.ts";
import { loadOrCreateDatastoreKey } from "../engine/datastore/key-file.ts";
import { EventBus } from "../engine/events.ts";
import { createLogger, type Logger, SecretRegistry } from "../engine/logger.ts";
import { createRunnerRegistry } from "../engine/runners/registry.ts";
import { startActionWorker } from "../engine/services/action-worker.ts";
import { ExecutionService } from "../engine/services/executions.ts";
import { ProcessGroupRecords } from "../engine/services/orphans.ts";
import { createRunPreparer, validateExecutionRequest } from "../engine/services/parameters.ts";
import { startScheduler } from "../engine/services/scheduler.ts";
import { nodeStore } from "../engine/store/group-commit.ts";
import { openSqliteStore } from "../engine/store/sqlite/index.ts";
import { acquireHomeLock } from "./home-lock.ts";
import { leaseOwners, type Reactor, startReactor } from "./reactor.ts";

export interface SquallNode {
  url: string;
  registration: PackRegistrationSummary;
  log: Logger;
  /** Stops claiming work, lets running actions finish within the grace period, abandons the rest. */
  stop(): Promise<void>;
}

export async function startNode(settings: Settings): Promise<SquallNode> {
  mkdirSync(settings.home, { recursive: true, mode: 0o700 });
  const unlock = acquireHomeLock(settings.home);
  try {
    return await startLocked(settings, unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

async function startLocked(settings: Settings, unlock: () => void): Promise<SquallNode> {
  const secrets = new SecretRegistry();
  const log = createLogger(settings.logLevel, secrets);
  const store = nodeStore(openSqliteStore(settings.dbPath));
  const bus = new EventBus();
  let released = 0;
  for (const owner of leaseOwners(settings.nodeId))
    released += await store.queue.releaseOwner(owner);
  if (released > 0) log.warn({ released }, "recovered work left by this node's previous run");

  // Rules change with the packs that hold them: every registration reloads the rule index.
  let reactor: Reactor | null = null;
  const registerPacks = async (packs: string[]) => {
    const report = await registerPackPaths(store.content, packs, {
      packsPaths: settings.packsPaths,
      configsDir: settings.configsDir,
    });
    await reactor?.rules.reload();
    return report;
  };
  const registration = await registerPacks([]);
  for (const e of registration.errors)
    log.warn({ file: e.file, field: e.field, line: e.line }, e.message);

  // One template engine for the node (it caches compiled templates); `decrypt_kv` uses the
  // datastore key.
  const { key } = loadOrCreateDatastoreKey(settings.datastoreKeyPath);
  const engine = new JinjaEngine(
    key ? { decryptKv: (ciphertext) => symmetricDecrypt(key, ciphertext) } : {},
  );
  const runners = createRunnerRegistry();
  const executions = new ExecutionService(
    store,
    bus,
    validateExecutionRequest,
    log.child({ component: "executions" }),
    new Set(runners.keys()),
  );
  const controller = new AbortController();
  let url = "";
  const scheduler = startScheduler({
    store,
    executions,
    nodeId: settings.nodeId,
    leaseMs: settings.leaseMs,
    log: log.child({ component: "scheduler" }),
    signal: controller.signal,
  });
  reactor = await startReactor(settings, store, executions, log, controller.signal, engine, key);
  const worker = startActionWorker({
    store,
    executions,
    runners,
    prepare: createRunPreparer(store, engine),
    bus,
    secrets,
    log: log.child({ component: "worker" }),
    nodeId: settings.nodeId,
    leaseMs: settings.leaseMs,
    concurrency: settings.actionConcurrency,
    apiUrl: () => `${url}/api/v1`,
    signal: controller.signal,
    notifications: reactor.notifications,
    processGroups: new ProcessGroupRecords(join(settings.home, "run")),
  });

  const loops = [scheduler, ...reactor.loops];

  const app = await buildServer(
    { store, executions, bus, secrets, registerPacks },
    { bodyLimitBytes: settings.bodyLimitBytes, logger: log, routes: reactor.routes },
  );
  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (err) {
    controller.abort();
    await Promise.allSettled([...loops, worker].map((l) => l.done));
    await store.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL")
      throw new ValidationError(
        `cannot listen on ${settings.host}:${settings.port} (${code}); choose another address or port with --host/--port or SQUALL_HOST/SQUALL_PORT`,
        { field: "port" },
      );
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  return {
    url,
    registration,
    log,
    async stop() {
      controller.abort();
      await app.close();
      await Promise.all(loops.map((l) => l.done));
      const deadline = Date.now() + settings.shutdownGraceMs;
      while (worker.running().length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      await worker.abandonRunning("Squall stopped before the action finished");
      await worker.done;
      await store.close();
      unlock();
    },
  };
}
