/**
 * Workflow control over REST, with StackStorm's paths and shapes:
 * - `PUT /executions/{id}` with `{status: "paused"}` pauses a workflow, `{status: "running"}`
 *   resumes it, `{status: "canceled"}` cancels (st2's ActionExecutionsController.put). Pausing a
 *   workflow that is already pausing or paused (or resuming one already running) answers the
 *   execution unchanged; anything not a workflow, or in the wrong state, is a 400.
 * - `POST /executions/{id}/re_run` with `{parameters, tasks, reset, delay}` creates a new
 *   execution of the same action (201); with `tasks`, an Orquesta workflow continues the old
 *   execution's conductor and re-runs those tasks.
 */

import type { FastifyInstance } from "fastify";
import { ValidationError } from "../../core/errors.ts";
import type { Execution, ExecutionContext } from "../../core/execution/model.ts";
import { isCompleted } from "../../core/execution/status.ts";
import type { SecretRegistry } from "../../engine/logger.ts";
import type { ExecutionService } from "../../engine/services/executions.ts";
import type { Store } from "../../engine/store/contract.ts";
import { mayShowSecrets } from "../auth/plugin.ts";
import { ExecutionPresenter } from "../present.ts";

export interface ExecutionControlDeps {
  store: Store;
  secrets: SecretRegistry;
  executions: ExecutionService;
  workflows: {
    handles(runnerType: string): boolean;
    pause(id: string): Promise<Execution>;
    resume(id: string): Promise<Execution>;
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function noMerge(query: unknown): boolean {
  const v = (query as Record<string, unknown> | undefined)?.no_merge;
  return v === true || v === "true" || v === "True" || v === "1";
}

function stringList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new ValidationError(`\`${field}\` must be a list of task names`, { field });
  return v as string[];
}

async function pause(deps: ExecutionControlDeps, execution: Execution): Promise<Execution> {
  if (!deps.workflows.handles(execution.action.runner_type))
    throw new ValidationError(
      `Unable to pause action execution "${execution.id}" because it is not supported by the "${execution.action.runner_type}" runner.`,
      { field: "status" },
    );
  if (execution.status === "pausing" || execution.status === "paused") return execution;
  if (execution.status !== "running")
    throw new ValidationError(
      `Unable to pause execution "${execution.id}" because it is not in a running state (it is ${execution.status}).`,
      { field: "status" },
    );
  return deps.workflows.pause(execution.id);
}

async function resume(deps: ExecutionControlDeps, execution: Execution): Promise<Execution> {
  if (!deps.workflows.handles(execution.action.runner_type))
    throw new ValidationError(
      `Unable to resume action execution "${execution.id}" because it is not supported by the "${execution.action.runner_type}" runner.`,
      { field: "status" },
    );
  if (execution.status === "running" || execution.status === "resuming") return execution;
  if (execution.status !== "paused")
    throw new ValidationError(
      `Unable to resume execution "${execution.id}" because it is in "${execution.status}" state and not in "paused" state.`,
      { field: "status" },
    );
  return deps.workflows.resume(execution.id);
}

export function executionControlRoutes(app: FastifyInstance, deps: ExecutionControlDeps): void {
  const present = () => new ExecutionPresenter(deps.store, deps.secrets);

  app.put<{ Params: { id: string }; Body: unknown }>("/executions/:id", async (request) => {
    const body = request.body;
    if (!isPlainObject(body)) throw new ValidationError("request body must be a JSON object");
    const execution = await deps.executions.get(request.params.id);
    if (isCompleted(execution.status))
      throw new ValidationError("Execution is already in completed state.", { field: "status" });
    let updated: Execution;
    if (body.status === "paused") updated = await pause(deps, execution);
    else if (body.status === "running") updated = await resume(deps, execution);
    else if (body.status === "canceled") updated = await deps.executions.cancel(execution.id);
    else
      throw new ValidationError(
        `\`status\` must be "paused", "running" or "canceled"; got ${JSON.stringify(body.status)}`,
        { field: "status" },
      );
    return present().one(updated, mayShowSecrets(request));
  });

  app.post<{ Params: { id: string }; Body: unknown }>(
    "/executions/:id/re_run",
    async (request, reply) => {
      const body = request.body ?? {};
      if (!isPlainObject(body)) throw new ValidationError("request body must be a JSON object");
      const existing = await deps.executions.get(request.params.id);
      if (body.parameters !== undefined && !isPlainObject(body.parameters))
        throw new ValidationError("`parameters` must be an object", { field: "parameters" });
      const tasks = stringList(body.tasks, "tasks");
      const reset = stringList(body.reset, "reset");
      if (tasks.length > 0 && !deps.workflows.handles(existing.action.runner_type))
        throw new ValidationError("Task option is only supported for Orquesta workflows.", {
          field: "tasks",
        });
      const outside = reset.filter((t) => !tasks.includes(t));
      if (outside.length > 0)
        throw new ValidationError(
          `Only tasks listed in \`tasks\` can be reset; not listed: ${outside.join(", ")}`,
          { field: "reset" },
        );
      const delay =
        body.delay === undefined || body.delay === null ? undefined : Number(body.delay);
      const context: ExecutionContext = {
        "re-run": { ref: existing.id, ...(tasks.length > 0 ? { tasks, reset } : {}) },
      };
      const user = typeof body.user === "string" ? body.user : existing.context.user;
      if (user) context.user = user;
      const execution = await deps.executions.request({
        action: existing.action.ref,
        // st2's `no_merge=true`: only the parameters given, not the original run's.
        parameters: {
          ...(noMerge(request.query) ? {} : existing.parameters),
          ...((body.parameters as object) ?? {}),
        },
        context,
        ...(delay !== undefined ? { delay } : {}),
      });
      void reply.code(201);
      return present().one(execution, mayShowSecrets(request));
    },
  );
}
