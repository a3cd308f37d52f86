/**
 * Checking a response against the inquiry's schema the way StackStorm does
 * (`schema.validate(use_default=True, allow_default_none=True)`): Draft-3 `required: true` on
 * properties, defaults filled before the check, optional fields accepting null. The whole
 * schema is validated as the value of one required field named `response`, so every issue path
 * starts with the body field the caller sent (`response.continue`).
 */

import type { ParameterSchema } from "../../core/content/model.ts";
import { validateValues } from "../../core/content/param-schema.ts";
import type { SchemaIssue } from "../../core/content/schema-check.ts";

/** Compiled validators are kept per distinct schema text; inquiries mostly reuse a few. */
const MAX_CACHED = 256;
const wrappers = new Map<string, ParameterSchema>();

function wrapperFor(schema: Record<string, unknown>): ParameterSchema {
  const key = JSON.stringify(schema);
  let wrapper = wrappers.get(key);
  if (!wrapper) {
    if (wrappers.size >= MAX_CACHED) {
      const oldest = wrappers.keys().next().value;
      if (oldest !== undefined) wrappers.delete(oldest);
    }
    wrapper = { response: { ...structuredClone(schema), required: true } } as ParameterSchema;
    wrappers.set(key, wrapper);
  }
  return wrapper;
}

export function checkResponse(schema: Record<string, unknown>, response: unknown): SchemaIssue[] {
  if (response === undefined) return [{ path: ["response"], message: "is required" }];
  return validateValues({ response }, wrapperFor(schema), { allowAdditional: false }).issues;
}

/** `response.continue is required; response.reason must be string` */
export function describeIssues(issues: readonly SchemaIssue[]): string {
  return issues
    .map((i) => (i.path.length > 0 ? `${i.path.join(".")} ${i.message}` : i.message))
    .join("; ");
}
