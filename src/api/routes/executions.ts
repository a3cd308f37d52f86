import type { FastifyInstance } from "fastify";
import { ValidationError } from "../../core/errors.ts";
import type { ExecutionContext } from "../../core/execution/model.ts";
import { type ExecutionStatus, isExecutionStatus } from "../../core/execution/status.ts";
import { NotCancelableError } from "../../engine/services/executions.ts";
import type { ExecutionFilter } from "../../engine/store/contract.ts";
import type { ApiContext } from "../context.ts";
import { pageFrom, sendPage } from "../paging.ts";
import { ExecutionPresenter } from "../present.ts";

interface CreateBody {
  action?: unknown;
  parameters?: unknown;
  context?: unknown;
  delay?: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function statusFilter(raw: unknown): ExecutionStatus[] | undefined {
  if (raw === undefined) return undefined;
  const list = String(raw).split(",").filter(Boolean);
  for (const s of list)
    if (!isExecutionStatus(s))
      throw new ValidationError(`unknown status "${s}"`, { field: "status" });
  return list as ExecutionStatus[];
}

export function executionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const present = () => new ExecutionPresenter(ctx.store, ctx.secrets);

  app.post<{ Body: CreateBody }>("/executions", async (request, reply) => {
    const body = request.body;
    if (!isPlainObject(body)) throw new ValidationError("request body must be a JSON object");
    if (typeof body.action !== "string")
      throw new ValidationError("`action` is required", { field: "action" });
    if (body.parameters !== undefined && !isPlainObject(body.parameters))
      throw new ValidationError("`parameters` must be an object", { field: "parameters" });
    if (body.context !== undefined && !isPlainObject(body.context))
      throw new ValidationError("`context` must be an object", { field: "context" });
    const execution = await ctx.executions.request({
      action: body.action,
      parameters: body.parameters ?? {},
      ...(body.context ? { context: body.context as ExecutionContext } : {}),
      ...(body.delay !== undefined && body.delay !== null ? { delay: Number(body.delay) } : {}),
    });
    void reply.code(201);
    return present().one(execution);
  });

  app.get<{ Querystring: Record<string, string> }>("/executions", async (request, reply) => {
    const q = request.query;
    const filter: ExecutionFilter = {};
    if (q.action) filter.action = q.action;
    const status = statusFilter(q.status);
    if (status) filter.status = status;
    if (q.parent) filter.parent = q.parent === "null" ? null : q.parent;
    if (q.runner) filter.runner_type = q.runner;
    if (q.timestamp_gt) filter.timestamp_gt = q.timestamp_gt;
    if (q.timestamp_lt) filter.timestamp_lt = q.timestamp_lt;
    if (q.sort_asc === "True" || q.sort_asc === "true") filter.sort = "asc";
    const page = await ctx.executions.list(filter, pageFrom(q));
    return sendPage(reply, { total: page.total, items: await present().many(page.items) });
  });

  app.get<{ Params: { id: string } }>("/executions/:id", async (request) =>
    present().one(await ctx.executions.get(request.params.id)),
  );

  app.delete<{ Params: { id: string } }>("/executions/:id", async (request) => {
    try {
      return await present().one(await ctx.executions.cancel(request.params.id));
    } catch (err) {
      // StackStorm answers 200 with a faultstring here, and its clients rely on that.
      if (err instanceof NotCancelableError) return { faultstring: err.message };
      throw err;
    }
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, string> }>(
    "/executions/:id/output",
    async (request, reply) => {
      await ctx.executions.get(request.params.id);
      const q = request.query;
      const outputType =
        q.output_type === "stdout" || q.output_type === "stderr" ? q.output_type : undefined;
      if (q.output_type && !outputType && q.output_type !== "all")
        throw new ValidationError("output_type must be stdout, stderr or all", {
          field: "output_type",
        });
      const afterSeq = q.after_seq === undefined ? undefined : Number(q.after_seq);
      if (afterSeq !== undefined && !Number.isInteger(afterSeq))
        throw new ValidationError("after_seq must be an integer", { field: "after_seq" });
      const chunks = await ctx.store.executions.readOutput(request.params.id, {
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        ...(outputType ? { outputType } : {}),
      });
      // StackStorm answers plain text; JSON is offered for clients that resume by seq.
      if (q.format === "text" || (request.headers.accept ?? "").startsWith("text/plain")) {
        void reply.type("text/plain; charset=utf-8");
        return chunks.map((c) => c.data).join("");
      }
      return chunks;
    },
  );
}
