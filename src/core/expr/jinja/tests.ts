/** Jinja2's built-in tests (jinja2/tests.py), plus StackStorm's `in`. */

import { pyInt } from "../python/convert.ts";
import { isPyFloat, isPyInt, isPyNumber, PyFloat } from "../python/number.ts";
import { isPlainObject, pyCompare, pyContains, pyEquals, Undefined } from "../python/value.ts";
import type { TestFn } from "./evaluator.ts";
import { PyFunction } from "./runtime.ts";

const t =
  (run: (v: unknown, other: unknown) => boolean): TestFn =>
  (v, args) =>
    run(v, args[0]);

const isIterable = (x: unknown) => typeof x === "string" || Array.isArray(x) || isPlainObject(x);

export const TESTS: Array<[string, TestFn]> = [
  ["defined", (v) => !(v instanceof Undefined)],
  ["undefined", (v) => v instanceof Undefined],
  ["none", (v) => v === null],
  ["boolean", (v) => typeof v === "boolean"],
  ["true", (v) => v === true],
  ["false", (v) => v === false],
  ["string", (v) => typeof v === "string"],
  ["number", (v) => isPyNumber(v) && typeof v !== "boolean"],
  ["integer", (v) => isPyInt(v)],
  ["float", (v) => isPyFloat(v) || v instanceof PyFloat],
  ["mapping", (v) => isPlainObject(v)],
  ["sequence", (v) => isIterable(v)],
  ["iterable", (v) => isIterable(v)],
  ["callable", (v) => v instanceof PyFunction],
  ["escaped", () => false],
  ["odd", (v) => pyInt(v) % 2 !== 0],
  ["even", (v) => pyInt(v) % 2 === 0],
  ["divisibleby", t((v, n) => pyInt(v) % pyInt(n) === 0)],
  ["eq", t((v, o) => pyEquals(v, o))],
  ["ne", t((v, o) => !pyEquals(v, o))],
  ["lt", t((v, o) => pyCompare(v, o, "<") < 0)],
  ["le", t((v, o) => pyCompare(v, o, "<=") <= 0)],
  ["gt", t((v, o) => pyCompare(v, o, ">") > 0)],
  ["ge", t((v, o) => pyCompare(v, o, ">=") >= 0)],
  ["in", t((v, o) => pyContains(o, v))],
  ["sameas", t((v, o) => v === o || (v === null && o === null))],
  ["lower", (v) => typeof v === "string" && v === v.toLowerCase()],
  ["upper", (v) => typeof v === "string" && v === v.toUpperCase()],
  ["filter", (v, _a, _k, env) => typeof v === "string" && env.filters.has(v)],
  ["test", (v, _a, _k, env) => typeof v === "string" && env.tests.has(v)],
];

const ALIASES: Array<[string, string]> = [
  ["==", "eq"],
  ["equalto", "eq"],
  ["!=", "ne"],
  ["<", "lt"],
  ["lessthan", "lt"],
  ["<=", "le"],
  [">", "gt"],
  ["greaterthan", "gt"],
  [">=", "ge"],
];
for (const [alias, name] of ALIASES) {
  const found = TESTS.find(([n]) => n === name);
  if (found) TESTS.push([alias, found[1]]);
}
