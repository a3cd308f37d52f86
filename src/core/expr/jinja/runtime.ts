/** Runtime objects of a render: scopes, callables, namespaces, loop objects and resource limits. */

import { RenderError } from "../../errors.ts";
import { PyObject, Undefined } from "../python/value.ts";

/** Bounds that keep hostile templates within bounded time and memory. */
export interface JinjaLimits {
  /** Loop iterations per render, over all loops together. */
  maxLoopIterations: number;
  /** Characters of output per render (also bounds each block `set` / filter block). */
  maxOutputLength: number;
  /** Nested macro / recursive-loop / filter-callback calls. */
  maxCallDepth: number;
  /** Longest `range()`, as Jinja's sandbox MAX_RANGE. */
  maxRange: number;
  /** Longest template source accepted. */
  maxSourceLength: number;
}

export const DEFAULT_LIMITS: JinjaLimits = {
  maxLoopIterations: 1_000_000,
  maxOutputLength: 10_000_000,
  maxCallDepth: 200,
  maxRange: 100_000,
  maxSourceLength: 1_000_000,
};

/** A template exceeded one of its limits. */
export class TemplateLimitError extends RenderError {
  override readonly code: string = "template_limit";
}

/** Per-render counters checked against the limits. */
export class RenderBudget {
  private iterations = 0;
  private output = 0;
  private depth = 0;
  constructor(readonly limits: JinjaLimits) {}

  tick(): void {
    if (++this.iterations > this.limits.maxLoopIterations) {
      throw new TemplateLimitError(
        `template ran more than ${this.limits.maxLoopIterations} loop iterations`,
      );
    }
  }

  wrote(chars: number): void {
    this.output += chars;
    if (this.output > this.limits.maxOutputLength) {
      throw new TemplateLimitError(
        `template output exceeds ${this.limits.maxOutputLength} characters`,
      );
    }
  }

  enter<T>(run: () => T): T {
    if (++this.depth > this.limits.maxCallDepth) {
      this.depth--;
      throw new TemplateLimitError(
        `calls nested deeper than ${this.limits.maxCallDepth} levels (runaway recursion?)`,
      );
    }
    try {
      return run();
    } finally {
      this.depth--;
    }
  }
}

export type Kwargs = Record<string, unknown>;
export type NativeFn = (args: unknown[], kwargs: Kwargs) => unknown;

/** Anything callable from a template: globals, bound methods, macros, registered functions. */
export class PyFunction extends PyObject {
  constructor(
    readonly name: string,
    readonly fn: NativeFn,
    private readonly kind = "function",
  ) {
    super();
  }
  pyTypeName(): string {
    return this.kind;
  }
  override pyRepr(): string {
    return `<${this.kind} ${this.name}>`;
  }
}

/** Jinja's `namespace()`: the one object whose attributes `{% set ns.x = … %}` may assign. */
export class Namespace extends PyObject {
  readonly attrs = new Map<string, unknown>();
  pyTypeName(): string {
    return "Namespace";
  }
  override pyRepr(): string {
    const parts = [...this.attrs].map(([k, v]) => `${k}=${String(v)}`);
    return `<Namespace {${parts.join(", ")}}>`;
  }
}

/** Jinja's `cycler(*items)`. */
export class Cycler extends PyObject {
  pos = 0;
  constructor(readonly items: unknown[]) {
    super();
  }
  pyTypeName(): string {
    return "Cycler";
  }
}

/** Attributes a template may read from an engine object (the sandbox's allow-list). */
export interface AttrSource {
  readAttr(name: string): unknown;
}

export function isAttrSource(value: unknown): value is AttrSource & PyObject {
  return value instanceof PyObject && typeof (value as Partial<AttrSource>).readAttr === "function";
}

/** Variable scopes: macros and loops open a child; `set` writes to the innermost. */
export class Scope {
  private readonly vars = new Map<string, unknown>();
  constructor(
    private readonly parent: Scope | null,
    private readonly root: Readonly<Record<string, unknown>> | null = null,
    private readonly globals: ReadonlyMap<string, unknown> | null = null,
  ) {}

  child(): Scope {
    return new Scope(this);
  }

  lookup(name: string): unknown {
    let scope: Scope | null = this;
    while (scope) {
      if (scope.vars.has(name)) return scope.vars.get(name);
      if (scope.root && Object.hasOwn(scope.root, name)) return scope.root[name];
      if (scope.globals?.has(name)) return scope.globals.get(name);
      scope = scope.parent;
    }
    return new Undefined(name, "no such variable in the context");
  }

  set(name: string, value: unknown): void {
    this.vars.set(name, value);
  }
}
