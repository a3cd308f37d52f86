/**
 * JSON parsing that keeps Python's int/float distinction: the corpus writes floats as `2.0`,
 * which JSON.parse would turn into the int 2. Floats with an integral value become PyFloat.
 */

import { makeFloat } from "../../../src/core/expr/python/number.ts";

export function parseJsonWithFloats(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const value = (): unknown => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return out;
      }
      for (;;) {
        ws();
        const key = value() as string;
        ws();
        i++; // ':'
        Object.defineProperty(out, key, {
          value: value(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        ws();
        if (text[i++] === "}") return out;
      }
    }
    if (ch === "[") {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (text[i++] === "]") return out;
      }
    }
    if (ch === '"') {
      const start = i;
      i++;
      while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      return JSON.parse(text.slice(start, i));
    }
    const m = /^(?:true|false|null|-?(?:Infinity|NaN|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))/.exec(
      text.slice(i, i + 400),
    );
    if (!m) throw new Error(`bad JSON at offset ${i}`);
    i += m[0].length;
    const tok = m[0];
    if (tok === "true") return true;
    if (tok === "false") return false;
    if (tok === "null") return null;
    if (/[.eE]|Infinity|NaN/.test(tok))
      return makeFloat(Number(tok.replace("Infinity", "Infinity")));
    return Number(tok);
  };
  const out = value();
  ws();
  if (i !== text.length) throw new Error(`trailing data at offset ${i}`);
  return out;
}
