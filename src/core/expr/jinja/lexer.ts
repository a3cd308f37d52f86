/**
 * Jinja lexing with StackStorm's environment settings (trim_blocks, lstrip_blocks): first the
 * template is cut into text / `{{ }}` / `{% %}` segments, then each tag is tokenized.
 */

import { TemplateSyntaxError } from "../template.ts";

export type Segment =
  | { kind: "text"; text: string }
  | { kind: "var" | "block"; source: string; offset: number };

export type TokenKind = "name" | "number" | "string" | "op" | "end";

export interface Token {
  kind: TokenKind;
  value: string;
  /** Offset in the tag's source, for messages. */
  pos: number;
  /** For numbers: whether the literal was written as a float (`1.0`, `1e3`). */
  float?: boolean;
}

/** Jinja normalizes newlines and drops one trailing newline (keep_trailing_newline=False). */
function normalize(source: string): string {
  const lines = source.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines.join("\n");
}

/** Finds the closing delimiter of a tag, skipping string literals inside it. */
function findClose(source: string, from: number, close: string): number {
  let i = from;
  let quote: string | null = null;
  while (i < source.length) {
    const ch = source[i];
    if (quote !== null) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (source.startsWith(close, i)) return i;
    i++;
  }
  return -1;
}

function lstrip(text: string, atTemplateStart: boolean): string {
  const nl = text.lastIndexOf("\n");
  const tail = text.slice(nl + 1);
  if (nl < 0 && !atTemplateStart) return text;
  return /^[ \t]*$/.test(tail) ? text.slice(0, nl + 1) : text;
}

export function segment(raw: string): Segment[] {
  const source = normalize(raw);
  const out: Segment[] = [];
  let pos = 0;
  let stripNext = false;
  let trimNewline = false;
  const pushText = (text: string) => {
    let t = text;
    if (stripNext) t = t.replace(/^\s+/, "");
    else if (trimNewline && t.startsWith("\n")) t = t.slice(1);
    stripNext = false;
    trimNewline = false;
    if (t !== "") out.push({ kind: "text", text: t });
  };
  while (pos <= source.length) {
    const open = source.slice(pos).search(/\{\{|\{%|\{#/);
    if (open < 0) {
      pushText(source.slice(pos));
      break;
    }
    const start = pos + open;
    const type = source[start + 1];
    const marker = source[start + 2];
    let text = source.slice(pos, start);
    if (marker === "-") text = text.replace(/\s+$/, "");
    else if (type !== "{" && marker !== "+") text = lstrip(text, pos === 0);
    pushText(text);
    const bodyStart = start + 2 + (marker === "-" || marker === "+" ? 1 : 0);
    const closer = type === "{" ? "}}" : type === "%" ? "%}" : "#}";
    const end =
      type === "#" ? source.indexOf(closer, bodyStart) : findClose(source, bodyStart, closer);
    if (end < 0) {
      const what = type === "{" ? "variable" : type === "%" ? "block" : "comment";
      throw new TemplateSyntaxError(`unexpected end of template: unclosed ${what} tag at ${start}`);
    }
    const dash = source[end - 1] === "-" && end - 1 >= bodyStart;
    const body = source.slice(bodyStart, dash ? end - 1 : end);
    pos = end + 2;
    if (dash) stripNext = true;
    else if (type !== "{") trimNewline = true;
    if (type === "#") continue;
    if (type === "%" && /^\s*raw\s*$/.test(body)) {
      const endRaw = /\{%(-?)\s*endraw\s*(-?)%\}/.exec(source.slice(pos));
      if (!endRaw) throw new TemplateSyntaxError("missing end of raw directive");
      let rawText = source.slice(pos, pos + endRaw.index);
      if (stripNext) rawText = rawText.replace(/^\s+/, "");
      else if (trimNewline && rawText.startsWith("\n")) rawText = rawText.slice(1);
      rawText = endRaw[1] === "-" ? rawText.replace(/\s+$/, "") : lstrip(rawText, false);
      stripNext = false;
      trimNewline = false;
      if (rawText !== "") out.push({ kind: "text", text: rawText });
      pos += endRaw.index + endRaw[0].length;
      if (endRaw[2] === "-") stripNext = true;
      else trimNewline = true;
      continue;
    }
    out.push({ kind: type === "{" ? "var" : "block", source: body, offset: bodyStart });
  }
  return out;
}

const OPERATORS = [
  "//",
  "**",
  "==",
  "!=",
  "<=",
  ">=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "~",
  "<",
  ">",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ".",
  ":",
  "|",
  "=",
];

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "0": "\0",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
};

function readString(src: string, start: number): { value: string; end: number } {
  const quote = src[start];
  let value = "";
  let i = start + 1;
  while (i < src.length) {
    const ch = src[i] ?? "";
    if (ch === quote) return { value, end: i + 1 };
    if (ch === "\\") {
      const next = src[i + 1] ?? "";
      const hex = next === "x" ? 2 : next === "u" ? 4 : next === "U" ? 8 : 0;
      if (hex > 0) {
        const digits = src.slice(i + 2, i + 2 + hex);
        if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) {
          throw new TemplateSyntaxError(`bad \\${next} escape in string literal`);
        }
        value += String.fromCodePoint(Number.parseInt(digits, 16));
        i += 2 + hex;
        continue;
      }
      const esc = ESCAPES[next];
      value += esc ?? `\\${next}`;
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
  throw new TemplateSyntaxError("unexpected end of string literal");
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const { value, end } = readString(src, i);
      tokens.push({ kind: "string", value, pos: i });
      i = end;
      continue;
    }
    const num = /^(\d(?:_?\d)*)(\.\d(?:_?\d)*)?([eE][+-]?\d(?:_?\d)*)?/.exec(src.slice(i));
    if (num) {
      tokens.push({
        kind: "number",
        value: num[0].replaceAll("_", ""),
        pos: i,
        float: num[2] !== undefined || num[3] !== undefined,
      });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      tokens.push({ kind: "name", value: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new TemplateSyntaxError(`unexpected char '${ch}' at ${i}`);
    tokens.push({ kind: "op", value: op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: "end", value: "", pos: src.length });
  return tokens;
}
