/** Argument binding shared by filters and tests: Python-style positional/keyword parameters. */

import { pyTypeError } from "../../python/errors.ts";
import type { Env, FilterFn } from "../evaluator.ts";
import type { Kwargs } from "../runtime.ts";

/** A parameter with no default. */
export const REQUIRED: unique symbol = Symbol("required");

export function bind(
  name: string,
  args: unknown[],
  kwargs: Kwargs,
  params: Array<[string, unknown]>,
): unknown[] {
  if (args.length > params.length) {
    pyTypeError(`${name}() takes at most ${params.length} arguments (${args.length} given)`);
  }
  const out = params.map(([, dflt], i) => (i < args.length ? args[i] : dflt));
  for (const [key, v] of Object.entries(kwargs)) {
    const idx = params.findIndex(([p]) => p === key);
    if (idx < 0) pyTypeError(`${name}() got an unexpected keyword argument '${key}'`);
    if (idx < args.length) pyTypeError(`${name}() got multiple values for argument '${key}'`);
    out[idx] = v;
  }
  out.forEach((v, i) => {
    if (v === REQUIRED) pyTypeError(`${name}() missing required argument '${params[i]?.[0]}'`);
  });
  return out;
}

/** A filter taking a fixed parameter list, with its arguments already bound. */
export function filter(
  name: string,
  params: Array<[string, unknown]>,
  run: (value: unknown, bound: unknown[], env: Env) => unknown,
): [string, FilterFn] {
  return [name, (value, args, kwargs, env) => run(value, bind(name, args, kwargs, params), env)];
}
