/**
 * Expression rendering for the conductor: inputs, vars, task actions (with-items included),
 * publishes and outputs, each evaluated the way Orquesta's specs evaluate them (rolling contexts,
 * errors collected rather than thrown where Orquesta collects them).
 */

import type { OrquestaCallbacks } from "../../expr/jinja/orquesta.ts";
import { errorClassName } from "../../expr/jinja/orquesta.ts";
import { evaluateWorkflowExpression } from "../../expr/workflow.ts";
import { type Dict, deepCopy, isDict } from "./data.ts";
import { RenderingError } from "./errors.ts";
import type { TaskSpec, WorkflowSpec } from "./spec.ts";

/** Evaluates `value` against a conductor context, whose `__` keys are Orquesta's internals. */
export function evaluate(value: unknown, ctx: Dict, callbacks?: OrquestaCallbacks): unknown {
  const vars: Dict = {};
  const extra: Dict = {};
  for (const [k, v] of Object.entries(ctx)) {
    if (k.startsWith("__")) extra[k] = v;
    else vars[k] = v;
  }
  return evaluateWorkflowExpression(value, vars, {
    extra: extra as { __current_item?: unknown; __current_task?: unknown; __state?: unknown },
    ...(callbacks ? { callbacks } : {}),
  });
}

/** `<Class>: <message>`, as Orquesta logs an exception. */
export function describeError(e: unknown): string {
  const name = e instanceof RenderingError ? e.pyType : errorClassName(e);
  return `${name}: ${e instanceof Error ? e.message : String(e)}`;
}

export interface Rendered {
  values: Dict;
  errors: string[];
}

/**
 * A context copy for rendering: values are copied (a publish must not alias them), but
 * `__state` is the conductor's read-only view and is shared, not copied per expression.
 */
export function copyContext(ctx: Dict): Dict {
  const out: Dict = {};
  for (const [k, v] of Object.entries(ctx)) out[k] = k === "__state" ? v : deepCopy(v);
  return out;
}

/** Renders `[name, value]` pairs in order against a rolling context. */
export function renderRolling(
  pairs: [string, unknown][],
  ctx: Dict,
  callbacks?: OrquestaCallbacks,
): Rendered & { rolling: Dict } {
  const rolling = copyContext(ctx);
  const values: Dict = {};
  const errors: string[] = [];
  for (const [name, value] of pairs) {
    try {
      const v = evaluate(value, rolling, callbacks);
      rolling[name] = v;
      values[name] = v;
    } catch (e) {
      errors.push(describeError(e));
    }
  }
  return { values, errors, rolling };
}

/** Workflow inputs: a runtime value overrides the default, then both are evaluated in order. */
export function renderInput(
  spec: WorkflowSpec,
  runtime: Dict,
  ctx: Dict,
  callbacks?: OrquestaCallbacks,
): Rendered {
  const pairs: [string, unknown][] = spec.input.map((i) => [
    i.name,
    Object.hasOwn(runtime, i.name) ? runtime[i.name] : i.default,
  ]);
  const r = renderRolling(pairs, ctx, callbacks);
  return { values: r.rolling, errors: r.errors };
}

export interface ActionSpec {
  action: unknown;
  input: unknown;
  item_id?: number;
}

/** The task's actions: one, or one per item for a with-items task. */
export function renderActions(
  task: TaskSpec,
  ctx: Dict,
  callbacks?: OrquestaCallbacks,
): ActionSpec[] {
  if (!task.with) {
    return [
      {
        action: evaluate(task.action, ctx, callbacks),
        input: evaluate(task.input, ctx, callbacks),
      },
    ];
  }
  return evaluateItems(task, ctx, callbacks).map((item, idx) =>
    renderItemAction(task, ctx, item, idx, callbacks),
  );
}

/** A with-items task's items, each already shaped by the `x, y in ...` names. */
export function evaluateItems(task: TaskSpec, ctx: Dict, callbacks?: OrquestaCallbacks): unknown[] {
  const text = task.with?.items ?? "";
  const at = text.indexOf(" in ");
  const expr = at < 0 ? text.trim() : text.slice(at + 4).trim();
  const items = evaluate(expr, ctx, callbacks);
  if (!Array.isArray(items)) {
    throw new RenderingError("TypeError", `The value of "${expr}" is not type of list.`);
  }
  const keys = at < 0 ? null : text.slice(0, at).replaceAll(" ", "").split(",");
  return items.map((raw) => {
    if (keys && Array.isArray(raw)) {
      const d: Dict = {};
      keys.forEach((k, i) => {
        if (i < raw.length) d[k] = raw[i];
      });
      return d;
    }
    if (keys && keys.length === 1) return { [keys[0] as string]: raw };
    return raw;
  });
}

/** One item's action and input. */
export function renderItemAction(
  task: TaskSpec,
  ctx: Dict,
  item: unknown,
  idx: number,
  callbacks?: OrquestaCallbacks,
): ActionSpec {
  const itemCtx = { ...ctx, __current_item: item };
  return {
    action: evaluate(task.action, itemCtx, callbacks),
    input: evaluate(task.input, itemCtx, callbacks),
    item_id: idx,
  };
}

/** Publishes of one transition, against a copy of the task's current context. */
export function renderPublish(
  pairs: [string, unknown][],
  ctx: Dict,
  callbacks?: OrquestaCallbacks,
): Rendered {
  const r = renderRolling(pairs, ctx, callbacks);
  return { values: r.values, errors: r.errors };
}

export function asInt(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) ? value : null;
}

export { isDict };
