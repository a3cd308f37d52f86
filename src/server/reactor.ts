/**
 * Wires the reactor for one node: trigger registry, dispatcher, in-memory rules, the rules
 * worker, the notifier and the datastore service, plus their API routes.
 */

import type { FastifyInstance } from "fastify";
import { requesterOf } from "../api/auth/plugin.ts";
import { keyRoutes } from "../api/routes/keys.ts";
import { reactorRoutes } from "../api/routes/reactor.ts";
import { webhookRoutes } from "../api/routes/webhooks.ts";
import { workflowRoutes } from "../api/routes/workflows.ts";
import type { Execution } from "../core/execution/model.ts";
import type { TemplateEngine } from "../core/expr/template.ts";
import { DEFAULT_SYSTEM_USER } from "../core/params/index.ts";
import type { Settings } from "../engine/config.ts";
import type { DatastoreKey } from "../engine/datastore/crypto.ts";
import { DatastoreService } from "../engine/datastore/service.ts";
import { inquiryTriggerOps } from "../engine/inquiries/trigger.ts";
import type { Logger, SecretRegistry } from "../engine/logger.ts";
import { Dispatcher } from "../engine/reactor/dispatcher.ts";
import { createEnforcer } from "../engine/reactor/enforcer.ts";
import { createInstanceOpsBuilder, createSystemInstanceOps } from "../engine/reactor/instances.ts";
import { notificationOps, startNotifier } from "../engine/reactor/notifier.ts";
import { RulesService } from "../engine/reactor/rules-service.ts";
import { startRulesWorker } from "../engine/reactor/rules-worker.ts";
import { TriggerRegistry } from "../engine/reactor/trigger-registry.ts";
import type { ExecutionService } from "../engine/services/executions.ts";
import { startTimerService } from "../engine/services/timers.ts";
import type { Store } from "../engine/store/contract.ts";
import type { WriteOp } from "../engine/store/reactor-contract.ts";

export interface Reactor {
  registry: TriggerRegistry;
  dispatcher: Dispatcher;
  rules: RulesService;
  datastore: DatastoreService;
  /** Background loops; each settles once the abort signal fired and its work drained. */
  loops: Array<{ done: Promise<void> }>;
  routes: Array<(scope: FastifyInstance) => void>;
  /** A completed execution's trigger instances, for the action worker to commit inline. */
  notifications: (completed: Execution) => Promise<WriteOp[]>;
  /** A new inquiry's `core.st2.generic.inquiry` instance, committed with its `pending` move. */
  pendingNotifications: (pending: Execution) => Promise<WriteOp[]>;
}

export async function startReactor(
  settings: Settings,
  store: Store,
  executions: ExecutionService,
  log: Logger,
  signal: AbortSignal,
  engine: TemplateEngine,
  key: DatastoreKey | null,
  secrets?: SecretRegistry,
): Promise<Reactor> {
  const registry = new TriggerRegistry(store);
  const instanceOps = createInstanceOpsBuilder(registry);
  const dispatcher = new Dispatcher(store, registry, instanceOps, settings.idempotencyWindowMs);
  const rules = new RulesService(store, registry, dispatcher, log.child({ component: "rules" }));
  await rules.reload();

  const datastore = new DatastoreService({
    store,
    key,
    keyPath: settings.datastoreKeyPath,
    instanceOps: createSystemInstanceOps(registry),
    systemUser: DEFAULT_SYSTEM_USER,
  });

  const common = { store, nodeId: settings.nodeId, leaseMs: settings.leaseMs, signal };
  const timers = startTimerService({
    store,
    clock: { now: Date.now },
    signal,
    log: log.child({ component: "timers" }),
    emit: instanceOps,
    nodeId: settings.nodeId,
    inUse: (ref) => registry.isListened(ref),
  });
  rules.onReload(() => {
    timers.syncTimers().catch((err: unknown) => log.error({ err }, "timer sync failed"));
  });
  const loops = [
    timers,
    startRulesWorker({
      ...common,
      rules,
      executions,
      engine,
      log: log.child({ component: "rules" }),
    }),
    startNotifier({
      ...common,
      instanceOps,
      engine,
      log: log.child({ component: "notifier" }),
    }),
  ];
  // Performance: dispatches enforce their rules in their own commit (see InlineEnforcement).
  const enforcer = createEnforcer({
    store,
    rules,
    executions,
    engine,
    log: log.child({ component: "rules" }),
  });
  dispatcher.useInlineEnforcement({
    enforce: (instance) => enforcer.enforce(instance),
    published: (created) => executions.published(created),
  });
  const routes = [
    (scope: FastifyInstance) => webhookRoutes(scope, { dispatcher }),
    (scope: FastifyInstance) => keyRoutes(scope, { datastore, requester: requesterOf }),
    (scope: FastifyInstance) =>
      reactorRoutes(scope, { store, rules, dispatcher, ...(secrets ? { secrets } : {}) }),
    workflowRoutes,
  ];
  const notifications = (completed: Execution) =>
    notificationOps(store, completed, instanceOps, engine, log);
  const pendingNotifications = inquiryTriggerOps(instanceOps);
  return {
    registry,
    dispatcher,
    rules,
    datastore,
    loops,
    routes,
    notifications,
    pendingNotifications,
  };
}

/** Queue lease owners of one node; all are released when the node restarts. */
export function leaseOwners(nodeId: string): string[] {
  return ["worker", "scheduler", "rules", "notifier", "timers"].map((role) => `${nodeId}:${role}`);
}
