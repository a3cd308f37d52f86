/**
 * StackStorm's execution endpoints: create, list (with st2's filters), get, cancel, output.
 * Views of one execution (children, attribute, result) are in execution-views.ts; pause, resume
 * and re-run are in execution-control.ts.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { ValidationError } from "../../core/errors.ts";
import type { Execution, ExecutionContext } from "../../core/execution/model.ts";
import { type ExecutionStatus, isExecutionStatus } from "../../core/execution/status.ts";
import { NotCancelableError } from "../../engine/services/executions.ts";
import type { ExecutionFilter, PageResult } from "../../engine/store/contract.ts";
import type { ApiContext } from "../context.ts";
import {
  anyObject,
  listOf,
  listQuery,
  pathParams,
  responses,
  SHOW_SECRETS,
  text,
} from "../openapi/schemas.ts";
import { type ListOptions, listOptions, project, readPage, sendPage } from "../paging.ts";
import { ExecutionPresenter, showSecrets } from "../present.ts";

type Query = Record<string, string | undefined>;

interface CreateBody {
  action: string;
  parameters?: Record<string, unknown>;
  context?: Record<string, unknown>;
  delay?: number | null;
  user?: string | null;
  notify?: Record<string, unknown>;
}

/** st2's LiveActionCreateAPI, as far as a client may set it. */
const CREATE_BODY = {
  type: "object",
  properties: {
    action: { type: "string", minLength: 1, maxLength: 1024 },
    parameters: { type: "object" },
    context: { type: "object" },
    delay: { type: ["integer", "null"], minimum: 0 },
    user: { type: ["string", "null"], maxLength: 256 },
    notify: { type: "object" },
  },
  required: ["action"],
  additionalProperties: false,
};

export const EXECUTION_FILTERS = [
  "action",
  "status",
  "parent",
  "runner",
  "user",
  "trigger_instance",
  "rule",
  "trigger",
  "trigger_type",
  "liveaction",
  "id",
  "timestamp_gt",
  "timestamp_lt",
  "sort_asc",
  "sort_desc",
] as const;

/** Executions are kept in id order, which is start order. */
const SORTABLE = ["start_timestamp", "timestamp", "id"];

function statusFilter(raw: string | undefined): ExecutionStatus[] | undefined {
  if (raw === undefined || raw === "") return undefined;
  const list = raw.split(",").filter(Boolean);
  for (const s of list)
    if (!isExecutionStatus(s))
      throw new ValidationError(`unknown status "${s.slice(0, 64)}"`, { field: "status" });
  return list as ExecutionStatus[];
}

function isTrue(raw: string | undefined): boolean {
  return raw === "True" || raw === "true" || raw === "1";
}

function executionFilter(q: Query, options: ListOptions): ExecutionFilter {
  for (const name of ["trigger", "trigger_type"] as const)
    if (q[name])
      throw new ValidationError(
        `filtering executions by ${name} is not supported; filter by rule or trigger_instance`,
        { field: name },
      );
  const filter: ExecutionFilter = {};
  if (q.action) filter.action = q.action;
  const status = statusFilter(q.status);
  if (status) filter.status = status;
  if (q.parent) filter.parent = q.parent === "null" ? null : q.parent;
  if (q.runner) filter.runner_type = q.runner;
  if (q.user) filter.user = q.user;
  if (q.trigger_instance) filter.trigger_instance = q.trigger_instance;
  if (q.rule) filter.rule = q.rule;
  if (q.timestamp_gt) filter.timestamp_gt = q.timestamp_gt;
  if (q.timestamp_lt) filter.timestamp_lt = q.timestamp_lt;
  const first = options.sort[0];
  if (isTrue(q.sort_asc) || (first && !first.descending)) filter.sort = "asc";
  if (isTrue(q.sort_desc) || first?.descending) filter.sort = "desc";
  return filter;
}

/** The `St2-Context` header st2client sends (JSON), merged under the body's context. */
function headerContext(request: FastifyRequest): Record<string, unknown> {
  const raw = request.headers["st2-context"];
  if (typeof raw !== "string" || raw === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ValidationError("the St2-Context header must be a JSON object", {
      field: "st2-context",
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ValidationError("the St2-Context header must be a JSON object", {
      field: "st2-context",
    });
  return parsed as Record<string, unknown>;
}

export function executionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const present = () => new ExecutionPresenter(ctx.store, ctx.secrets);

  app.post<{ Body: CreateBody }>(
    "/executions",
    {
      schema: {
        description: "Runs an action.",
        querystring: { type: "object", properties: { show_secrets: SHOW_SECRETS } },
        body: CREATE_BODY,
        response: responses(201, anyObject("The execution, as requested.")),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const context = { ...headerContext(request), ...(body.context ?? {}) } as ExecutionContext;
      if (typeof body.user === "string" && body.user !== "" && context.user === undefined)
        context.user = body.user;
      const execution = await ctx.executions.request({
        action: body.action,
        parameters: body.parameters ?? {},
        ...(Object.keys(context).length > 0 ? { context } : {}),
        ...(typeof body.delay === "number" ? { delay: body.delay } : {}),
      });
      void reply.code(201);
      return present().one(execution, showSecrets(request, ctx));
    },
  );

  app.get<{ Querystring: Query }>(
    "/executions",
    {
      schema: {
        description: "Lists executions, newest first.",
        querystring: listQuery(EXECUTION_FILTERS, { show_secrets: SHOW_SECRETS }),
        response: responses(200, listOf("Executions.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const options = listOptions(q, { sortable: SORTABLE });
      const ids = [q.id, q.liveaction].filter((v): v is string => !!v);
      let page: PageResult<Execution>;
      if (ids.length > 0) {
        // Squall's execution is st2's liveaction and execution in one, so both name the same id.
        const wanted = [...new Set(ids.flatMap((v) => v.split(",")).filter(Boolean))];
        const found = await Promise.all(wanted.map((id) => ctx.store.executions.get(id)));
        const items = found.filter((e): e is Execution => e !== null);
        page = { items, total: items.length };
      } else {
        const filter = executionFilter(q, options);
        page = await readPage((p) => ctx.executions.list(filter, p), options.page);
      }
      const items = await present().many(page.items, showSecrets(request, ctx));
      return sendPage(
        reply,
        { total: page.total, items: items.map((e) => project(e, options)) },
        options.page.limit,
      );
    },
  );

  app.get<{ Params: { id: string }; Querystring: Query }>(
    "/executions/:id",
    {
      schema: {
        description: "One execution.",
        params: pathParams("id"),
        querystring: {
          type: "object",
          properties: {
            include_attributes: text(),
            exclude_attributes: text(),
            show_secrets: SHOW_SECRETS,
            max_result_size: { type: "integer", minimum: 1 },
          },
        },
        response: responses(200, anyObject("The execution.")),
      },
    },
    async (request) => {
      const q = request.query;
      const options = listOptions({
        include_attributes: q.include_attributes,
        exclude_attributes: q.exclude_attributes,
      });
      const out = await present().one(
        await ctx.executions.get(request.params.id),
        showSecrets(request, ctx),
      );
      const max = q.max_result_size === undefined ? undefined : Number(q.max_result_size);
      // st2 leaves out a result larger than the caller can take, rather than truncate it.
      if (max !== undefined && JSON.stringify(out.result ?? null).length > max) delete out.result;
      return project(out, options);
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/executions/:id",
    {
      schema: {
        description: "Cancels an execution.",
        params: pathParams("id"),
        querystring: { type: "object", properties: { show_secrets: SHOW_SECRETS } },
        response: responses(200, anyObject("The canceled execution, or a faultstring.")),
      },
    },
    async (request) => {
      try {
        return await present().one(
          await ctx.executions.cancel(request.params.id),
          showSecrets(request, ctx),
        );
      } catch (err) {
        // StackStorm answers 200 with a faultstring here, and its clients rely on that.
        if (err instanceof NotCancelableError) return { faultstring: err.message };
        throw err;
      }
    },
  );

  app.get<{ Params: { id: string }; Querystring: Query }>(
    "/executions/:id/output",
    {
      schema: {
        description: "The execution's output so far (text, or JSON chunks).",
        params: pathParams("id"),
        querystring: {
          type: "object",
          properties: {
            output_type: { type: "string", enum: ["all", "stdout", "stderr"], default: "all" },
            after_seq: { type: "integer", minimum: 0 },
            format: { type: "string", enum: ["text", "json"] },
          },
        },
        response: responses(200, {
          description: "Output text, or a list of chunks.",
          anyOf: [{ type: "string" }, listOf("Output chunks.")],
        }),
      },
    },
    async (request, reply) => {
      await ctx.executions.get(request.params.id);
      const q = request.query;
      const outputType =
        q.output_type === "stdout" || q.output_type === "stderr" ? q.output_type : undefined;
      const afterSeq = q.after_seq === undefined ? undefined : Number(q.after_seq);
      const chunks = await ctx.store.executions.readOutput(request.params.id, {
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        ...(outputType ? { outputType } : {}),
      });
      // StackStorm answers plain text; JSON is offered for clients that resume by seq.
      if (q.format === "text" || (request.headers.accept ?? "").startsWith("text/plain")) {
        void reply.type("text/plain; charset=utf-8");
        return reply.send(chunks.map((c) => c.data).join(""));
      }
      return chunks;
    },
  );
}
