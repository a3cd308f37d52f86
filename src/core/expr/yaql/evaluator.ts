/**
 * Tree-walking evaluator and overload resolution (yaql/language/runner.py). Arguments are
 * evaluated at most once, on demand: a lambda parameter receives its expression unevaluated,
 * every other parameter forces it and checks its type. The first overload whose parameters
 * all accept the arguments wins; scopes nearer the call shadow the library.
 */

import { makeTuple } from "../python/value.ts";
import type { Arg, Node } from "./ast.ts";
import { type Context, ContextValue } from "./context.ts";
import {
  NoFunctionRegisteredException,
  NoMatchingFunctionException,
  NoMatchingMethodException,
  NoMethodRegisteredException,
  pyError,
  YaqlException,
} from "./errors.ts";
import type { CallInfo, FunctionDef, Lambda } from "./registry.ts";
import { YDelegate, YDict, YIter, YSet } from "./values.ts";

const NO_VALUE = Symbol("no value");

/** An argument as written at the call site. */
interface CallArg {
  kind: "value" | "map" | "empty" | "named";
  /** For "named": a keyword argument given as a value (`call()`). */
  name?: string;
  node?: Node;
  src?: Node;
  dst?: Node;
  /** A receiver or an already computed value. */
  value?: unknown;
  has?: boolean;
}

/** Evaluates `node` in a child of `ctx` where `$`, `$1`, `$2`… are the arguments. */
export function applyLambda(node: Node, ctx: Context, args: unknown[]): unknown {
  const c = ctx.child();
  if (args.length > 0) {
    c.set("$", args[0]);
    for (const [i, a] of args.entries()) c.set(`$${i + 1}`, a);
  }
  return evaluate(node, c);
}

const lambdaNodes = new WeakMap<Lambda, Node>();

/** The expression behind a lambda argument, for functions that evaluate it elsewhere (`def`). */
export function lambdaNode(f: Lambda): Node | undefined {
  return lambdaNodes.get(f);
}

export function makeLambda(node: Node, ctx: Context): Lambda {
  const f: Lambda = (...args: unknown[]) => applyLambda(node, ctx, args);
  lambdaNodes.set(f, node);
  return f;
}

function force(a: CallArg, ctx: Context): unknown {
  if (!a.has) {
    if (a.kind === "map") {
      // Legacy syntax: `a => b` given to a plain parameter is the tuple operator.
      a.value = makeTuple([evaluate(a.src as Node, ctx), evaluate(a.dst as Node, ctx)]);
    } else a.value = evaluate(a.node as Node, ctx);
    a.has = true;
  }
  return a.value;
}

function keywordOf(a: CallArg): string | null {
  if (a.kind === "named") return a.name ?? null;
  return a.kind === "map" && a.src?.k === "kw" ? a.src.name : null;
}

/** Binds call arguments to one definition; null when it does not match. */
function bind(def: FunctionDef, args: CallArg[], ctx: Context): unknown[] | null {
  const positional: CallArg[] = [];
  const named = new Map<string, CallArg>();
  for (const a of args) {
    const kw = keywordOf(a);
    const takesName =
      kw !== null && !def.noKwargs && (def.kwargs || def.params.some((p) => p.name === kw));
    if (kw !== null && takesName) {
      if (named.has(kw)) return null;
      named.set(kw, a);
    } else positional.push(a);
  }
  if (positional.length > def.params.length && !def.varargs) return null;
  const out: unknown[] = [];
  const convertArg = (a: CallArg, type: FunctionDef["params"][number]["type"]): unknown => {
    if (type.kind === "lambda") {
      if (a.kind === "map" && !ctx.engine.legacySyntax) return NO_VALUE;
      if (a.has && !a.node) return () => a.value;
      const node: Node =
        a.kind === "map"
          ? { k: "binop", op: "=>", left: a.src as Node, right: a.dst as Node, pos: 0 }
          : (a.node as Node);
      return makeLambda(node, ctx);
    }
    if (type.kind === "mapping" || type.kind === "lazyMapping") {
      if (a.kind !== "map") return NO_VALUE;
      if (type.kind === "lazyMapping") {
        return {
          source: makeLambda(a.src as Node, ctx),
          destination: makeLambda(a.dst as Node, ctx),
        };
      }
      return { source: evaluate(a.src as Node, ctx), destination: evaluate(a.dst as Node, ctx) };
    }
    if (a.kind === "map" && !ctx.engine.legacySyntax) return NO_VALUE;
    const v = force(a, ctx);
    if (!type.check(v, ctx)) return NO_VALUE;
    return type.convert ? type.convert(v, ctx) : v;
  };
  for (let i = 0; i < def.params.length; i++) {
    const param = def.params[i] as FunctionDef["params"][number];
    let a: CallArg | undefined = positional[i];
    const byName = named.get(param.name);
    if (byName) {
      if (a && a.kind !== "empty") return null;
      named.delete(param.name);
      a = byName.kind === "named" ? byName : { kind: "value", node: byName.dst };
    }
    if (!a || a.kind === "empty") {
      if (!param.optional) return null;
      out.push(param.default);
      continue;
    }
    const v = convertArg(a, param.type);
    if (v === NO_VALUE) return null;
    out.push(v);
  }
  if (def.varargs) {
    const rest: unknown[] = [];
    for (const a of positional.slice(def.params.length)) {
      if (a.kind === "empty") return null;
      const v = convertArg(a, def.varargs);
      if (v === NO_VALUE) return null;
      rest.push(v);
    }
    out.push(rest);
  }
  if (def.kwargs) {
    const kw = new Map<string, unknown>();
    for (const [k, a] of named) {
      kw.set(k, a.kind === "named" ? a.value : evaluate(a.dst as Node, ctx));
    }
    out.push(kw);
  } else if (named.size > 0) return null;
  return out;
}

export function callFunction(
  ctx: Context,
  name: string,
  args: CallArg[],
  asMethod: boolean,
): unknown {
  const layers = ctx.functionLayers(name);
  let found = false;
  for (const layer of layers) {
    const defs = layer.filter((d) => (asMethod ? d.kind !== "function" : d.kind !== "method"));
    if (defs.length === 0) continue;
    found = true;
    for (const def of defs) {
      const bound = bind(def, args, ctx);
      if (bound) {
        const info: CallInfo = { ctx, name, asMethod };
        return def.impl(info, bound);
      }
    }
  }
  if (!found) {
    throw asMethod
      ? new NoMethodRegisteredException(name)
      : new NoFunctionRegisteredException(name);
  }
  throw asMethod ? new NoMatchingMethodException(name) : new NoMatchingFunctionException(name);
}

function callArgs(args: Arg[], legacy: boolean): CallArg[] {
  return args.map((a) => {
    if (a.k === "empty") return { kind: "empty" };
    if (a.k === "map") return { kind: "map", src: a.src, dst: a.dst };
    if (legacy && a.node.k === "binop" && a.node.op === "=>") {
      return { kind: "map", src: a.node.left, dst: a.node.right };
    }
    return { kind: "value", node: a.node };
  });
}

export function valueArg(value: unknown): CallArg {
  return { kind: "value", value, has: true };
}

/** Calls a named library function with values (for library code that delegates). */
export function callWithValues(ctx: Context, name: string, values: unknown[]): unknown {
  return callFunction(ctx, name, values.map(valueArg), false);
}

export function callDelegate(
  callee: unknown,
  args: unknown[],
  kwargs = new Map<string, unknown>(),
): unknown {
  if (callee instanceof YDelegate) return callee.call(args, kwargs);
  throw new NoMatchingFunctionException("#call");
}

function evaluateArrow(node: Node & { k: "binop" }, ctx: Context): unknown {
  const left = evaluate(node.left, ctx);
  if (left instanceof ContextValue) return evaluate(node.right, left.context);
  const c = ctx.child();
  c.set("$", left);
  return evaluate(node.right, c);
}

/** Legacy `a => b => c` flattens into one tuple; parentheses stop it. */
function evaluateLegacyPair(node: Node & { k: "binop" }, ctx: Context): unknown {
  const right = evaluate(node.right, ctx);
  if (node.left.k === "binop" && node.left.op === "=>") {
    return makeTuple([...(evaluateLegacyPair(node.left, ctx) as unknown[]), right]);
  }
  return makeTuple([evaluate(node.left, ctx), right]);
}

function withPosition<T>(node: Node, ctx: Context, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof YaqlException && err.position === undefined) {
      err.position = node.pos;
      err.expression = ctx.engine.expression;
    }
    throw err;
  }
}

export function evaluate(node: Node, ctx: Context): unknown {
  switch (node.k) {
    case "const":
      return node.v;
    case "kw":
      return node.name;
    case "group":
      return evaluate(node.node, ctx);
    case "var": {
      const v = ctx.get(node.name);
      return v === undefined ? null : v;
    }
    case "list":
      return node.items.map((n) => evaluate(n, ctx));
    case "dict":
      return YDict.from(node.entries.map(([k, v]) => [evaluate(k, ctx), evaluate(v, ctx)]));
    case "call":
      return withPosition(node, ctx, () =>
        callFunction(ctx, node.name, callArgs(node.args, ctx.engine.legacySyntax), false),
      );
    case "method":
      return withPosition(node, ctx, () => {
        const recv = evaluate(node.recv, ctx);
        if (node.safe && (recv === null || recv === undefined)) return null;
        const args = [valueArg(recv), ...callArgs(node.args, ctx.engine.legacySyntax)];
        return callFunction(ctx, node.name, args, true);
      });
    case "attr":
      return withPosition(node, ctx, () => {
        const recv = evaluate(node.recv, ctx);
        if (node.safe && (recv === null || recv === undefined)) return null;
        return attribute(recv, node.rhs, ctx);
      });
    case "index":
      return withPosition(node, ctx, () => {
        const args = [
          valueArg(evaluate(node.recv, ctx)),
          ...callArgs(node.args, ctx.engine.legacySyntax),
        ];
        return callFunction(ctx, "#indexer", args, false);
      });
    case "invoke":
      return withPosition(node, ctx, () => {
        const callee = evaluate(node.callee, ctx);
        const args = [valueArg(callee), ...callArgs(node.args, ctx.engine.legacySyntax)];
        return callFunction(ctx, "#call", args, false);
      });
    case "unop":
      return withPosition(node, ctx, () =>
        callFunction(ctx, `#unary_operator_${node.op}`, [{ kind: "value", node: node.arg }], false),
      );
    case "binop":
      if (node.op === "->") return evaluateArrow(node, ctx);
      if (node.op === "=>") return evaluateLegacyPair(node, ctx);
      return withPosition(node, ctx, () =>
        callFunction(
          ctx,
          `#operator_${node.op}`,
          [
            { kind: "value", node: node.left },
            { kind: "value", node: node.right },
          ],
          false,
        ),
      );
  }
}

/** yaql 3 raises KeyError for a missing key (Orquesta reports it); yaql.legacy gives null. */
function dictAttribute(d: YDict, name: string, ctx: Context): unknown {
  if (d.has(name)) return d.get(name);
  if (ctx.engine.legacyLibrary) return null;
  throw pyError("KeyError", name);
}

/** `obj.name`: a dict key, the key of every dict in a collection, or a registered property. */
function attribute(recv: unknown, rhs: Node, ctx: Context): unknown {
  if (rhs.k !== "kw") throw new NoMatchingFunctionException("#operator_.");
  const name = rhs.name;
  if (recv instanceof YDict) return dictAttribute(recv, name, ctx);
  if (Array.isArray(recv) || recv instanceof YIter || recv instanceof YSet) {
    const items = recv;
    return new YIter(
      (function* () {
        for (const x of items) {
          if (!(x instanceof YDict)) throw new NoMatchingFunctionException("#operator_.");
          yield dictAttribute(x, name, ctx);
        }
      })(),
    );
  }
  return callFunction(ctx, `#property#${name}`, [valueArg(recv)], false);
}

export type { CallArg };
