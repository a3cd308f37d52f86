/**
 * Orquesta's expression functions (orquesta/expressions/functions/*.py) over its context keys
 * `__vars`, `__current_item`, `__current_task` and `__state`, plus StackStorm's `st2kv` and
 * `task`, which reach outside the expression through injected callbacks.
 */

import type { Context } from "../context.ts";
import { fromPlain } from "../convert.ts";
import { pyError } from "../errors.ts";
import { type FunctionDef, fn, opt, p, T, toArray } from "../registry.ts";
import { YDict } from "../values.ts";

export interface OrquestaCallbacks {
  /** StackStorm datastore lookup for `st2kv(key, decrypt)`. */
  st2kv?: (key: string, decrypt: boolean) => unknown;
  /** A task's execution record for `task(id)`. */
  task?: (taskId: string | null) => unknown;
}

const COMPLETED = ["succeeded", "failed", "expired", "abandoned", "canceled"];
const UNSET = "null";

function internal(ctx: Context, name: string): unknown {
  const v = ctx.get(name);
  return v === undefined ? null : v;
}

function dictGet(d: unknown, k: string): unknown {
  return d instanceof YDict ? d.get(k) : undefined;
}

function taskStatus(ctx: Context, taskId: string, route: number | null): string {
  let r = route;
  if (r === null) {
    const rt = dictGet(internal(ctx, "__current_task"), "route");
    r = typeof rt === "number" ? rt : 0;
  }
  const state = internal(ctx, "__state") ?? new YDict();
  const pointers = dictGet(state, "tasks") ?? new YDict();
  const idx = dictGet(pointers, `${taskId}__r${r}`);
  if (idx === undefined || idx === null) {
    const routes = dictGet(state, "routes");
    if (r > 0 && Array.isArray(routes)) {
      const current = new Set((routes[r] as unknown[]) ?? []);
      const earlier = routes.slice(0, r).reverse();
      for (let i = 0; i < earlier.length; i++) {
        if (((earlier[i] as unknown[]) ?? []).every((x) => current.has(x))) {
          return taskStatus(ctx, taskId, r - i - 1);
        }
      }
    }
    return UNSET;
  }
  const seq = dictGet(state, "sequence");
  const entry = Array.isArray(seq) ? seq[idx as number] : undefined;
  if (entry === undefined || entry === null) return UNSET;
  const status = dictGet(entry, "status");
  return status === undefined ? UNSET : (status as string);
}

function currentTask(ctx: Context): YDict {
  const t = internal(ctx, "__current_task");
  if (!(t instanceof YDict) || t.size === 0) {
    throw pyError("ExpressionEvaluationException", "The current task is not set in the context.");
  }
  return t;
}

function currentStatus(ctx: Context): string {
  const t = currentTask(ctx);
  return taskStatus(ctx, String(t.get("id")), (t.get("route") as number | undefined) ?? 0);
}

export function orquestaFunctions(callbacks: OrquestaCallbacks = {}): FunctionDef[] {
  return [
    fn("ctx", "function", [opt("key", T.nullable(T.string), null)], (c, [key]) => {
      const vars = internal(c.ctx, "__vars");
      // Orquesta keeps its internal keys (`__state`, `__current_task`, ...) out of ctx().
      if (!key) {
        if (!(vars instanceof YDict)) return vars;
        const visible = new YDict();
        for (const [k, v] of vars.entries())
          if (!(typeof k === "string" && k.startsWith("__"))) visible.set(k, v);
        return visible;
      }
      if (!(vars instanceof YDict) || !vars.has(key)) {
        throw pyError("VariableUndefinedError", `The variable "${key}" is undefined.`);
      }
      if (String(key).startsWith("__")) {
        throw pyError(
          "VariableInaccessibleError",
          `The variable "${key}" is for internal use and inaccessible.`,
        );
      }
      return vars.get(key);
    }),
    fn("json", "function", [p("s")], (_c, [s]) => {
      if (s instanceof YDict) return s;
      if (typeof s !== "string") throw pyError("TypeError", "Given object is not typeof string.");
      try {
        return fromPlain(JSON.parse(s));
      } catch (err) {
        throw pyError("ValueError", (err as Error).message);
      }
    }),
    fn(
      "zip",
      "function",
      [],
      (c, [args, kw]) => {
        const lists = (args as unknown[]).map((a) => (a === null ? [] : toArray(a, c.ctx)));
        if (lists.length === 1) return (args as unknown[])[0];
        const pad = (kw as Map<string, unknown>).get("pad") ?? null;
        const n = Math.max(0, ...lists.map((l) => l.length));
        return Array.from({ length: n }, (_v, i) => lists.map((l) => (i < l.length ? l[i] : pad)));
      },
      { varargs: T.any, kwargs: true },
    ),
    fn("item", "function", [opt("key", T.nullable(T.string), null)], (c, [key]) => {
      const item = internal(c.ctx, "__current_item");
      if (!key) return item;
      if (!(item instanceof YDict)) {
        throw pyError("ExpressionEvaluationException", "Item is not type of collections.Mapping.");
      }
      if (!item.has(key)) {
        throw pyError("ExpressionEvaluationException", `Item does not have key "${key}".`);
      }
      return item.get(key);
    }),
    fn(
      "task_status",
      "function",
      [p("taskId", T.string), opt("route", T.nullable(T.int), null)],
      (c, [id, route]) => taskStatus(c.ctx, id as string, route as number | null),
    ),
    fn("succeeded", "function", [], (c) => currentStatus(c.ctx) === "succeeded"),
    fn("failed", "function", [], (c) => currentStatus(c.ctx) === "failed"),
    fn("completed", "function", [], (c) => COMPLETED.includes(currentStatus(c.ctx))),
    fn("result", "function", [], (c) => currentTask(c.ctx).get("result") ?? null),
    fn(
      "st2kv",
      "function",
      [p("key", T.string), opt("decrypt", T.bool, false)],
      (_c, [key, decrypt]) => {
        if (!callbacks.st2kv)
          throw pyError("ExpressionEvaluationException", "st2kv is not available here.");
        return fromPlain(callbacks.st2kv(key as string, decrypt as boolean));
      },
    ),
    fn("task", "function", [opt("taskId", T.nullable(T.string), null)], (_c, [id]) => {
      if (!callbacks.task)
        throw pyError("ExpressionEvaluationException", "task is not available here.");
      return fromPlain(callbacks.task(id as string | null));
    }),
  ];
}
