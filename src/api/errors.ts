/**
 * Maps typed errors to HTTP answers in StackStorm's error shape (`{faultstring}`), so clients
 * written for st2 show the reason. The status comes from the error's class, never its text.
 */

import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import {
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
  RenderError,
  ValidationError,
} from "../core/errors.ts";

export function statusFor(err: unknown): number {
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ValidationError || err instanceof RenderError) return 400;
  if (err instanceof ConflictError || err instanceof IllegalTransitionError) return 409;
  const e = err as Partial<FastifyError>;
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 600)
    return e.statusCode;
  return 500;
}

export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const status = statusFor(err);
  let message = err instanceof Error ? err.message : String(err);
  // Name the field even when the underlying message (e.g. a schema error) does not.
  const field = err instanceof ValidationError ? err.location?.field : undefined;
  if (field && !message.includes(field.split(".").pop() ?? field)) message = `${field}: ${message}`;
  if (status >= 500) request.log.error({ err }, "request failed");
  const body: Record<string, unknown> = {
    faultstring: status >= 500 ? "Internal Server Error" : message,
  };
  if (err instanceof ValidationError && err.location) body.location = err.location;
  void reply.code(status).send(body);
}
