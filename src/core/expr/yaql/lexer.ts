/**
 * YAQL's lexer (yaql/language/lexer.py): numbers, three kinds of string, `$` variables,
 * keyword strings (bare identifiers, which may not start with `__`) and operators.
 */

import { YaqlLexicalException } from "./errors.ts";

export type TokenType = "int" | "float" | "string" | "kwstr" | "var" | "word" | "op" | "eof";

export interface Token {
  type: TokenType;
  /** Decoded text: the string's value, the variable name with its `$`, the operator. */
  text: string;
  pos: number;
}

const WORDS = new Set(["true", "false", "null", "and", "or", "not", "mod", "in"]);
const OPERATORS = [
  "?.",
  "=~",
  "!~",
  ">=",
  "<=",
  "!=",
  "=>",
  "->",
  ".",
  "=",
  ">",
  "<",
  "+",
  "-",
  "*",
  "/",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
];
const IDENT = /[\p{L}_][\p{L}\p{N}_]*/uy;
const NUMBER = /\d+(\.\d+)?/y;
const VAR = /\$[\p{L}\p{N}_]*/uy;

const SIMPLE_ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
};

/** Python's `unicode_escape` decoding, which yaql applies to quoted strings. */
function decodeEscapes(raw: string): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] ?? "";
    if (ch !== "\\" || i + 1 >= raw.length) {
      out += ch;
      continue;
    }
    const next = raw[i + 1] ?? "";
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i++;
    } else if (next === "\n") {
      i++;
    } else if ((next === "x" || next === "u" || next === "U") && i + 2 < raw.length) {
      const len = next === "x" ? 2 : next === "u" ? 4 : 8;
      const hex = raw.slice(i + 2, i + 2 + len);
      if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === len) {
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        i += 1 + len;
      } else out += ch;
    } else if (/[0-7]/.test(next)) {
      const m = /^[0-7]{1,3}/.exec(raw.slice(i + 1))?.[0] ?? "0";
      out += String.fromCodePoint(Number.parseInt(m, 8));
      i += m.length;
    } else out += ch;
  }
  return out;
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (pos: number): never => {
    throw new YaqlLexicalException(
      `Lexical error: illegal character '${src[pos]}' at position ${pos}`,
      src,
      pos,
    );
  };
  while (i < src.length) {
    const ch = src[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'" || ch === '"' || ch === "`") {
      let j = i + 1;
      let raw = "";
      while (j < src.length && src[j] !== ch) {
        if (src[j] === "\\" && ch !== "`" && j + 1 < src.length) {
          raw += src.slice(j, j + 2);
          j += 2;
        } else raw += src[j++];
      }
      if (j >= src.length) fail(start);
      tokens.push({ type: "string", text: ch === "`" ? raw : decodeEscapes(raw), pos: start });
      i = j + 1;
      continue;
    }
    NUMBER.lastIndex = i;
    const n = NUMBER.exec(src);
    if (n) {
      tokens.push({ type: n[1] ? "float" : "int", text: n[0], pos: start });
      i += n[0].length;
      continue;
    }
    if (ch === "$") {
      VAR.lastIndex = i;
      const v = VAR.exec(src)?.[0] ?? "$";
      tokens.push({ type: "var", text: v, pos: start });
      i += v.length;
      continue;
    }
    IDENT.lastIndex = i;
    const id = IDENT.exec(src);
    if (id) {
      // yaql's keyword-string rule refuses identifiers that start with two underscores.
      if (id[0].startsWith("__")) fail(start);
      tokens.push({ type: WORDS.has(id[0]) ? "word" : "kwstr", text: id[0], pos: start });
      i += id[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) fail(start);
    tokens.push({ type: "op", text: op as string, pos: start });
    i += (op as string).length;
  }
  tokens.push({ type: "eof", text: "", pos: src.length });
  return tokens;
}
