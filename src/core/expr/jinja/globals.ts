/**
 * Jinja's default global functions. `lipsum` is left out: it is a text generator nobody renders
 * in StackStorm content, and leaving it out removes one more object from the sandbox surface.
 */

import { pyInt } from "../python/convert.ts";
import { PythonError, pyTypeError } from "../python/errors.ts";
import { dictSet, isPlainObject, pyIterate, pyStr } from "../python/value.ts";
import { Cycler, type JinjaLimits, Namespace, PyFunction } from "./runtime.ts";

class CyclerObject extends Cycler {
  readAttr(name: string): unknown {
    switch (name) {
      case "current":
        return this.items[this.pos];
      case "next":
        return new PyFunction("cycler.next", () => {
          const v = this.items[this.pos];
          this.pos = (this.pos + 1) % this.items.length;
          return v;
        });
      case "reset":
        return new PyFunction("cycler.reset", () => {
          this.pos = 0;
          return null;
        });
    }
    return undefined;
  }
}

function range(args: unknown[], maxRange: number): number[] {
  if (args.length < 1 || args.length > 3)
    pyTypeError(`range expected 1 to 3 arguments, got ${args.length}`);
  const nums = args.map((a) => pyInt(a));
  const [start, stop, step] =
    nums.length === 1 ? [0, nums[0] ?? 0, 1] : [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 1];
  if (step === 0) throw new PythonError("ValueError", "range() arg 3 must not be zero");
  const length = Math.max(0, Math.ceil((stop - start) / step));
  if (length > maxRange) {
    throw new PythonError(
      "OverflowError",
      `Range too big. The sandbox blocks ranges larger than MAX_RANGE (${maxRange}).`,
    );
  }
  return Array.from({ length }, (_v, i) => start + i * step);
}

export function defaultGlobals(limits: JinjaLimits): Map<string, unknown> {
  return new Map<string, unknown>([
    ["range", new PyFunction("range", (args) => range(args, limits.maxRange))],
    [
      "dict",
      new PyFunction("dict", (args, kwargs) => {
        const out: Record<string, unknown> = {};
        const src = args[0];
        if (isPlainObject(src)) for (const [k, v] of Object.entries(src)) dictSet(out, k, v);
        else if (src !== undefined) {
          for (const pair of pyIterate(src)) {
            const [k, v] = pyIterate(pair);
            dictSet(out, pyStr(k), v);
          }
        }
        for (const [k, v] of Object.entries(kwargs)) dictSet(out, k, v);
        return out;
      }),
    ],
    [
      "namespace",
      new PyFunction("namespace", (args, kwargs) => {
        const ns = new NamespaceObject();
        const src = args[0];
        if (isPlainObject(src)) for (const [k, v] of Object.entries(src)) ns.attrs.set(k, v);
        for (const [k, v] of Object.entries(kwargs)) ns.attrs.set(k, v);
        return ns;
      }),
    ],
    ["cycler", new PyFunction("cycler", (args) => new CyclerObject(args))],
    [
      "joiner",
      new PyFunction("joiner", (args) => {
        let used = false;
        const sep = args[0] === undefined ? ", " : pyStr(args[0]);
        return new PyFunction("joiner", () => {
          if (!used) {
            used = true;
            return "";
          }
          return sep;
        });
      }),
    ],
  ]);
}

class NamespaceObject extends Namespace {
  readAttr(name: string): unknown {
    return this.attrs.has(name) ? this.attrs.get(name) : undefined;
  }
}
