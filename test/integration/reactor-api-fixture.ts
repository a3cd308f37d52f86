/**
 * A reactor API on a real SQLite store, with the real trigger registry, dispatcher and rules
 * service, seeded with a demo pack: shared by the reactor API and CLI tests.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import pino from "pino";
import { errorHandler } from "../../src/api/errors.ts";
import { reactorRoutes } from "../../src/api/routes/reactor.ts";
import { webhookRoutes } from "../../src/api/routes/webhooks.ts";
import type { ActionDef, RuleDef, TriggerTypeDef } from "../../src/core/content/model.ts";
import { Dispatcher } from "../../src/engine/reactor/dispatcher.ts";
import { createInstanceOpsBuilder } from "../../src/engine/reactor/instances.ts";
import { RulesService } from "../../src/engine/reactor/rules-service.ts";
import { TriggerRegistry } from "../../src/engine/reactor/trigger-registry.ts";
import type { Store } from "../../src/engine/store/contract.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";

export const ECHO: ActionDef = {
  ref: "demo.echo",
  uid: "action:demo:echo",
  name: "echo",
  pack: "demo",
  description: "Echoes a message",
  enabled: true,
  runner_type: "local-shell-cmd",
  entry_point: "",
  parameters: { message: { type: "string" }, password: { type: "string", secret: true } },
  metadata_file: "actions/echo.yaml",
};

const EVENT_TYPE: TriggerTypeDef = {
  ref: "demo.event",
  uid: "trigger_type:demo:event",
  name: "event",
  pack: "demo",
  description: "Something happened in the demo",
  parameters_schema: {},
  payload_schema: { type: "object" },
};

function rule(name: string, extra: Partial<RuleDef>): RuleDef {
  return {
    ref: `demo.${name}`,
    uid: `rule:demo:${name}`,
    name,
    pack: "demo",
    description: `rule ${name}`,
    enabled: true,
    type: { ref: "standard", parameters: {} },
    trigger: { type: "demo.event", parameters: {} },
    criteria: {},
    action: { ref: "demo.echo", parameters: { message: "{{ trigger.x }}", password: "hunter2" } },
    metadata_file: `rules/${name}.yaml`,
    ...extra,
  };
}

export const RULES: RuleDef[] = [
  rule("on_event", {}),
  rule("on_hook", { trigger: { type: "core.st2.webhook", parameters: { url: "hook1" } } }),
  rule("on_timer", {
    trigger: { type: "core.st2.IntervalTimer", parameters: { unit: "seconds", delta: 30 } },
  }),
  rule("bad_timer", {
    enabled: false,
    trigger: { type: "core.st2.IntervalTimer", parameters: { unit: "fortnights", delta: 1 } },
  }),
];

/** Responses are read field by field in assertions; a schema per endpoint would only repeat them. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

export interface ReactorApi {
  app: FastifyInstance;
  store: Store;
  dispatcher: Dispatcher;
  rules: RulesService;
  /** The store's and dispatcher's clock, ms since the epoch; tests move it. */
  clock: { now: number };
  get(url: string): Promise<{ status: number; body: Json; total: string | undefined }>;
  send(
    method: "PUT" | "POST",
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Json }>;
  /** Dispatches `payload` on demo.event at clock time `at`; returns the instance id. */
  fire(payload: Record<string, unknown>, at: number, traceTag?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startReactorApi(): Promise<ReactorApi> {
  const clock = { now: Date.UTC(2024, 0, 1) };
  const now = () => clock.now;
  const dir = mkdtempSync(join(tmpdir(), "squall-reactor-api-"));
  const store = openSqliteStore(join(dir, "db.sqlite"), { now });
  await store.content.upsertAction(ECHO);
  await store.content.upsertTriggerType(EVENT_TYPE);
  for (const r of RULES) await store.content.upsertRule(r);
  const registry = new TriggerRegistry(store);
  const dispatcher = new Dispatcher(
    store,
    registry,
    createInstanceOpsBuilder(registry, now),
    60_000,
    now,
  );
  const rules = new RulesService(store, registry, dispatcher, pino({ level: "silent" }));
  await rules.reload();
  const app = Fastify();
  app.setErrorHandler(errorHandler);
  await app.register(
    async (scope) => {
      reactorRoutes(scope, { store, rules, dispatcher });
      webhookRoutes(scope, { dispatcher });
    },
    { prefix: "/api/v1" },
  );
  await app.ready();
  return {
    app,
    store,
    dispatcher,
    rules,
    clock,
    async get(url) {
      const res = await app.inject({ method: "GET", url: `/api/v1${url}` });
      const total = res.headers["x-total-count"];
      return {
        status: res.statusCode,
        body: res.json(),
        total: total === undefined ? undefined : String(total),
      };
    },
    async send(method, url, body, headers = {}) {
      const res = await app.inject({
        method,
        url: `/api/v1${url}`,
        ...(body !== undefined ? { payload: body as object } : {}),
        headers,
      });
      return { status: res.statusCode, body: res.json() };
    },
    async fire(payload, at, traceTag) {
      clock.now = at;
      const result = await dispatcher.dispatchTrigger(
        "demo.event",
        payload,
        traceTag ? { traceTag } : {},
      );
      assert.equal(result.created.length, 1);
      return result.created[0] as string;
    },
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
