/**
 * JSON-schema fragments shared by the v1 routes. The same objects validate requests (see
 * validation.ts) and describe them in the OpenAPI document, so the two cannot drift.
 */

import type { FastifySchema } from "fastify";

export type JsonSchema = Record<string, unknown>;

/** Long enough for any ref, id or filter value; short enough to refuse abuse early. */
export const MAX_TEXT = 1024;

export const text = (description?: string): JsonSchema => ({
  type: "string",
  maxLength: MAX_TEXT,
  ...(description ? { description } : {}),
});

export const faultSchema: JsonSchema = {
  type: "object",
  description: "An error, in StackStorm's shape.",
  properties: {
    faultstring: { type: "string" },
    location: { type: "object", additionalProperties: true },
  },
  required: ["faultstring"],
};

export const anyObject = (description: string): JsonSchema => ({
  type: "object",
  description,
  additionalProperties: true,
});

export const listOf = (description: string): JsonSchema => ({
  type: "array",
  description,
  items: { type: "object", additionalProperties: true },
});

/** The query parameters every StackStorm list endpoint takes. */
export const LIST_PARAMS: Record<string, JsonSchema> = {
  limit: {
    type: "integer",
    description: "Page size; -1 returns every record.",
  },
  offset: { type: "integer", minimum: 0, description: "Records to skip." },
  sort: { type: "string", maxLength: 256, description: "Comma-separated keys, `-key` descending." },
  include_attributes: {
    type: "string",
    maxLength: MAX_TEXT,
    description: "Comma-separated attributes to return (id is always returned).",
  },
  exclude_attributes: {
    type: "string",
    maxLength: MAX_TEXT,
    description: "Comma-separated attributes to leave out.",
  },
};

export const SHOW_SECRETS: JsonSchema = {
  type: "boolean",
  description: "Unmask secret values; honoured for administrators only.",
};

/** A list endpoint's querystring: the common parameters plus its filters (all text). */
export function listQuery(
  filters: readonly string[],
  extra: Record<string, JsonSchema> = {},
): JsonSchema {
  const properties: Record<string, JsonSchema> = { ...LIST_PARAMS, ...extra };
  for (const f of filters) properties[f] ??= text(`Filter by ${f}.`);
  return { type: "object", properties, additionalProperties: text() };
}

export function pathParams(...names: string[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const n of names) properties[n] = { type: "string", minLength: 1, maxLength: MAX_TEXT };
  return { type: "object", properties, required: names };
}

/** Responses: the success answer plus StackStorm's error shape for the usual failures. */
export function responses(status: number, body: JsonSchema, ...errors: number[]): JsonSchema {
  const out: Record<string, JsonSchema> = { [status]: body };
  for (const e of errors.length > 0 ? errors : [400, 404]) out[e] = faultSchema;
  return out;
}

/** What a route without an explicit schema gets: its path parameters and bounded query text. */
export function defaultSchema(url: string): FastifySchema {
  const names = [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
  if (url.includes("*")) names.push("*");
  const schema: Record<string, unknown> = {
    querystring: { type: "object", additionalProperties: text() },
    response: { "2xx": anyObject("The result."), 400: faultSchema, 404: faultSchema },
  };
  if (names.length > 0) schema.params = pathParams(...names);
  return schema as FastifySchema;
}
