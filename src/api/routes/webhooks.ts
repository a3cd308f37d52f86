/**
 * StackStorm's webhooks: `POST /webhooks/<url>` dispatches to every webhook trigger with that
 * url (payload `{headers, headers_lower, body}`), and `POST /webhooks/st2` takes
 * `{trigger, payload}` for any trigger. Accepted requests answer 202 with the body received.
 *
 * Idempotency (not in StackStorm): an `Idempotency-Key` header, or a payload field a rule's
 * webhook trigger names as its key, makes repeats within the retention window create nothing.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { ValidationError } from "../../core/errors.ts";
import type { DispatchResult } from "../../engine/reactor/dispatcher.ts";

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

  app.get("/webhooks", async () => deps.dispatcher.listWebhooks());

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
