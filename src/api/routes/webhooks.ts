/**
 * StackStorm's webhooks: `POST /webhooks/<url>` dispatches to every webhook trigger with that
 * url (payload `{headers, headers_lower, body}`), and `POST /webhooks/st2` takes
 * `{trigger, payload}` for any trigger. Accepted requests answer 202 with the body received.
 *
 * Idempotency (not in StackStorm): an `Idempotency-Key` header, or a payload field a rule's
 * webhook trigger names as its key, makes repeats within the retention window create nothing.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import type { DispatchResult } from "../../engine/reactor/dispatcher.ts";
import { anyObject, listOf, listQuery, pathParams, responses } from "../openapi/schemas.ts";
import { listOptions, pageInMemory, sendPage } from "../paging.ts";

export interface WebhookDeps {
  dispatcher: {
    dispatchWebhook(
      url: string,
      payload: Record<string, unknown>,
      options: { traceTag?: string; idempotencyKey?: string },
    ): Promise<DispatchResult>;
    dispatchTrigger(
      ref: string,
      payload: Record<string, unknown>,
      options: { traceTag?: string; idempotencyKey?: string },
    ): Promise<DispatchResult>;
    listWebhooks(): Promise<Array<Record<string, unknown>>>;
  };
}

function headerOptions(request: FastifyRequest): { traceTag?: string; idempotencyKey?: string } {
  const tag = request.headers["st2-trace-tag"];
  const key = request.headers["idempotency-key"];
  return {
    ...(typeof tag === "string" && tag !== "" ? { traceTag: tag } : {}),
    ...(typeof key === "string" && key !== "" ? { idempotencyKey: key } : {}),
  };
}

export function webhookRoutes(app: FastifyInstance, deps: WebhookDeps): void {
  // In a child context, so the extra body parsers below apply to webhooks only: every other
  // route keeps answering 415 to a form or text body.
  void app.register(async (scope) => webhookScope(scope, deps));
}

function webhookScope(app: FastifyInstance, deps: WebhookDeps): void {
  // StackStorm accepts form posts and plain text too; keep the raw text for anything not JSON.
  app.addContentTypeParser(
    ["application/x-www-form-urlencoded"],
    { parseAs: "string" },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.addContentTypeParser(
    ["text/plain", "application/xml", "text/xml"],
    { parseAs: "string" },
    (_req, body, done) => done(null, body),
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    "/webhooks",
    {
      schema: {
        description:
          "Lists the webhooks enabled rules listen on (their core.st2.webhook triggers).",
        querystring: listQuery(["url"]),
        response: responses(200, listOf("Webhook triggers, each with its url.")),
      },
    },
    async (request, reply) => {
      const options = listOptions(request.query, { sortable: ["url", "ref", "name"] });
      const url = request.query.url;
      const all = (await deps.dispatcher.listWebhooks()).filter((w) => !url || w.url === url);
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  app.get<{ Params: { "*": string } }>(
    "/webhooks/*",
    {
      schema: {
        description: "The webhook trigger listening at one url (the first, as st2 answers).",
        params: pathParams("*"),
        response: responses(200, anyObject("The webhook trigger.")),
      },
    },
    async (request) => {
      const url = request.params["*"].replace(/^\/+|\/+$/g, "");
      const found = (await deps.dispatcher.listWebhooks()).filter((w) => w.url === url);
      const [first] = found;
      if (!first) throw new NotFoundError(`no webhook is registered at "${url}"`);
      return first;
    },
  );

  app.post<{ Params: { "*": string } }>("/webhooks/*", async (request, reply) => {
    const url = request.params["*"].replace(/^\/+|\/+$/g, "");
    if (url === "") throw new ValidationError("webhook url is empty", { field: "url" });
    const options = headerOptions(request);
    const body: unknown = request.body ?? {};
    let result: DispatchResult;
    if (url === "st2") {
      if (typeof body !== "object" || body === null || Array.isArray(body))
        throw new ValidationError("body must be a JSON object with `trigger` and `payload`", {
          field: "body",
        });
      const { trigger, payload } = body as { trigger?: unknown; payload?: unknown };
      if (typeof trigger !== "string" || trigger === "")
        throw new ValidationError("`trigger` must be a trigger ref such as core.st2.webhook", {
          field: "trigger",
        });
      if (
        payload !== undefined &&
        (typeof payload !== "object" || payload === null || Array.isArray(payload))
      )
        throw new ValidationError("`payload` must be an object", { field: "payload" });
      result = await deps.dispatcher.dispatchTrigger(
        trigger,
        (payload ?? {}) as Record<string, unknown>,
        options,
      );
    } else {
      const headers: Record<string, unknown> = {};
      const lower: Record<string, unknown> = {};
      for (let i = 0; i < request.raw.rawHeaders.length; i += 2) {
        const name = request.raw.rawHeaders[i] ?? "";
        const value = request.raw.rawHeaders[i + 1] ?? "";
        headers[name] = value;
        lower[name.toLowerCase()] = value;
      }
      result = await deps.dispatcher.dispatchWebhook(
        url,
        { headers, headers_lower: lower, body },
        options,
      );
    }
    void reply.code(202);
    if (result.traceTag) void reply.header("St2-Trace-Tag", result.traceTag);
    return body;
  });
}
