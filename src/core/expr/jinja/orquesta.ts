/**
 * Jinja as Orquesta evaluates it (orquesta/expressions/jinja.py) with StackStorm's functions:
 * - a text that is exactly one `{{ expr }}` keeps the value's type; several are substituted into
 *   the text as `str()`; a text with `{% %}` blocks is rendered as a whole template;
 * - a string result that itself contains expressions is evaluated again (recursive evaluation),
 *   except when the text had `{% raw %}` blocks, whose output is meant literally;
 * - a whole expression that yields an undefined value fails with "There are unresolved variables";
 * - every other failure is wrapped as `Unable to evaluate expression '<expr>'. <Class>: <msg>`.
 * The data holds Orquesta's context keys `__vars` (read by `ctx()`), `__current_item`,
 * `__current_task` and `__state`.
 */

import { RenderError } from "../../errors.ts";
import { PythonError } from "../python/errors.ts";
import { isPlainObject, pyIterate, pyStr, Undefined, UndefinedError } from "../python/value.ts";
import { TemplateSyntaxError } from "../template.ts";
import { JinjaEngine, type JinjaOptions } from "./engine.ts";
import type { Kwargs, NativeFn } from "./runtime.ts";

/** Orquesta's JinjaEvaluationException and the function errors it wraps. */
export class OrquestaExpressionError extends RenderError {
  override readonly code: string = "expression_error";
  constructor(
    /** The Python exception class Orquesta reports (JinjaEvaluationException, …). */
    readonly pyType: string,
    message: string,
  ) {
    super(message);
  }
}

/** A whole expression yielded an undefined value; Orquesta reports it without wrapping. */
export class UnresolvedVariablesError extends OrquestaExpressionError {}

export interface OrquestaCallbacks {
  /** StackStorm datastore lookup for `st2kv(key, decrypt)`. */
  st2kv?: (key: string, decrypt: boolean) => unknown;
  /** A task's execution record for `task(id)`. */
  task?: (taskId: string | null) => unknown;
}

export interface OrquestaJinjaOptions extends Pick<JinjaOptions, "decryptKv" | "limits"> {
  callbacks?: OrquestaCallbacks;
}

const COMPLETED = ["succeeded", "failed", "expired", "abandoned", "canceled"];
const EXPR = /\{\{[\s\S]*?\}\}/g;
const BLOCK = /\{%[\s\S]*?%\}/;
const RAW = /\{%-?\s*raw\s*-?%\}/;

function fail(pyType: string, message: string): never {
  throw new OrquestaExpressionError(pyType, message);
}

function get(d: unknown, k: string): unknown {
  return isPlainObject(d) && Object.hasOwn(d, k) ? d[k] : undefined;
}

/** Python class name of an error, as Orquesta prints it. */
export function errorClassName(e: unknown): string {
  if (e instanceof OrquestaExpressionError || e instanceof PythonError) return e.pyType;
  if (e instanceof UndefinedError) return "UndefinedError";
  if (e instanceof TemplateSyntaxError) return "TemplateSyntaxError";
  return e instanceof Error ? e.name : "Exception";
}

function errorText(e: unknown): string {
  if (e instanceof UndefinedError) return e.jinjaMessage;
  return e instanceof Error ? e.message : String(e);
}

export function hasExpressions(text: string): boolean {
  return new RegExp(EXPR.source).test(text) || BLOCK.test(text);
}

export class OrquestaJinja {
  readonly engine: JinjaEngine;
  private data: Record<string, unknown> = {};

  constructor(options: OrquestaJinjaOptions = {}) {
    this.engine = new JinjaEngine({
      ...options,
      filtersAsFunctions: true,
      functions: this.functions(options.callbacks ?? {}),
    });
  }

  private taskStatus(taskId: string, route: number | null): string {
    let r = route;
    if (r === null) {
      const rt = get(this.data.__current_task, "route");
      r = typeof rt === "number" ? rt : 0;
    }
    const state = this.data.__state;
    const idx = get(get(state, "tasks"), `${taskId}__r${r}`);
    if (typeof idx !== "number") return "null";
    const seq = get(state, "sequence");
    const entry = Array.isArray(seq) ? seq[idx] : undefined;
    const status = get(entry, "status");
    return typeof status === "string" ? status : "null";
  }

  private currentTask(): Record<string, unknown> {
    const t = this.data.__current_task;
    if (!isPlainObject(t) || Object.keys(t).length === 0) {
      fail("ExpressionEvaluationException", "The current task is not set in the context.");
    }
    return t as Record<string, unknown>;
  }

  private currentStatus(): string {
    const t = this.currentTask();
    const route = t.route;
    return this.taskStatus(pyStr(t.id), typeof route === "number" ? route : 0);
  }

  private functions(callbacks: OrquestaCallbacks): Record<string, NativeFn> {
    const key = (args: unknown[], kwargs: Kwargs, name: string): unknown =>
      args[0] ?? (Object.hasOwn(kwargs, name) ? kwargs[name] : null);
    return {
      ctx: (args, kwargs) => {
        const vars = this.data.__vars ?? {};
        const k = key(args, kwargs, "key");
        if (k === null || k === undefined || k === "") return vars;
        const name = pyStr(k);
        if (name.startsWith("__")) {
          fail(
            "VariableInaccessibleError",
            `The variable "${name}" is for internal use and inaccessible.`,
          );
        }
        if (!isPlainObject(vars) || !Object.hasOwn(vars, name)) {
          fail("VariableUndefinedError", `The variable "${name}" is undefined.`);
        }
        return (vars as Record<string, unknown>)[name];
      },
      item: (args, kwargs) => {
        const item = this.data.__current_item ?? null;
        const k = key(args, kwargs, "key");
        if (k === null || k === undefined) return item;
        if (!isPlainObject(item)) {
          fail("ExpressionEvaluationException", "Item is not type of collections.Mapping.");
        }
        if (!Object.hasOwn(item as object, pyStr(k))) {
          fail("ExpressionEvaluationException", `Item does not have key "${pyStr(k)}".`);
        }
        return (item as Record<string, unknown>)[pyStr(k)];
      },
      json: (args) => {
        const s = args[0];
        if (isPlainObject(s)) return s;
        if (typeof s !== "string")
          throw new PythonError("TypeError", "Given object is not typeof string.");
        try {
          return JSON.parse(s);
        } catch (e) {
          throw new PythonError("ValueError", (e as Error).message);
        }
      },
      zip: (args, kwargs) => {
        if (args.length === 1) return args[0];
        const lists = args.map((a) => (a === null ? [] : pyIterate(a)));
        const pad = Object.hasOwn(kwargs, "pad") ? kwargs.pad : null;
        const n = Math.max(0, ...lists.map((l) => l.length));
        return Array.from({ length: n }, (_v, i) => lists.map((l) => (i < l.length ? l[i] : pad)));
      },
      task_status: (args, kwargs) => {
        const route = args[1] ?? kwargs.route ?? null;
        return this.taskStatus(
          pyStr(args[0] ?? kwargs.task_id),
          typeof route === "number" ? route : null,
        );
      },
      succeeded: () => this.currentStatus() === "succeeded",
      failed: () => this.currentStatus() === "failed",
      completed: () => COMPLETED.includes(this.currentStatus()),
      result: () => this.currentTask().result ?? null,
      st2kv: (args, kwargs) => {
        if (!callbacks.st2kv) fail("ExpressionEvaluationException", "st2kv is not available here.");
        const decrypt = args[1] ?? kwargs.decrypt ?? false;
        return callbacks.st2kv?.(pyStr(args[0] ?? kwargs.key), decrypt === true);
      },
      task: (args, kwargs) => {
        if (!callbacks.task) fail("ExpressionEvaluationException", "task is not available here.");
        const id = key(args, kwargs, "task_id");
        return callbacks.task?.(id === null || id === undefined ? null : pyStr(id));
      },
    };
  }

  /** Evaluates a workflow value: strings are expressions, lists and dicts are walked. */
  evaluate(value: unknown, data: Readonly<Record<string, unknown>>): unknown {
    if (Array.isArray(value)) return value.map((v) => this.evaluate(v, data));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        Object.defineProperty(out, pyStr(this.evaluate(k, data)), {
          value: this.evaluate(v, data),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    if (typeof value !== "string") return value;
    const outer = this.data;
    this.data = { ...data };
    try {
      return this.evaluateText(value);
    } finally {
      this.data = outer;
    }
  }

  private wrap<T>(expr: string, run: () => T): T {
    try {
      return run();
    } catch (e) {
      if (e instanceof UnresolvedVariablesError) throw e;
      throw new OrquestaExpressionError(
        "JinjaEvaluationException",
        `Unable to evaluate expression '${expr}'. ${errorClassName(e)}: ${errorText(e)}`,
      );
    }
  }

  private again(result: unknown, literal: boolean): unknown {
    return !literal && typeof result === "string" && hasExpressions(result)
      ? this.evaluateText(result)
      : result;
  }

  private evaluateText(text: string): unknown {
    const context = this.data;
    if (BLOCK.test(text)) {
      return this.wrap(text, () => this.again(this.engine.render(text, context), RAW.test(text)));
    }
    let output: unknown = text;
    for (const expr of text.match(EXPR) ?? []) {
      const inner = expr.slice(2, -2);
      const result = this.wrap(expr, () => {
        const value = this.engine.evaluateExpression(inner, context);
        if (value instanceof Undefined) {
          throw new UnresolvedVariablesError(
            "JinjaEvaluationException",
            `There are unresolved variables: ${inner.trim()}`,
          );
        }
        return this.again(value, false);
      });
      if (expr === text) output = result;
      else output = (output as string).replace(expr, () => pyStr(result));
    }
    return output;
  }
}
