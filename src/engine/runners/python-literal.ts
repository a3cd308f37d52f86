/**
 * A small `ast.literal_eval` for the values StackStorm content produces.
 *
 * StackStorm's http runner accepts a JSON request body given as a string that is either JSON or a
 * Python literal, because a Jinja-rendered dict reads `{'a': 1, 'b': True}`. This parses dicts,
 * lists, tuples, strings (single, double or triple quoted, with the common escapes), numbers,
 * True/False/None. Anything else is an error. Pure logic: no node: imports.
 */

import { ValidationError } from "../../core/errors.ts";

export function parsePythonLiteral(text: string): unknown {
  const parser = new Parser(text);
  const value = parser.value();
  parser.skipSpace();
  if (!parser.done()) parser.fail("unexpected text after the value");
  return value;
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  r: "\r",
  t: "\t",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "0": "\0",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "\n": "",
};

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  done(): boolean {
    return this.pos >= this.src.length;
  }

  fail(message: string): never {
    throw new ValidationError(`not a Python literal (${message} at offset ${this.pos})`);
  }

  skipSpace(): void {
    while (!this.done() && /\s/.test(this.src[this.pos] as string)) this.pos++;
  }

  value(): unknown {
    this.skipSpace();
    const ch = this.src[this.pos];
    if (ch === "{") return this.dict();
    if (ch === "[") return this.sequence("[", "]");
    if (ch === "(") return this.sequence("(", ")");
    if (ch === "'" || ch === '"') return this.string();
    const word = /^(True|False|None)\b/.exec(this.src.slice(this.pos));
    if (word) {
      this.pos += (word[1] as string).length;
      return word[1] === "True" ? true : word[1] === "False" ? false : null;
    }
    const num = /^[-+]?(\d[\d_]*\.?[\d_]*([eE][-+]?\d+)?|\.\d[\d_]*([eE][-+]?\d+)?)/.exec(
      this.src.slice(this.pos),
    );
    if (num) {
      this.pos += num[0].length;
      return Number(num[0].replaceAll("_", ""));
    }
    return this.fail("expected a value");
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.src[this.pos] !== ch) this.fail(`expected "${ch}"`);
    this.pos++;
  }

  /** Returns true when the closing bracket was consumed. */
  private separatorOrClose(close: string): boolean {
    this.skipSpace();
    if (this.src[this.pos] === close) {
      this.pos++;
      return true;
    }
    this.expect(",");
    this.skipSpace();
    if (this.src[this.pos] === close) {
      this.pos++;
      return true;
    }
    return false;
  }

  private dict(): Record<string, unknown> {
    this.expect("{");
    const out: Record<string, unknown> = {};
    this.skipSpace();
    if (this.src[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      const key = this.value();
      if (typeof key !== "string" && typeof key !== "number" && typeof key !== "boolean") {
        this.fail("dict keys must be strings, numbers or booleans");
      }
      this.expect(":");
      out[String(key)] = this.value();
      if (this.separatorOrClose("}")) return out;
    }
  }

  private sequence(open: string, close: string): unknown[] {
    this.expect(open);
    const out: unknown[] = [];
    this.skipSpace();
    if (this.src[this.pos] === close) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      if (this.separatorOrClose(close)) return out;
    }
  }

  private string(): string {
    const q = this.src[this.pos] as string;
    const triple = this.src.startsWith(q.repeat(3), this.pos);
    const end = triple ? q.repeat(3) : q;
    this.pos += end.length;
    let out = "";
    for (;;) {
      if (this.done()) this.fail("unterminated string");
      if (this.src.startsWith(end, this.pos)) {
        this.pos += end.length;
        break;
      }
      const ch = this.src[this.pos] as string;
      if (ch === "\n" && !triple) this.fail("newline in string");
      if (ch !== "\\") {
        out += ch;
        this.pos++;
        continue;
      }
      const next = this.src[this.pos + 1] ?? "";
      const hex = /^(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/.exec(
        this.src.slice(this.pos + 1),
      );
      if (hex) {
        out += String.fromCodePoint(Number.parseInt(hex[0].slice(1), 16));
        this.pos += 1 + hex[0].length;
      } else if (next in ESCAPES) {
        out += ESCAPES[next];
        this.pos += 2;
      } else {
        // Python keeps unknown escapes as written.
        out += `\\${next}`;
        this.pos += 2;
      }
    }
    // Adjacent literals concatenate: 'a' 'b' == 'ab'.
    this.skipSpace();
    const following = this.src[this.pos];
    if (following === "'" || following === '"') return out + this.string();
    return out;
  }
}
