/**
 * The Python methods templates commonly call on dicts and strings (`d.items()`, `s.split(',')`).
 * Anything else is reported as unsupported rather than guessed at.
 */

import { RenderError } from "../errors.ts";
import { pyReplace, pyStrip } from "./filters.ts";
import { pyInt } from "./pyconvert.ts";
import { isPlainObject, makeTuple, pyStr, pyTypeName, Undefined } from "./pyvalue.ts";
import { UnsupportedTemplateError } from "./template.ts";

/** Dict method names: `d.items` without a call would be the bound method in Python, not a key. */
export const DICT_METHODS = new Set([
  "clear",
  "copy",
  "fromkeys",
  "get",
  "items",
  "keys",
  "pop",
  "popitem",
  "setdefault",
  "update",
  "values",
]);

function arity(name: string, args: unknown[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    throw new RenderError(
      `${name}() takes ${min === max ? min : `${min} to ${max}`} arguments (${args.length} given)`,
    );
  }
  for (const a of args) if (a instanceof Undefined) a.fail();
}

function pySplit(text: string, sep: unknown, maxsplit: number): string[] {
  if (sep === null || sep === undefined) {
    const out: string[] = [];
    let rest = text.replace(/^\s+/, "");
    while (rest !== "") {
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(rest);
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const s = pyStr(sep);
  if (s === "") throw new RenderError("empty separator");
  const parts = text.split(s);
  if (maxsplit < 0 || parts.length - 1 <= maxsplit) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(s)];
}

export function callMethod(
  target: unknown,
  name: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
): unknown {
  if (Object.keys(kwargs).length > 0) {
    throw new UnsupportedTemplateError(`keyword arguments to .${name}() are not supported yet`);
  }
  if (isPlainObject(target)) {
    switch (name) {
      case "items":
        arity(name, args, 0, 0);
        return Object.entries(target).map(([k, v]) => makeTuple([k, v]));
      case "keys":
        arity(name, args, 0, 0);
        return Object.keys(target);
      case "values":
        arity(name, args, 0, 0);
        return Object.values(target);
      case "get": {
        arity(name, args, 1, 2);
        const key = args[0];
        return typeof key === "string" && Object.hasOwn(target, key)
          ? target[key]
          : (args[1] ?? null);
      }
    }
  } else if (typeof target === "string") {
    switch (name) {
      case "upper":
        arity(name, args, 0, 0);
        return target.toUpperCase();
      case "lower":
        arity(name, args, 0, 0);
        return target.toLowerCase();
      case "strip":
      case "lstrip":
      case "rstrip":
        arity(name, args, 0, 1);
        return pyStrip(
          target,
          args[0] ?? null,
          name === "strip" ? "both" : name === "lstrip" ? "left" : "right",
        );
      case "split":
        arity(name, args, 0, 2);
        return pySplit(target, args[0], args[1] === undefined ? -1 : pyInt(args[1]));
      case "startswith":
      case "endswith": {
        arity(name, args, 1, 1);
        const arg = args[0];
        const options = Array.isArray(arg) ? arg : [arg];
        return options.some((o) => {
          if (typeof o !== "string")
            throw new RenderError(`${name} first arg must be str or a tuple of str`);
          return name === "startswith" ? target.startsWith(o) : target.endsWith(o);
        });
      }
      case "replace":
        arity(name, args, 2, 3);
        return pyReplace(
          target,
          pyStr(args[0]),
          pyStr(args[1]),
          args[2] === undefined ? null : pyInt(args[2]),
        );
      case "join": {
        arity(name, args, 1, 1);
        const items = args[0];
        if (!Array.isArray(items))
          throw new UnsupportedTemplateError("str.join() over a non-list is not supported yet");
        return items
          .map((x) => {
            if (typeof x !== "string")
              throw new RenderError(`sequence item: expected str instance, ${pyTypeName(x)} found`);
            return x;
          })
          .join(target);
      }
    }
  }
  throw new UnsupportedTemplateError(`method ${pyTypeName(target)}.${name}() is not supported yet`);
}
