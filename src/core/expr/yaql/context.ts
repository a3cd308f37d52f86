/**
 * Evaluation context: a chain of variable scopes (yaql's Context) and the engine settings of the
 * mode being evaluated. Functions defined inside an expression (`def`) live in a scope too, so
 * the shape of a function definition is declared here (registry.ts builds and resolves them).
 */

export type YaqlMode = "default" | "legacy" | "legacy_context_default_engine" | "orquesta";

export interface EngineSettings {
  mode: YaqlMode;
  /** Legacy parser: `=>` builds tuples, indexers filter. */
  legacySyntax: boolean;
  /** Legacy context: the yaql 0.2 function set. */
  legacyLibrary: boolean;
  /** yaql.limitIterators; -1 is "no limit" (a hard safety cap still applies). */
  limitIterators: number;
  allowDelegates: boolean;
  iterableDicts: boolean;
  convertTuplesToLists: boolean;
  /** The expression text, for error messages. */
  expression: string;
}

/** Materialisation cap when the mode sets none, so a runaway expression ends in an error. */
export const HARD_ITERATION_LIMIT = 1_000_000;

export class Context {
  private readonly vars = new Map<string, unknown>();
  private fns: Map<string, FunctionDef[]> | null = null;

  constructor(
    readonly parent: Context | null,
    readonly engine: EngineSettings,
    readonly lookup: (name: string) => FunctionDef[] | undefined,
  ) {}

  child(): Context {
    return new Context(this, this.engine, this.lookup);
  }

  get(name: string): unknown {
    for (let c: Context | null = this; c; c = c.parent) {
      if (c.vars.has(name)) return c.vars.get(name);
    }
    return undefined;
  }

  has(name: string): boolean {
    for (let c: Context | null = this; c; c = c.parent) if (c.vars.has(name)) return true;
    return false;
  }

  set(name: string, value: unknown): void {
    this.vars.set(name, value);
  }

  define(def: FunctionDef): void {
    this.fns ??= new Map();
    const list = this.fns.get(def.name) ?? [];
    list.push(def);
    this.fns.set(def.name, list);
  }

  /** Overloads by scope, nearest first; the library's come last. */
  functionLayers(name: string): FunctionDef[][] {
    const layers: FunctionDef[][] = [];
    for (let c: Context | null = this; c; c = c.parent) {
      const own = c.fns?.get(name);
      if (own) layers.push(own);
    }
    const lib = this.lookup(name);
    if (lib) layers.push(lib);
    return layers;
  }
}

/** Returned by `let`, `with`, `def` and `unpack`: `->` evaluates its right side in it. */
export class ContextValue {
  constructor(readonly context: Context) {}
}

/** A lazily evaluated argument: call it with values for `$`, `$1`, `$2`… */
export type Lambda = (...args: unknown[]) => unknown;

/** `a => b` passed positionally (yaql's MappingRule). */
export interface MappingRule {
  source: unknown;
  destination: unknown;
}
export interface LazyMappingRule {
  source: Lambda;
  destination: Lambda;
}

export interface ParamType {
  readonly name: string;
  /** "lambda": passed unevaluated; "mapping"/"lazyMapping": takes `a => b` arguments. */
  readonly kind?: "lambda" | "mapping" | "lazyMapping";
  check(value: unknown, ctx: Context): boolean;
  convert?(value: unknown, ctx: Context): unknown;
}

export interface Param {
  name: string;
  type: ParamType;
  optional?: boolean;
  default?: unknown;
}

export interface CallInfo {
  ctx: Context;
  name: string;
  /** Overload resolution found this definition through `x.f()`. */
  asMethod: boolean;
}

export type Impl = (call: CallInfo, args: unknown[]) => unknown;

export interface FunctionDef {
  name: string;
  kind: "function" | "method" | "ext";
  params: Param[];
  varargs?: ParamType;
  /** Accepts arbitrary `name => value` keyword arguments; they arrive as a Map after varargs. */
  kwargs?: boolean;
  /** yaql's no_kwargs: `name => value` stays a positional mapping rule. */
  noKwargs?: boolean;
  impl: Impl;
}
