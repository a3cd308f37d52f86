/**
 * Python's `ast.literal_eval` for the literals that map onto JSON data: str, int, float, bool,
 * None, list, tuple (as a list) and dict with str keys. StackStorm's casts fall back to it when a
 * value is not JSON (typically a Python `str()` of a list or dict that a template printed), and
 * so does the http runner for a JSON request body given as text.
 * Literals with no JSON counterpart (bytes, sets, complex numbers) are refused.
 */

import { ValidationError } from "../errors.ts";
import { pyJsonDumps } from "../expr/pyjson.ts";

export interface PyLiteralOptions {
  /**
   * Accept bool, number and None dict keys and turn them into the strings `json.dumps` would
   * write (`True` → "true", `1` → "1"). For a caller that sends the result straight on as JSON,
   * as StackStorm's http runner does; otherwise such keys are refused, because the value must
   * stay JSON data and StackStorm would keep the non-string key.
   */
  jsonKeys?: boolean;
}

export class PyLiteralError extends ValidationError {}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\n": "",
};

class Reader {
  i = 0;
  constructor(
    readonly text: string,
    readonly jsonKeys: boolean,
  ) {}

  fail(message: string): never {
    throw new PyLiteralError(`malformed Python literal at offset ${this.i}: ${message}`);
  }

  ws(): void {
    for (;;) {
      while (this.i < this.text.length && /\s/.test(this.text[this.i] ?? "")) this.i++;
      if (this.text[this.i] !== "#") return;
      while (this.i < this.text.length && this.text[this.i] !== "\n") this.i++;
    }
  }

  eat(s: string): boolean {
    this.ws();
    if (!this.text.startsWith(s, this.i)) return false;
    this.i += s.length;
    return true;
  }

  value(): unknown {
    this.ws();
    const ch = this.text[this.i] ?? "";
    if (ch === "[") return this.sequence("[", "]");
    if (ch === "(") {
      this.i++;
      if (this.eat(")")) return [];
      const items = [this.value()];
      if (this.eat(")")) return items[0];
      if (!this.eat(",")) this.fail("expected ',' or ')'");
      while (!this.eat(")")) {
        items.push(this.value());
        if (this.eat(")")) break;
        if (!this.eat(",")) this.fail("expected ',' or ')'");
      }
      return items;
    }
    if (ch === "{") return this.dict();
    if (ch === "-" || ch === "+") {
      this.i++;
      const v = this.value();
      if (typeof v !== "number") this.fail("unary sign on a non-number");
      return ch === "-" ? -v : v;
    }
    if (/[0-9.]/.test(ch)) return this.number();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.i))?.[0];
    if (word !== undefined) {
      const prefix = /^[rRuUbBfF]{1,2}(?=['"])/.exec(this.text.slice(this.i))?.[0];
      if (prefix !== undefined) return this.string(prefix.toLowerCase());
      this.i += word.length;
      if (word === "True") return true;
      if (word === "False") return false;
      if (word === "None") return null;
      this.fail(`name '${word}' is not a literal`);
    }
    if (ch === "'" || ch === '"') return this.string("");
    return this.fail(ch === "" ? "unexpected end" : `unexpected '${ch}'`);
  }

  private sequence(open: string, close: string): unknown[] {
    this.eat(open);
    const items: unknown[] = [];
    while (!this.eat(close)) {
      if (items.length > 0 && !this.eat(",")) this.fail(`expected ',' or '${close}'`);
      if (this.eat(close)) break;
      items.push(this.value());
    }
    return items;
  }

  private dict(): Record<string, unknown> {
    this.eat("{");
    const out: Record<string, unknown> = {};
    let count = 0;
    while (!this.eat("}")) {
      if (count > 0 && !this.eat(",")) this.fail("expected ',' or '}'");
      if (this.eat("}")) break;
      const key = this.value();
      if (!this.eat(":")) this.fail("sets have no JSON equivalent; expected ':'");
      out[this.dictKey(key)] = this.value();
      count++;
    }
    return out;
  }

  private dictKey(key: unknown): string {
    if (typeof key === "string") return key;
    const scalar = key === null || typeof key === "boolean" || typeof key === "number";
    if (this.jsonKeys && scalar) return pyJsonDumps(key);
    return this.fail(
      this.jsonKeys
        ? "dict keys must be strings, numbers, booleans or None to map onto JSON"
        : "dict keys must be strings to map onto JSON",
    );
  }

  private number(): number {
    const rest = this.text.slice(this.i);
    const radix = /^0([xXoObB])([0-9a-fA-F_]+)/.exec(rest);
    if (radix) {
      this.i += radix[0].length;
      const base = { x: 16, o: 8, b: 2 }[(radix[1] ?? "x").toLowerCase() as "x" | "o" | "b"];
      const digits = (radix[2] ?? "").replaceAll("_", "");
      const v = Number.parseInt(digits, base);
      if (Number.isNaN(v) || v.toString(base) !== digits.toLowerCase().replace(/^0+(?=.)/, "")) {
        this.fail("bad digits");
      }
      return this.safe(v, true);
    }
    const m =
      /^(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?/.exec(
        rest,
      );
    if (!m) return this.fail("bad number");
    const text = m[0];
    if (/[jJ]$/.test(text)) this.fail("complex numbers have no JSON equivalent");
    this.i += text.length;
    const isInt = /^\d(?:_?\d)*$/.test(text);
    if (isInt && /^0\d/.test(text.replaceAll("_", "")) && /[1-9]/.test(text)) {
      this.fail("leading zeros in decimal integer literals are not permitted");
    }
    return this.safe(Number(text.replaceAll("_", "")), isInt);
  }

  private safe(v: number, isInt: boolean): number {
    if (isInt && !Number.isSafeInteger(v)) this.fail("integer too large to represent exactly");
    return v;
  }

  private string(prefix: string): string {
    if (prefix.includes("b")) this.fail("bytes literals have no JSON equivalent");
    if (prefix.includes("f")) this.fail("f-strings are not literals");
    this.i += prefix.length;
    const raw = prefix.includes("r");
    let out = "";
    // Adjacent string literals concatenate, as in Python.
    do {
      out += this.oneString(raw);
      this.ws();
    } while (this.text[this.i] === "'" || this.text[this.i] === '"');
    return out;
  }

  private oneString(raw: boolean): string {
    const q = this.text[this.i] ?? "";
    const quote = this.text.startsWith(q.repeat(3), this.i) ? q.repeat(3) : q;
    this.i += quote.length;
    let out = "";
    while (this.i < this.text.length) {
      if (this.text.startsWith(quote, this.i)) {
        this.i += quote.length;
        return out;
      }
      const ch = this.text[this.i] ?? "";
      if (ch === "\n" && quote.length === 1) this.fail("end of line in string literal");
      if (ch !== "\\") {
        out += ch;
        this.i++;
        continue;
      }
      const next = this.text[this.i + 1] ?? "";
      if (raw) {
        out += ch + next;
        this.i += 2;
        continue;
      }
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        out += simple;
        this.i += 2;
        continue;
      }
      const hexLen = next === "x" ? 2 : next === "u" ? 4 : next === "U" ? 8 : 0;
      if (hexLen > 0) {
        const digits = this.text.slice(this.i + 2, this.i + 2 + hexLen);
        if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(digits))
          this.fail(`truncated \\${next} escape`);
        out += String.fromCodePoint(Number.parseInt(digits, 16));
        this.i += 2 + hexLen;
        continue;
      }
      const oct = /^[0-7]{1,3}/.exec(this.text.slice(this.i + 1))?.[0];
      if (oct !== undefined) {
        out += String.fromCodePoint(Number.parseInt(oct, 8));
        this.i += 1 + oct.length;
        continue;
      }
      if (next === "N") this.fail("\\N{...} escapes are not supported");
      out += ch + next;
      this.i += 2;
    }
    return this.fail("unterminated string literal");
  }
}

export function pyLiteralEval(text: string, options: PyLiteralOptions = {}): unknown {
  // literal_eval strips leading spaces and tabs before parsing (Python ≥ 3.9).
  const reader = new Reader(text.replace(/^[ \t]+/, ""), options.jsonKeys === true);
  const value = reader.value();
  reader.ws();
  if (reader.i !== reader.text.length) reader.fail("unexpected trailing text");
  return value;
}
