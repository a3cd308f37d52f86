/** Executes Jinja statements: output, control flow, scoping, macros and call blocks. */

import { RenderError } from "../../errors.ts";
import { pyTypeError } from "../python/errors.ts";
import { dictSet, pyIterate, pyStr, pyTruthy, Undefined } from "../python/value.ts";
import type { FilterCall, Param, Stmt, Target } from "./ast.ts";
import { applyFilter, callValue, defined, type Env, evaluate } from "./evaluator.ts";
import { type Kwargs, Namespace, PyFunction, Scope } from "./runtime.ts";

/** Collects output and charges it to the render budget. */
export class Output {
  readonly parts: string[] = [];
  constructor(private readonly env: Env) {}
  write(text: string): void {
    this.env.budget.wrote(text.length);
    this.parts.push(text);
  }
  text(): string {
    return this.parts.join("");
  }
}

export function assign(scope: Scope, target: Target, value: unknown): void {
  if (target.kind === "name") {
    scope.set(target.name, value);
    return;
  }
  if (target.kind === "attr") {
    const ns = scope.lookup(target.object);
    if (ns instanceof Undefined) ns.fail();
    if (!(ns instanceof Namespace)) {
      throw new RenderError(`can only assign attributes on a namespace(), not ${target.object}`);
    }
    ns.attrs.set(target.attr, value);
    return;
  }
  const items = pyIterate(value);
  if (items.length !== target.items.length) {
    throw new RenderError(
      `cannot unpack ${items.length} values into ${target.items.length} targets`,
    );
  }
  target.items.forEach((t, i) => {
    assign(scope, t, items[i]);
  });
}

/** Jinja's `loop` object; callable in a `recursive` loop. */
class LoopContext extends PyFunction {
  index0 = 0;
  private lastChanged: unknown = [];
  constructor(
    readonly items: unknown[],
    readonly depth0: number,
    recurse: ((items: unknown) => string) | null,
  ) {
    super(
      "loop",
      (args) => {
        if (recurse === null) pyTypeError("the loop is not recursive; add 'recursive'");
        return (recurse as (items: unknown) => string)(args[0]);
      },
      "LoopContext",
    );
  }

  readAttr(name: string): unknown {
    const n = this.items.length;
    const i = this.index0;
    switch (name) {
      case "index":
        return i + 1;
      case "index0":
        return i;
      case "revindex":
        return n - i;
      case "revindex0":
        return n - i - 1;
      case "first":
        return i === 0;
      case "last":
        return i === n - 1;
      case "length":
        return n;
      case "depth":
        return this.depth0 + 1;
      case "depth0":
        return this.depth0;
      case "previtem":
        return i > 0
          ? this.items[i - 1]
          : new Undefined("loop.previtem", "there is no previous item");
      case "nextitem":
        return i < n - 1
          ? this.items[i + 1]
          : new Undefined("loop.nextitem", "there is no next item");
      case "cycle":
        return new PyFunction("loop.cycle", (args) => {
          if (args.length === 0) pyTypeError("no items for cycling given");
          return args[i % args.length];
        });
      case "changed":
        return new PyFunction("loop.changed", (args) => {
          const key = JSON.stringify(args.map(pyStr));
          if (key === this.lastChanged) return false;
          this.lastChanged = key;
          return true;
        });
    }
    return new Undefined(`loop.${name}`, `'LoopContext' has no attribute '${name}'`);
  }
}

function bindParams(
  name: string,
  params: Param[],
  env: Env,
  defScope: Scope,
  scope: Scope,
  args: unknown[],
  kwargs: Kwargs,
): void {
  const rest: Kwargs = {};
  for (const [k, v] of Object.entries(kwargs)) dictSet(rest, k, v);
  params.forEach((p, i) => {
    if (i < args.length) {
      if (Object.hasOwn(rest, p.name)) {
        pyTypeError(`macro '${name}' got multiple values for argument '${p.name}'`);
      }
      scope.set(p.name, args[i]);
    } else if (Object.hasOwn(rest, p.name)) {
      scope.set(p.name, rest[p.name]);
      delete rest[p.name];
    } else if (p.default !== null) {
      scope.set(p.name, evaluate(env, defScope, p.default));
    } else {
      scope.set(p.name, new Undefined(p.name, `parameter '${p.name}' was not provided`));
    }
  });
  scope.set("varargs", args.slice(params.length));
  if (Object.hasOwn(rest, "caller")) {
    scope.set("caller", rest.caller);
    delete rest.caller;
  }
  scope.set("kwargs", rest);
}

function makeMacro(
  env: Env,
  name: string,
  params: Param[],
  body: Stmt[],
  defScope: Scope,
): PyFunction {
  return new PyFunction(
    name,
    (args, kwargs) => {
      const scope = defScope.child();
      bindParams(name, params, env, defScope, scope, args, kwargs);
      const out = new Output(env);
      execute(env, body, scope, out);
      return out.text();
    },
    "Macro",
  );
}

function applyFilters(env: Env, scope: Scope, filters: FilterCall[], value: unknown): unknown {
  let v = value;
  for (const f of filters) {
    const args = f.args.map((a) => evaluate(env, scope, a));
    const kwargs: Kwargs = {};
    for (const [k, e] of Object.entries(f.kwargs)) dictSet(kwargs, k, evaluate(env, scope, e));
    v = applyFilter(env, f.name, v, args, kwargs);
  }
  return v;
}

function renderBody(env: Env, stmts: Stmt[], scope: Scope): string {
  const out = new Output(env);
  execute(env, stmts, scope, out);
  return out.text();
}

function runFor(
  env: Env,
  stmt: Stmt & { type: "for" },
  scope: Scope,
  out: Output,
  iterable: unknown,
  depth: number,
): void {
  let items = pyIterate(defined(iterable));
  if (stmt.filter !== null) {
    const test = stmt.filter;
    items = items.filter((item) => {
      env.budget.tick();
      const s = scope.child();
      assign(s, stmt.target, item);
      return pyTruthy(evaluate(env, s, test));
    });
  }
  if (items.length === 0) {
    execute(env, stmt.otherwise, scope, out);
    return;
  }
  const recurse = stmt.recursive
    ? (sub: unknown) =>
        env.budget.enter(() => {
          const inner = new Output(env);
          runFor(env, stmt, scope, inner, sub, depth + 1);
          return inner.text();
        })
    : null;
  const loop = new LoopContext(items, depth, recurse);
  for (let i = 0; i < items.length; i++) {
    env.budget.tick();
    loop.index0 = i;
    const s = scope.child();
    assign(s, stmt.target, items[i]);
    s.set("loop", loop);
    execute(env, stmt.body, s, out);
  }
}

export function execute(env: Env, stmts: Stmt[], scope: Scope, out: Output): void {
  for (const stmt of stmts) {
    switch (stmt.type) {
      case "text":
        out.write(stmt.text);
        break;
      case "print":
        out.write(pyStr(evaluate(env, scope, stmt.expr)));
        break;
      case "set":
        assign(scope, stmt.target, evaluate(env, scope, stmt.value));
        break;
      case "setblock":
        assign(
          scope,
          stmt.target,
          applyFilters(env, scope, stmt.filters, renderBody(env, stmt.body, scope.child())),
        );
        break;
      case "if": {
        const branch = stmt.branches.find((b) => pyTruthy(evaluate(env, scope, b.test)));
        execute(env, branch ? branch.body : stmt.otherwise, scope, out);
        break;
      }
      case "for":
        runFor(env, stmt, scope, out, evaluate(env, scope, stmt.iter), 0);
        break;
      case "macro":
        scope.set(stmt.name, makeMacro(env, stmt.name, stmt.params, stmt.body, scope));
        break;
      case "callblock": {
        const call = stmt.call;
        if (call.type !== "call") break;
        const caller = makeMacro(env, "caller", stmt.params, stmt.body, scope);
        const callee = evaluate(env, scope, call.callee);
        const args = call.args.map((a) => evaluate(env, scope, a));
        const kwargs: Kwargs = {};
        for (const [k, e] of Object.entries(call.kwargs))
          dictSet(kwargs, k, evaluate(env, scope, e));
        dictSet(kwargs, "caller", caller);
        out.write(pyStr(callValue(env, callee, args, kwargs)));
        break;
      }
      case "with": {
        const values = stmt.assignments.map((a) => evaluate(env, scope, a.value));
        const inner = scope.child();
        stmt.assignments.forEach((a, i) => {
          assign(inner, a.target, values[i]);
        });
        execute(env, stmt.body, inner, out);
        break;
      }
      case "filterblock":
        out.write(
          pyStr(applyFilters(env, scope, stmt.filters, renderBody(env, stmt.body, scope.child()))),
        );
        break;
      case "do":
        evaluate(env, scope, stmt.expr);
        break;
    }
  }
}

export { Scope };
