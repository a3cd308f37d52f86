/**
 * The Jinja engine, configured as StackStorm configures Jinja2: SandboxedEnvironment,
 * StrictUndefined, trim_blocks and lstrip_blocks, autoescape off, StackStorm's filters and the
 * `in` test. Templates are parsed once and kept in a bounded LRU cache.
 */

import { RenderError } from "../../errors.ts";
import { PyFloat } from "../python/number.ts";
import { dictSet, Undefined } from "../python/value.ts";
import { type TemplateEngine, TemplateProxy } from "../template.ts";
import type { Expr, Stmt } from "./ast.ts";
import { type Env, evaluate, type FilterFn, type TestFn } from "./evaluator.ts";
import { execute, Output } from "./executor.ts";
import { COLLECTION_FILTERS } from "./filters/collections.ts";
import { st2Filters } from "./filters/st2.ts";
import { TEXT_FILTERS } from "./filters/text.ts";
import { defaultGlobals } from "./globals.ts";
import { ExprParser } from "./parser.ts";
import {
  DEFAULT_LIMITS,
  type JinjaLimits,
  type NativeFn,
  PyFunction,
  RenderBudget,
  Scope,
  TemplateLimitError,
} from "./runtime.ts";
import { parseTemplate } from "./statements.ts";
import { TESTS } from "./tests.ts";
import { walkStmts } from "./undeclared.ts";

export interface JinjaOptions {
  /** The datastore's decrypt, used by the `decrypt_kv` filter. */
  decryptKv?: (ciphertext: string) => string;
  /** Extra global functions (Orquesta's `ctx`, `task`…), called with Python-style arguments. */
  functions?: Readonly<Record<string, NativeFn>>;
  /** Extra filters, or replacements of built-in ones. */
  filters?: Readonly<Record<string, FilterFn>>;
  /** Also expose every filter as a global function, as Orquesta registers StackStorm's. */
  filtersAsFunctions?: boolean;
  limits?: Partial<JinjaLimits>;
  /** Parsed templates kept (LRU). */
  cacheSize?: number;
}

/** A whole-value template: exactly one `{{ expr }}` and only whitespace around it. */
export type Parsed = { stmts: Stmt[]; single: Expr | null };

export class JinjaEngine implements TemplateEngine {
  private readonly cache = new Map<string, Parsed>();
  private readonly cacheSize: number;
  readonly limits: JinjaLimits;
  private readonly filters = new Map<string, FilterFn>();
  private readonly tests = new Map<string, TestFn>(TESTS);
  private readonly globals: Map<string, unknown>;

  constructor(options: JinjaOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.cacheSize = options.cacheSize ?? 1000;
    for (const [n, f] of [
      ...TEXT_FILTERS,
      ...COLLECTION_FILTERS,
      ...st2Filters(options.decryptKv),
    ]) {
      this.filters.set(n, f);
    }
    this.filters.set("d", this.filters.get("default") as FilterFn);
    for (const [n, f] of Object.entries(options.filters ?? {})) this.filters.set(n, f);
    this.globals = defaultGlobals(this.limits);
    if (options.filtersAsFunctions) {
      for (const [n, f] of this.filters) {
        this.globals.set(
          n,
          new PyFunction(n, (args, kwargs) => {
            const env = this.currentEnv;
            if (env === null) throw new RenderError(`${n}() called outside a render`);
            const [value, ...rest] = args;
            if (value instanceof Undefined) value.fail();
            return f(value ?? null, rest, kwargs, env);
          }),
        );
      }
    }
    for (const [n, fn] of Object.entries(options.functions ?? {})) {
      this.globals.set(n, new PyFunction(n, fn));
    }
  }

  /** The render in progress (renders are synchronous, so one at a time per engine). */
  private currentEnv: Env | null = null;

  parse(source: string): Parsed {
    const hit = this.cache.get(source);
    if (hit) {
      this.cache.delete(source);
      this.cache.set(source, hit);
      return hit;
    }
    if (source.length > this.limits.maxSourceLength) {
      throw new TemplateLimitError(
        `template is ${source.length} characters long; the limit is ${this.limits.maxSourceLength}`,
      );
    }
    const stmts = parseTemplate(source);
    const prints = stmts.filter((s) => s.type === "print");
    const onlyWhitespace = stmts.every(
      (s) => s.type === "print" || (s.type === "text" && s.text.trim() === ""),
    );
    const first = prints[0];
    const single =
      prints.length === 1 && first?.type === "print" && onlyWhitespace ? first.expr : null;
    const parsed = { stmts, single };
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(source, parsed);
    return parsed;
  }

  /** Runs `body` with a fresh budget and scope over `context`. */
  run<T>(context: Readonly<Record<string, unknown>>, body: (env: Env, scope: Scope) => T): T {
    const env: Env = {
      filters: this.filters,
      tests: this.tests,
      budget: new RenderBudget(this.limits),
    };
    const outer = this.currentEnv;
    this.currentEnv = env;
    try {
      return body(env, new Scope(null, context, this.globals).child());
    } catch (e) {
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        throw new TemplateLimitError("template recursion too deep");
      }
      throw e;
    } finally {
      this.currentEnv = outer;
    }
  }

  render(source: string, context: Readonly<Record<string, unknown>>): string {
    const { stmts } = this.parse(source);
    return this.run(context, (env, scope) => {
      const out = new Output(env);
      execute(env, stmts, scope, out);
      return out.text();
    });
  }

  renderValue(source: string, context: Readonly<Record<string, unknown>>): unknown {
    const { single } = this.parse(source);
    if (single === null) return this.render(source, context);
    const value = this.run(context, (env, scope) => evaluate(env, scope, single));
    if (value instanceof Undefined) value.fail();
    return value instanceof TemplateProxy ? value.str() : value;
  }

  /** Evaluates one expression (no `{{ }}`), as Jinja's `compile_expression`; keeps Undefined. */
  evaluateExpression(source: string, context: Readonly<Record<string, unknown>>): unknown {
    const key = `\u0000expr:${source}`;
    let parsed = this.cache.get(key);
    if (!parsed) {
      const p = ExprParser.of(source);
      const expr = p.parseTuple();
      p.expectEnd();
      parsed = { stmts: [], single: expr };
      if (this.cache.size >= this.cacheSize) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
      this.cache.set(key, parsed);
    }
    const expr = parsed.single as Expr;
    return this.run(context, (env, scope) => evaluate(env, scope, expr));
  }

  isTemplate(source: string): boolean {
    return source.includes("{{") || source.includes("{%");
  }

  undeclaredVariables(source: string): ReadonlySet<string> {
    const out = new Set<string>();
    walkStmts(this.parse(source).stmts, new Set(), out);
    return out;
  }
}

/** Builds a context dict whose keys may include "__proto__" safely. */
export function contextOf(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) dictSet(out, k, v);
  return out;
}

export { PyFloat };
