/**
 * Function definitions and parameter types: yaql's FunctionDefinition and smart types
 * (yaql/language/specs.py, yaqltypes.py) reduced to what overload resolution needs.
 * A definition is callable as a function, as a method (`x.f()`, receiver first) or both
 * ("ext", yaql's extension_method).
 */

import {
  type CallInfo,
  type Context,
  type FunctionDef,
  HARD_ITERATION_LIMIT,
  type Impl,
  type Lambda,
  type LazyMappingRule,
  type MappingRule,
  type Param,
  type ParamType,
} from "./context.ts";

export type { CallInfo, FunctionDef, Impl, Lambda, LazyMappingRule, MappingRule, Param, ParamType };

import { CollectionTooLargeException } from "./errors.ts";
import {
  isInt,
  isIterableValue,
  isNumber,
  YDateTime,
  YDelegate,
  YDict,
  YIter,
  YRegex,
  YSet,
  YTimespan,
} from "./values.ts";

function limitOf(ctx: Context): number {
  const l = ctx.engine.limitIterators;
  return l >= 0 ? l : HARD_ITERATION_LIMIT;
}

/** yaql's limit_iterable: collections over the limit fail, iterators fail when they pass it. */
export function limitIterable(value: Iterable<unknown>, ctx: Context): Iterable<unknown> {
  const max = limitOf(ctx);
  if (Array.isArray(value)) {
    if (value.length > max) throw new CollectionTooLargeException(max);
    return value;
  }
  if (value instanceof YSet || value instanceof YDict) {
    if (value.size > max) throw new CollectionTooLargeException(max);
    return value instanceof YDict ? value.keys() : value;
  }
  return new YIter(
    (function* () {
      let i = 0;
      for (const x of value) {
        if (i++ >= max) throw new CollectionTooLargeException(max);
        yield x;
      }
    })(),
  );
}

/** Materialises any yaql iterable into an array, within the iteration limit. */
export function toArray(value: unknown, ctx: Context): unknown[] {
  if (Array.isArray(value)) return value;
  return [...limitIterable(value as Iterable<unknown>, ctx)];
}

function simple(name: string, check: (v: unknown, ctx: Context) => boolean): ParamType {
  return { name, check };
}

export const T = {
  any: simple("any", () => true),
  notNull: simple("object", (v) => v !== null && v !== undefined),
  string: simple("string", (v) => typeof v === "string"),
  int: simple("int", (v) => isInt(v)),
  number: simple("number", (v) => isNumber(v)),
  bool: simple("bool", (v) => typeof v === "boolean"),
  dict: simple("dict", (v) => v instanceof YDict),
  set: simple("set", (v) => v instanceof YSet),
  sequence: simple("sequence", (v) => Array.isArray(v)),
  regex: simple("regex", (v) => v instanceof YRegex),
  datetime: simple("datetime", (v) => v instanceof YDateTime),
  timespan: simple("timespan", (v) => v instanceof YTimespan),
  delegate: simple("delegate", (v) => v instanceof YDelegate),
  iterable: {
    name: "iterable",
    check: (v: unknown, ctx: Context) => isIterableValue(v, ctx.engine.iterableDicts),
    convert: (v: unknown, ctx: Context) => limitIterable(v as Iterable<unknown>, ctx),
  } as ParamType,
  /** An iterable that is not a set (the lazy `insert` and friends). */
  iterableNoSet: {
    name: "iterable",
    check: (v: unknown, ctx: Context) =>
      !(v instanceof YSet) && isIterableValue(v, ctx.engine.iterableDicts),
    convert: (v: unknown, ctx: Context) => limitIterable(v as Iterable<unknown>, ctx),
  } as ParamType,
  lambda: { name: "lambda", kind: "lambda", check: () => true } as ParamType,
  mapping: { name: "mapping", kind: "mapping", check: () => true } as ParamType,
  lazyMapping: { name: "mapping", kind: "lazyMapping", check: () => true } as ParamType,
  nullable(t: ParamType): ParamType {
    return {
      ...t,
      name: `${t.name}?`,
      check: (v, ctx) => v === null || v === undefined || t.check(v, ctx),
      convert: (v, ctx) =>
        v === null || v === undefined ? null : t.convert ? t.convert(v, ctx) : v,
    };
  },
  oneOf(...types: ParamType[]): ParamType {
    return {
      name: types.map((t) => t.name).join("|"),
      check: (v, ctx) => types.some((t) => t.check(v, ctx)),
      convert: (v, ctx) => {
        const t = types.find((x) => x.check(v, ctx));
        return t?.convert ? t.convert(v, ctx) : v;
      },
    };
  },
};

export function p(name: string, type: ParamType = T.any): Param {
  return { name, type };
}
export function opt(name: string, type: ParamType, dflt: unknown): Param {
  return { name, type, optional: true, default: dflt };
}

/** Function libraries are lists of definitions, merged into a name-indexed registry. */
export class Registry {
  private readonly byName = new Map<string, FunctionDef[]>();
  constructor(parent?: Registry) {
    if (parent) for (const [k, v] of parent.byName) this.byName.set(k, [...v]);
  }
  add(defs: readonly FunctionDef[]): this {
    for (const d of defs) {
      const list = this.byName.get(d.name) ?? [];
      list.push(d);
      this.byName.set(d.name, list);
    }
    return this;
  }
  /** Drops every overload of a name (a mode replacing a function wholesale). */
  remove(name: string): this {
    this.byName.delete(name);
    return this;
  }
  get(name: string): FunctionDef[] | undefined {
    return this.byName.get(name);
  }
}

type Kind = FunctionDef["kind"];

/** Shorthand for library modules: `fn("name", "ext", [p("x", T.int)], (c, [x]) => …)`. */
export function fn(
  name: string,
  kind: Kind,
  params: Param[],
  impl: Impl,
  extra: Partial<Pick<FunctionDef, "varargs" | "kwargs" | "noKwargs">> = {},
): FunctionDef {
  return { name, kind, params, impl, ...extra };
}
