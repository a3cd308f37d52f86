/**
 * Evaluates a value the way an Orquesta workflow evaluates its expressions: `<% %>` is YAQL and
 * `{{ }}` / `{% %}` is Jinja; a text that is one whole expression keeps the result's type, and
 * mixed text renders to a string. Lists and dicts are evaluated element by element. The
 * workflow context is `data`, read with `ctx()`; YAQL's `$` at the top level is null, as in
 * Orquesta.
 *
 * `squall expr` and the workflow engine both go through here, so what a user debugs at the
 * prompt is exactly what a workflow computes.
 */

import { type OrquestaCallbacks, OrquestaJinja } from "./jinja/orquesta.ts";
import { pyJsonDumps } from "./python/json.ts";
import { hasYaqlExpressions, renderOrquestaYaql } from "./yaql/index.ts";

export interface WorkflowExpressionOptions {
  /** Orquesta's internal context keys besides the workflow variables. */
  extra?: { __current_item?: unknown; __current_task?: unknown; __state?: unknown };
  callbacks?: OrquestaCallbacks;
  decryptKv?: (ciphertext: string) => string;
}

const jinjaEngines = new WeakMap<object, OrquestaJinja>();
const DEFAULT_KEY = {};

function jinjaFor(options: WorkflowExpressionOptions): OrquestaJinja {
  const key = options.callbacks ?? options.decryptKv ?? DEFAULT_KEY;
  let engine = jinjaEngines.get(key);
  if (!engine) {
    engine = new OrquestaJinja({
      ...(options.callbacks ? { callbacks: options.callbacks } : {}),
      ...(options.decryptKv ? { decryptKv: options.decryptKv } : {}),
    });
    jinjaEngines.set(key, engine);
  }
  return engine;
}

export function evaluateWorkflowExpression(
  value: unknown,
  data: Record<string, unknown>,
  options: WorkflowExpressionOptions = {},
): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluateWorkflowExpression(v, data, options));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = evaluateWorkflowExpression(v, data, options);
    return out;
  }
  if (typeof value !== "string") return value;
  // The two evaluators take the context in the shapes their Orquesta counterparts do.
  if (hasYaqlExpressions(value))
    return renderOrquestaYaql(
      value,
      { ...data, ...(options.extra ?? {}) },
      options.callbacks ? { callbacks: options.callbacks } : {},
    );
  return jinjaFor(options).evaluate(value, { __vars: data, ...(options.extra ?? {}) });
}

/** The result as JSON text, the way Python's json.dumps writes it (so 2.0 stays 2.0). */
export function workflowValueToJson(value: unknown): string {
  return pyJsonDumps(value, { indent: 2 });
}
