/**
 * The content-side v1 routes that need only the API context: actions, action aliases, packs, runner types,
 * sensor types, configs and config schemas, policies and policy types, and the execution views.
 */

import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../context.ts";
import { actionCloneRoutes } from "./action-clone.ts";
import { actionRoutes } from "./actions.ts";
import { aliasExecutionRoutes } from "./alias-execution.ts";
import { aliasRoutes } from "./aliases.ts";
import { configRoutes } from "./configs.ts";
import { executionViewRoutes } from "./execution-views.ts";
import { packRoutes } from "./packs.ts";
import { policyRoutes } from "./policies.ts";
import { runnerRoutes } from "./runners.ts";
import { sensorRoutes } from "./sensors.ts";

export function contentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  actionRoutes(app, ctx);
  actionCloneRoutes(app, ctx);
  aliasRoutes(app, ctx);
  aliasExecutionRoutes(app, ctx);
  packRoutes(app, ctx);
  runnerRoutes(app, ctx);
  sensorRoutes(app, ctx);
  configRoutes(app, ctx);
  policyRoutes(app, ctx);
  executionViewRoutes(app, ctx);
}
