/**
 * An in-process reactor for the sensor container and nodejs runner tests: a real SQLite store
 * with test/fixtures/packs/sensor_pack registered, the real trigger registry, dispatcher, rules
 * service and rules worker, and the datastore API on a loopback port for child processes.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import pino from "pino";
import type { ApiContext } from "../../src/api/context.ts";
import { errorHandler } from "../../src/api/errors.ts";
import { keyRoutes } from "../../src/api/routes/keys.ts";
import { sensorRoutes } from "../../src/api/routes/sensors.ts";
import { JinjaEngine } from "../../src/core/expr/jinja/engine.ts";
import { registerPackPaths } from "../../src/engine/content/register-paths.ts";
import { DatastoreService } from "../../src/engine/datastore/service.ts";
import { EventBus } from "../../src/engine/events.ts";
import { type Logger, SecretRegistry } from "../../src/engine/logger.ts";
import { Dispatcher } from "../../src/engine/reactor/dispatcher.ts";
import {
  createInstanceOpsBuilder,
  createSystemInstanceOps,
} from "../../src/engine/reactor/instances.ts";
import { RulesService } from "../../src/engine/reactor/rules-service.ts";
import { startRulesWorker } from "../../src/engine/reactor/rules-worker.ts";
import { TriggerRegistry } from "../../src/engine/reactor/trigger-registry.ts";
import { ExecutionService } from "../../src/engine/services/executions.ts";
import { validateExecutionRequest } from "../../src/engine/services/parameters.ts";
import type { Store } from "../../src/engine/store/contract.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";
import { FIXTURES } from "../support/fixtures.ts";

export const SENSOR_PACK = join(FIXTURES, "packs", "sensor_pack");

/** Log lines kept for assertions (pino writes JSON lines here). */
export class LogLines {
  readonly lines: Array<Record<string, unknown>> = [];
  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }
  find(predicate: (line: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
    return this.lines.find(predicate);
  }
}

export interface SensorHarness {
  store: Store;
  registry: TriggerRegistry;
  dispatcher: Dispatcher;
  rules: RulesService;
  apiUrl: string;
  /** The server's root URL (the API is under /api/v1). */
  url: string;
  /** What `PUT /sensortypes/{ref}` calls after the change (the node wires the container's sync). */
  onSensorChange: (ref: string) => Promise<void>;
  log: Logger;
  logs: LogLines;
  dir: string;
  close(): Promise<void>;
}

export async function startSensorHarness(): Promise<SensorHarness> {
  const dir = mkdtempSync(join(tmpdir(), "squall-sensors-"));
  const store = openSqliteStore(join(dir, "db.sqlite"));
  const report = await registerPackPaths(store.content, [SENSOR_PACK], {
    packsPaths: [],
    configsDir: join(dir, "configs"),
  });
  assert.deepEqual(report.errors, [], "the sensor pack registers cleanly");
  const logs = new LogLines();
  const log = pino({ level: "debug" }, { write: (line: string) => logs.write(line) });
  const registry = new TriggerRegistry(store);
  const dispatcher = new Dispatcher(store, registry, createInstanceOpsBuilder(registry), 60_000);
  const rules = new RulesService(store, registry, dispatcher, log);
  await rules.reload();
  const controller = new AbortController();
  const executions = new ExecutionService(
    store,
    new EventBus(),
    validateExecutionRequest,
    log,
    new Set(["noop", "nodejs"]),
  );
  const worker = startRulesWorker({
    store,
    rules,
    executions,
    engine: new JinjaEngine(),
    log,
    nodeId: "test",
    leaseMs: 30_000,
    signal: controller.signal,
  });
  const datastore = new DatastoreService({
    store,
    key: null,
    instanceOps: createSystemInstanceOps(registry),
    systemUser: "stanley",
  });
  const bus = new EventBus();
  const harness = { onSensorChange: async (_ref: string) => {} };
  const ctx: ApiContext = {
    store,
    executions,
    bus,
    secrets: new SecretRegistry(),
    registerPacks: (packs) =>
      registerPackPaths(store.content, packs, { packsPaths: [], configsDir: join(dir, "configs") }),
    onSensorChange: (ref) => harness.onSensorChange(ref),
  };
  const app: FastifyInstance = Fastify();
  app.setErrorHandler(errorHandler);
  await app.register(
    async (scope) => {
      keyRoutes(scope, { datastore });
      sensorRoutes(scope, ctx);
    },
    { prefix: "/api/v1" },
  );
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return {
    store,
    registry,
    dispatcher,
    rules,
    apiUrl: `http://127.0.0.1:${port}/api/v1`,
    url: `http://127.0.0.1:${port}`,
    get onSensorChange() {
      return harness.onSensorChange;
    },
    set onSensorChange(fn) {
      harness.onSensorChange = fn;
    },
    log,
    logs,
    dir,
    async close() {
      controller.abort();
      await worker.done;
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a value (bounded); fails naming what was awaited. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
