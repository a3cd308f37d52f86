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
import { storeLookups } from "../api/auth/lookups.ts";
import { mayShowSecrets, requesterOf } from "../api/auth/plugin.ts";
import type { PackRegistrationSummary } from "../api/context.ts";
import { executionControlRoutes } from "../api/routes/execution-control.ts";
import { inquiryRoutes } from "../api/routes/inquiries.ts";
import { packInstallRoutes } from "../api/routes/pack-install.ts";
import { rememberingDecrypt, rememberStoredSecrets } from "../api/secret-sources.ts";
import { buildServer } from "../api/server.ts";
import { ValidationError } from "../core/errors.ts";
import { JinjaEngine } from "../core/expr/jinja/engine.ts";
import { DEFAULT_SYSTEM_USER } from "../core/params/index.ts";
import { openNodeAuth } from "../engine/auth/setup.ts";
import type { Settings } from "../engine/config.ts";
import { createRenderingConfigLoader } from "../engine/content/config-render.ts";
import { registerPackPaths } from "../engine/content/register-paths.ts";
import { symmetricDecrypt } from "../engine/datastore/crypto.ts";
import { loadOrCreateDatastoreKey } from "../engine/datastore/key-file.ts";
import { EventBus } from "../engine/events.ts";
import { InquiryService, startInquiryExpiry } from "../engine/inquiries/index.ts";
import { createLogger, type Logger, SecretRegistry } from "../engine/logger.ts";
import { createPythonEnvironments } from "../engine/python/environments.ts";
import { createRunnerRegistry } from "../engine/runners/registry.ts";
import type { SensorContainer } from "../engine/sensors/container.ts";
import { startActionWorker } from "../engine/services/action-worker.ts";
import { ExecutionService } from "../engine/services/executions.ts";
import { ProcessGroupRecords } from "../engine/services/orphans.ts";
import { createRunPreparer, validateExecutionRequest } from "../engine/services/parameters.ts";
import { startScheduler } from "../engine/services/scheduler.ts";
import { nodeStore } from "../engine/store/group-commit.ts";
import { openSqliteStore } from "../engine/store/sqlite/index.ts";
import { openThreadedSqliteStore } from "../engine/store/sqlite/thread/threaded-store.ts";
import { WorkflowEngine } from "../engine/workflow/engine.ts";
import { recoverWorkflows, watchChildren } from "../engine/workflow/recovery.ts";
import { acquireHomeLock } from "./home-lock.ts";
import { leaseOwners, type Reactor, startReactor } from "./reactor.ts";

export interface SquallNode {
  url: string;
  registration: PackRegistrationSummary;
  log: Logger;
  /** Every route the API registered (method and pattern), for the route-permission table check. */
  routes: Array<{ method: string; url: string }>;
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
  // The writer thread starts once the node is ready (below): until then writes run here.
  const threaded = settings.dbWriterThread
    ? openThreadedSqliteStore(settings.dbPath, {
        deferWriter: true,
        onWriterFailed: (err) =>
          log.warn(
            { err },
            "the database writer thread did not start; writes stay on the main thread",
          ),
      })
    : null;
  const store = nodeStore(threaded ?? openSqliteStore(settings.dbPath));
  const bus = new EventBus();
  let released = 0;
  for (const owner of leaseOwners(settings.nodeId))
    released += await store.queue.releaseOwner(owner);
  if (released > 0) log.warn({ released }, "recovered work left by this node's previous run");

  // Rules change with the packs that hold them: every registration reloads the rule index.
  let reactor: Reactor | null = null;
  // Packs with a requirements.txt get a virtualenv, built in the background after registration.
  const pythonEnvironments = createPythonEnvironments({
    home: settings.home,
    log: log.child({ component: "python" }),
    python: settings.pythonBinary,
    pipOptions: settings.pipOptions,
  });
  const registerPacks = async (packs: string[]) => {
    const report = await registerPackPaths(store.content, packs, {
      packsPaths: settings.packsPaths,
      configsDir: settings.configsDir,
    });
    for (const pack of report.packs)
      if (pack.registered && pack.path !== "")
        pythonEnvironments.onPackRegistered({ ref: pack.pack, path: pack.path });
    await reactor?.rules.reload();
    // Secret config values just loaded: masked in logs, responses and action output from now on.
    await rememberStoredSecrets({ store, secrets, decrypt: null });
    return report;
  };
  const registration = await registerPacks([]);
  const auth = openNodeAuth(settings, log.child({ component: "auth" }));
  for (const e of registration.errors)
    log.warn({ file: e.file, field: e.field, line: e.line }, e.message);

  // One template engine for the node (it caches compiled templates); `decrypt_kv` uses the
  // datastore key.
  const { key } = loadOrCreateDatastoreKey(settings.datastoreKeyPath);
  // Whatever a template decrypts is a secret the node masks from then on; those already stored
  // are registered now, so results and logs stay masked across restarts.
  const decryptKv = key
    ? rememberingDecrypt((ciphertext) => symmetricDecrypt(key, ciphertext), secrets)
    : null;
  await rememberStoredSecrets({ store, secrets, decrypt: decryptKv });
  const engine = new JinjaEngine(decryptKv ? { decryptKv } : {});
  // Pack configs reach actions and sensors with their `{{ st2kv... }}` values rendered; secret
  // ones are masked like secret parameters.
  const loadConfig = createRenderingConfigLoader({
    content: store.content,
    kv: store.kv,
    engine,
    secrets,
    systemUser: DEFAULT_SYSTEM_USER,
    ...(decryptKv ? { decrypt: decryptKv } : {}),
  });
  const runners = createRunnerRegistry({
    python: {
      python: settings.pythonBinary,
      environments: pythonEnvironments,
      loadConfig,
      configsDir: settings.configsDir,
    },
    nodejs: { loadConfig },
    remoteShell: {
      defaultUser: settings.systemUser,
      defaultKeyFile: settings.sshKeyFile,
      maxParallel: settings.sshMaxParallel,
      allowPartialFailure: settings.sshAllowPartialFailure,
      connectTimeoutSeconds: settings.sshConnectTimeoutSeconds,
    },
  });
  const executions = new ExecutionService(
    store,
    bus,
    validateExecutionRequest,
    log.child({ component: "executions" }),
    // Workflow runners are conducted by the workflow engine rather than run by a runner.
    new Set([...runners.keys(), "orquesta"]),
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
  reactor = await startReactor(
    settings,
    store,
    executions,
    log,
    controller.signal,
    engine,
    key,
    secrets,
  );
  const prepare = createRunPreparer(store, engine, {
    guard: (user, scope, name) => auth.rbac.kvReadAllowed(user, scope, name),
    loadConfig,
  });
  const workflows = new WorkflowEngine({
    store,
    executions,
    prepare,
    runners,
    log: log.child({ component: "workflows" }),
    nodeId: settings.nodeId,
    apiUrl: () => `${url}/api/v1`,
    ...(decryptKv ? { decryptKv } : {}),
    // Inline children's action triggers commit with the child instead of a notifier job each.
    notifications: reactor.notifications,
  });
  executions.useWorkflowHooks(workflows);
  const unwatchWorkflows = watchChildren(workflows, bus);
  const worker = startActionWorker({
    store,
    executions,
    runners,
    workflows,
    prepare,
    executionTokens: auth.executionTokens,
    bus,
    secrets,
    log: log.child({ component: "worker" }),
    nodeId: settings.nodeId,
    leaseMs: settings.leaseMs,
    concurrency: settings.actionConcurrency,
    apiUrl: () => `${url}/api/v1`,
    signal: controller.signal,
    notifications: reactor.notifications,
    pendingNotifications: reactor.pendingNotifications,
    processGroups: new ProcessGroupRecords(join(settings.home, "run")),
  });

  const inquiryLog = log.child({ component: "inquiries" });
  const inquiries = new InquiryService({
    executions,
    // Without RBAC, StackStorm lets anyone answer whatever roles an inquiry lists.
    ...(settings.rbacEnabled
      ? { rolesOf: async (user: string) => auth.rbac.rolesFor(user).map((r) => r.name) }
      : {}),
    log: inquiryLog,
  });
  const inquiryExpiry = startInquiryExpiry({
    store,
    executions,
    now: Date.now,
    intervalMs: settings.inquiryExpiryIntervalMs,
    signal: controller.signal,
    log: inquiryLog,
  });
  const loops = [scheduler, ...reactor.loops, inquiryExpiry];
  const routes: Array<{ method: string; url: string }> = [];

  // Started once the API listens (sensors call it); until then there is nothing to sync.
  let sensors: SensorContainer | null = null;
  const app = await buildServer(
    {
      store,
      executions,
      bus,
      secrets,
      registerPacks,
      configsDir: settings.configsDir,
      mayShowSecrets,
      onSensorChange: async () => {
        await sensors?.sync();
      },
    },
    {
      bodyLimitBytes: settings.bodyLimitBytes,
      logger: log,
      routes: [
        ...reactor.routes,
        (scope) => executionControlRoutes(scope, { store, secrets, executions, workflows }),
        (scope) =>
          packInstallRoutes(scope, {
            store,
            registerPacks,
            packsPaths: settings.packsPaths,
            reloadRules: async () => reactor?.rules.reload(),
          }),
        (scope) =>
          inquiryRoutes(scope, {
            inquiries,
            currentUser: (request) => requesterOf(request) ?? DEFAULT_SYSTEM_USER,
          }),
      ],
      auth: {
        auth: auth.auth,
        rbac: auth.rbac,
        lookups: storeLookups(store, auth.auth),
        systemUser: DEFAULT_SYSTEM_USER,
        registered: routes,
      },
    },
  );
  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (err) {
    controller.abort();
    await Promise.allSettled([...loops, worker].map((l) => l.done));
    auth.close();
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
  // Workflows active when this node last stopped continue (steps lost in a crash are redone).
  const recovered = await recoverWorkflows(workflows);
  if (recovered.resumed > 0) log.warn(recovered, "recovered workflows left by the previous run");

  threaded?.startWriter();

  // Sensors start in the background once the API answers (they call it): the node is ready
  // without waiting for them, and the container's modules load only when sensors run.
  const sensorsStarted = settings.sensorContainer
    ? (async () => {
        const sensorLog = log.child({ component: "sensors" });
        const { startSensorContainer } = await import("../engine/sensors/container.ts");
        sensors = await startSensorContainer({
          store,
          dispatcher: reactor.dispatcher,
          registry: reactor.registry,
          log: sensorLog,
          apiUrl: () => `${url}/api/v1`,
          // As StackStorm: a service token per sensor process, renewed at each (re)spawn.
          issueToken: async (sensor) =>
            auth.auth?.createToken(DEFAULT_SYSTEM_USER, {
              ttlSeconds: 86_400,
              service: true,
              metadata: { service: "sensors_container", sensor: sensor.ref },
            }).token ?? "",
          pythonFor: (pack) => pythonEnvironments.ready(pack),
          loadConfig,
          signal: controller.signal,
        });
        // Registration and rule changes reload the rules; sensors and their triggers follow.
        const running = sensors;
        reactor.rules.onReload(() => {
          running.sync().catch((err: unknown) => sensorLog.error({ err }, "sensor sync failed"));
        });
      })().catch((err: unknown) => log.error({ err }, "the sensor container did not start"))
    : Promise.resolve();

  return {
    url,
    registration,
    log,
    routes,
    async stop() {
      controller.abort();
      unwatchWorkflows();
      await sensorsStarted;
      await sensors?.done;
      await app.close();
      await Promise.all(loops.map((l) => l.done));
      const deadline = Date.now() + settings.shutdownGraceMs;
      while (worker.running().length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      await worker.abandonRunning("Squall stopped before the action finished");
      await worker.done;
      await pythonEnvironments.close();
      auth.close();
      await store.close();
      unlock();
    },
  };
}
