/**
 * The v1 API as the server wires it (OpenAPI document, strict validation, both prefixes) on a
 * real SQLite store with a demo pack registered from disk: shared by the REST API tests.
 */

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import pino from "pino";
import type { ApiContext } from "../../src/api/context.ts";
import { errorHandler } from "../../src/api/errors.ts";
import { registerOpenApi } from "../../src/api/openapi/document.ts";
import { keyRoutes } from "../../src/api/routes/keys.ts";
import { reactorRoutes } from "../../src/api/routes/reactor.ts";
import { apiV1Routes } from "../../src/api/routes/v1.ts";
import { webhookRoutes } from "../../src/api/routes/webhooks.ts";
import { workflowRoutes } from "../../src/api/routes/workflows.ts";
import { registerPackPaths } from "../../src/engine/content/register-paths.ts";
import { DatastoreService } from "../../src/engine/datastore/service.ts";
import { EventBus } from "../../src/engine/events.ts";
import { SecretRegistry } from "../../src/engine/logger.ts";
import { Dispatcher } from "../../src/engine/reactor/dispatcher.ts";
import {
  createInstanceOpsBuilder,
  createSystemInstanceOps,
} from "../../src/engine/reactor/instances.ts";
import { RulesService } from "../../src/engine/reactor/rules-service.ts";
import { TriggerRegistry } from "../../src/engine/reactor/trigger-registry.ts";
import { ExecutionService } from "../../src/engine/services/executions.ts";
import { validateExecutionRequest } from "../../src/engine/services/parameters.ts";
import type { Store } from "../../src/engine/store/contract.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";

/** Responses are read field by field in assertions. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = any;

export const BODY_LIMIT = 64 * 1024;

const FILES: Record<string, string> = {
  "pack.yaml": "name: demo\ndescription: Demo pack\nversion: 1.0.0\nauthor: tests\n",
  "config.schema.yaml":
    "region:\n  type: string\n  default: eu\ntoken:\n  type: string\n  secret: true\n  required: true\nretries:\n  type: integer\n",
  "actions/echo.yaml":
    "name: echo\nrunner_type: local-shell-cmd\ndescription: Echoes\nparameters:\n  password:\n    type: string\n    secret: true\n",
  "actions/script.yaml":
    "name: script\nrunner_type: local-shell-script\nentry_point: script.sh\ndescription: A script\ntags:\n  - name: kind\n    value: demo\nparameters:\n  count:\n    type: integer\n    default: 2\n",
  "actions/script.sh": "#!/bin/sh\necho hi\n",
  "sensors/watch.yaml":
    "class_name: Watch\nentry_point: watch.py\ndescription: Watches\ntrigger_types:\n  - name: seen\n    payload_schema:\n      type: object\n",
  "sensors/watch.py": "class Watch: pass\n",
  "policies/limit.yaml":
    "name: limit\nresource_ref: demo.echo\npolicy_type: action.concurrency\nparameters:\n  threshold: 2\n",
  "README.md": "# demo\n",
};

export interface RestApi {
  app: FastifyInstance;
  store: Store;
  dir: string;
  packDir: string;
  configsDir: string;
  /** Whether the current request may see secrets; tests flip it. */
  admin: { value: boolean };
  /**
   * The authenticated user requests carry (as the auth plugin sets `request.squallUser`);
   * undefined, as by default, means no authentication is installed.
   */
  user: { value: { name: string; isAdmin: boolean } | undefined };
  rules: RulesService;
  locations: { packsPaths: string[]; configsDir: string };
  sensorChanges: string[];
  /** Every route added to the server, as fastify saw it. */
  registered: Array<{ method: string; url: string }>;
  call(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Json; headers: Record<string, unknown>; text: string }>;
  close(): Promise<void>;
}

export async function startRestApi(): Promise<RestApi> {
  const dir = mkdtempSync(join(tmpdir(), "squall-rest-"));
  const packsDir = join(dir, "packs");
  const packDir = join(packsDir, "demo");
  const configsDir = join(dir, "configs");
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(join(packDir, file, ".."), { recursive: true });
    writeFileSync(join(packDir, file), text);
  }
  writeFileSync(join(dir, "outside-secret.txt"), "not for the API\n");
  symlinkSync(join(dir, "outside-secret.txt"), join(packDir, "escape.txt"));
  mkdirSync(configsDir);
  writeFileSync(join(configsDir, "demo.yaml"), "token: s3cr3t\nretries: 3\n");

  const store = openSqliteStore(join(dir, "db.sqlite"));
  const locations = { packsPaths: [packsDir], configsDir };
  const registration = await registerPackPaths(store.content, [], locations);
  if (registration.errors.length > 0)
    throw new Error(`demo pack did not register: ${JSON.stringify(registration.errors)}`);
  const bus = new EventBus();
  const log = pino({ level: "silent" });
  const executions = new ExecutionService(
    store,
    bus,
    validateExecutionRequest,
    log,
    new Set(["local-shell-cmd", "local-shell-script", "noop"]),
  );
  const registry = new TriggerRegistry(store);
  const dispatcher = new Dispatcher(store, registry, createInstanceOpsBuilder(registry), 60_000);
  const rules = new RulesService(store, registry, dispatcher, log);
  await rules.reload();

  const admin = { value: false };
  const user: RestApi["user"] = { value: undefined };
  const datastore = new DatastoreService({
    store,
    key: null,
    instanceOps: createSystemInstanceOps(registry),
    systemUser: "stanley",
  });
  const sensorChanges: string[] = [];
  const ctx: ApiContext = {
    store,
    executions,
    bus,
    secrets: new SecretRegistry(),
    registerPacks: (packs) => registerPackPaths(store.content, packs, locations),
    mayShowSecrets: (_request: FastifyRequest) => admin.value,
    onSensorChange: (ref) => {
      sensorChanges.push(ref);
    },
    configsDir,
  };
  const app = Fastify({ bodyLimit: BODY_LIMIT, routerOptions: { ignoreTrailingSlash: true } });
  app.setErrorHandler(errorHandler);
  const registered: Array<{ method: string; url: string }> = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) registered.push({ method, url: route.url });
  });
  app.addHook("onRequest", async (request) => {
    if (user.value)
      request.squallUser = {
        ...user.value,
        roles: [],
        authentication: { method: "none", location: "none" },
      };
  });
  await registerOpenApi(app);
  const routes = [
    (scope: FastifyInstance) => reactorRoutes(scope, { store, rules, dispatcher }),
    (scope: FastifyInstance) => keyRoutes(scope, { datastore }),
    (scope: FastifyInstance) => webhookRoutes(scope, { dispatcher }),
    workflowRoutes,
  ];
  for (const prefix of ["/api/v1", "/v1"])
    await app.register(async (scope) => apiV1Routes(scope, { ctx, routes }), { prefix });
  await app.ready();

  return {
    app,
    store,
    dir,
    packDir,
    configsDir,
    admin,
    user,
    rules,
    locations,
    sensorChanges,
    registered,
    async call(method, url, body, headers = {}) {
      const res = await app.inject({
        method: method as "GET",
        url,
        headers,
        ...(body === undefined
          ? {}
          : typeof body === "string"
            ? { payload: body, headers: { "content-type": "application/json", ...headers } }
            : { payload: body as object }),
      });
      let parsed: Json;
      try {
        parsed = res.json();
      } catch {
        parsed = undefined;
      }
      return { status: res.statusCode, body: parsed, headers: res.headers, text: res.body };
    },
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
