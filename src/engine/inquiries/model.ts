/**
 * An inquiry is not a record of its own: like StackStorm, it is an execution of the `inquirer`
 * runner while it is `pending`, and its question lives in the execution's result. These helpers
 * read that result into the API's inquiry shape.
 */

import { findRunnerType } from "../../core/content/runner-types.ts";
import type { Execution } from "../../core/execution/model.ts";

export const INQUIRER_RUNNER = "inquirer";
/** The trigger StackStorm dispatches when an inquiry starts waiting. */
export const INQUIRY_TRIGGER = "core.st2.generic.inquiry";
/** StackStorm's default TTL, in minutes. */
export const DEFAULT_INQUIRY_TTL = 1440;

/** What `GET /inquiries/{id}` returns (StackStorm's InquiryResponseAPI). */
export interface Inquiry {
  id: string;
  route: string;
  ttl: number;
  users: string[];
  roles: string[];
  schema: Record<string, unknown>;
}

/** The inquirer's result while pending; `response` is added once answered. */
export interface InquiryResult {
  schema: Record<string, unknown>;
  roles: string[];
  users: string[];
  route: string;
  ttl: number;
  response?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The runner type's default schema (`{continue: boolean}`), kept in one place: the runner type. */
export function defaultInquirySchema(): Record<string, unknown> {
  const spec = findRunnerType(INQUIRER_RUNNER)?.runner_parameters.schema;
  const fallback = spec?.default;
  return isRecord(fallback) ? structuredClone(fallback) : { type: "object", properties: {} };
}

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => String(v)) : [];
}

function ttlOf(value: unknown): number {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? Math.trunc(n) : DEFAULT_INQUIRY_TTL;
}

/** The question an inquirer execution asks, from its runner parameters (defaults filled). */
export function inquiryResultFrom(parameters: Record<string, unknown>): InquiryResult {
  return {
    schema: isRecord(parameters.schema) ? parameters.schema : defaultInquirySchema(),
    roles: names(parameters.roles),
    users: names(parameters.users),
    route: typeof parameters.route === "string" ? parameters.route : "",
    ttl: ttlOf(parameters.ttl),
  };
}

export function isInquiryExecution(execution: Execution): boolean {
  return execution.action.runner_type === INQUIRER_RUNNER;
}

/** The inquiry an execution holds; a result that lost its fields reads as the defaults. */
export function toInquiry(execution: Execution): Inquiry {
  const result = isRecord(execution.result) ? execution.result : {};
  const read = inquiryResultFrom(result);
  return {
    id: execution.id,
    route: read.route,
    ttl: read.ttl,
    users: read.users,
    roles: read.roles,
    schema: read.schema,
  };
}
