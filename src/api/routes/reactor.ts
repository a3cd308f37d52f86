/**
 * The reactor's StackStorm-compatible API: trigger types, triggers, trigger instances (with
 * re-emit), timers, rules and their views, rule types, rule enforcements and traces. Webhooks
 * live in webhooks.ts.
 */

import type { FastifyInstance } from "fastify";
import type { ReactorRouteDeps } from "./reactor-query.ts";
import { ruleRoutes } from "./rules.ts";
import { traceRoutes } from "./traces.ts";
import { triggerRoutes } from "./triggers.ts";

export type { ReactorRouteDeps } from "./reactor-query.ts";

export function reactorRoutes(app: FastifyInstance, deps: ReactorRouteDeps): void {
  triggerRoutes(app, deps);
  ruleRoutes(app, deps);
  traceRoutes(app, deps);
}
