/**
 * Translates Python `re` patterns to JavaScript RegExps, because rule criteria, Jinja filters and
 * YAQL functions written for StackStorm use Python regex syntax and semantics. The output uses the `v` flag (code-point
 * matching, nested classes) and never JS's `m`/`s` flags: `.`, `^`, `$` are rewritten explicitly
 * so that Python's meanings hold (`$` also matches before a final newline; `.` excludes only
 * `\n`; `\d`, `\w`, `\s`, `\b` are Unicode-aware as in Python 3 str patterns).
 *
 * Constructs JavaScript cannot express (conditionals, atomic groups, possessive quantifiers,
 * `\N{...}`, a scoped change of case sensitivity) raise OperatorError("re.error") naming the
 * construct, so a pattern is never silently matched with different semantics.
 */

import { OperatorError } from "./errors.ts";

export interface PyRegexFlags {
  ignoreCase?: boolean;
  multiline?: boolean;
  dotAll?: boolean;
}

interface Scope {
  dotAll: boolean;
  multiline: boolean;
  verbose: boolean;
  ascii: boolean;
  ignoreCase: boolean;
}

/** Python's str.isspace() set (class body), which is what `\s` matches in str patterns. */
export const PY_SPACE = String.raw`\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;
const CLASSES = {
  unicode: {
    d: String.raw`\p{Nd}`,
    D: String.raw`\P{Nd}`,
    w: String.raw`[\p{L}\p{N}_]`,
    W: String.raw`[^\p{L}\p{N}_]`,
    s: `[${PY_SPACE}]`,
    S: `[^${PY_SPACE}]`,
  },
  ascii: {
    d: "[0-9]",
    D: "[^0-9]",
    w: "[a-zA-Z0-9_]",
    W: "[^a-zA-Z0-9_]",
    s: String.raw`[ \t\n\r\f\v]`,
    S: String.raw`[^ \t\n\r\f\v]`,
  },
} as const;

function fail(message: string): never {
  throw new OperatorError("re.error", message);
}

function unsupported(what: string): never {
  throw new OperatorError(
    "re.error",
    `unsupported Python regex construct: ${what} (JavaScript cannot express it)`,
  );
}

/** A code point written so it can never be read as regex syntax, inside or outside a class. */
function lit(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (/^[A-Za-z0-9_]$/.test(ch) || cp > 0x7f) return ch;
  return `\\u{${cp.toString(16)}}`;
}

// The whitespace Python's verbose mode skips (sre_parse WHITESPACE).
const VERBOSE_SPACE = new Set([" ", "\t", "\n", "\r", "\v", "\f"]);
const HEX = /^[0-9a-fA-F]+$/;
const OCT = /^[0-7]$/;

class Translator {
  private pos = 0;
  private readonly chars: string[];
  private readonly scopes: Scope[];
  private groups = 0;

  constructor(
    source: string,
    private readonly globalFlags: Scope,
  ) {
    this.chars = Array.from(source);
    this.scopes = [globalFlags];
  }

  private get scope(): Scope {
    return this.scopes[this.scopes.length - 1] ?? this.globalFlags;
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.pos + offset];
  }

  private startsWith(text: string): boolean {
    return this.chars.slice(this.pos, this.pos + text.length).join("") === text;
  }

  /** Reads leading `(?aiLmsux)` groups: Python applies them to the whole pattern. */
  readGlobalFlags(): Scope {
    const flags = { ...this.globalFlags };
    for (;;) {
      const m = /^\(\?([aiLmsux]+)\)/.exec(this.chars.slice(this.pos, this.pos + 12).join(""));
      if (!m?.[1]) break;
      applyFlags(flags, m[1], true);
      this.pos += m[0].length;
    }
    this.scopes[0] = flags;
    return flags;
  }

  translate(): string {
    let out = "";
    while (this.pos < this.chars.length) out += this.item();
    if (this.scopes.length > 1) fail("missing ), unterminated subpattern");
    return out;
  }

  private item(): string {
    const c = this.chars[this.pos++] as string;
    const scope = this.scope;
    if (scope.verbose) {
      if (VERBOSE_SPACE.has(c)) return "";
      if (c === "#") {
        while (this.pos < this.chars.length && this.peek() !== "\n") this.pos++;
        return "";
      }
    }
    switch (c) {
      case ".":
        return scope.dotAll ? String.raw`[\s\S]` : String.raw`[^\n]`;
      case "^":
        return scope.multiline ? String.raw`(?<![^\n])` : "^";
      case "$":
        return scope.multiline ? String.raw`(?=\n|$)` : String.raw`(?=\n?$)`;
      case "|":
        return "|";
      case "*":
      case "+":
      case "?":
        return c + this.lazyOrPossessive();
      case "{":
        return this.brace();
      case "[":
        return this.charClass();
      case "(":
        return this.group();
      case ")":
        if (this.scopes.length <= 1) fail(`unbalanced parenthesis at position ${this.pos - 1}`);
        this.scopes.pop();
        return ")";
      case "\\":
        return this.escape();
      default:
        return lit(c.codePointAt(0) ?? 0);
    }
  }

  private lazyOrPossessive(): string {
    if (this.peek() === "?") {
      this.pos++;
      return "?";
    }
    if (this.peek() === "+") unsupported("possessive quantifier");
    return "";
  }

  private brace(): string {
    const m = /^(\d*)(?:(,)(\d*))?\}/.exec(this.chars.slice(this.pos, this.pos + 40).join(""));
    if (!m || this.peek() === "}") return lit(0x7b);
    this.pos += m[0].length;
    const lo = m[1] ?? "";
    const hi = m[3] ?? "";
    const min = lo === "" ? 0 : Number(lo);
    if (m[2] && hi !== "" && Number(hi) < min) fail("min repeat greater than max repeat");
    const body = m[2] ? `{${min},${hi}}` : `{${min}}`;
    return body + this.lazyOrPossessive();
  }

  private group(): string {
    if (this.peek() !== "?") {
      this.groups++;
      this.scopes.push(this.scope);
      return "(";
    }
    this.pos++;
    const next = this.peek();
    if (next === ":" || next === "=" || next === "!") {
      this.pos++;
      this.scopes.push(this.scope);
      return `(?${next}`;
    }
    if (this.startsWith("<=") || this.startsWith("<!")) {
      const kind = this.peek(1);
      this.pos += 2;
      this.scopes.push(this.scope);
      return `(?<${kind}`;
    }
    if (next === "#") {
      while (this.pos < this.chars.length && this.peek() !== ")") this.pos++;
      if (this.pos >= this.chars.length) fail("missing ), unterminated comment");
      this.pos++;
      return "";
    }
    if (next === "P") {
      if (this.peek(1) === "<") {
        this.pos += 2;
        const name = this.readName(">");
        this.groups++;
        this.scopes.push(this.scope);
        return `(?<${name}>`;
      }
      if (this.peek(1) === "=") {
        this.pos += 2;
        const name = this.readName(")");
        return String.raw`\k<${name}>`;
      }
      fail(`unknown extension ?P${this.peek(1) ?? ""}`);
    }
    if (next === "(") unsupported("conditional group (?(id)yes|no)");
    if (next === ">") unsupported("atomic group (?>...)");
    const m = /^([aiLmsux]*)(?:-([imsx]+))?([:)])/.exec(
      this.chars.slice(this.pos, this.pos + 16).join(""),
    );
    if (!m) fail(`unknown extension ?${next ?? ""}`);
    if (m[3] === ")") fail("global flags not at the start of the expression");
    this.pos += m[0].length;
    const scoped = { ...this.scope };
    applyFlags(scoped, m[1] ?? "", true);
    applyFlags(scoped, m[2] ?? "", false);
    if (scoped.ignoreCase !== this.globalFlags.ignoreCase) {
      unsupported("a group that changes case sensitivity ((?i:...) or (?-i:...))");
    }
    this.scopes.push(scoped);
    return "(?:";
  }

  private readName(end: string): string {
    let name = "";
    while (this.pos < this.chars.length && this.peek() !== end) name += this.chars[this.pos++];
    if (this.pos >= this.chars.length) fail(`missing ${end}, unterminated name`);
    this.pos++;
    if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) fail(`bad character in group name '${name}'`);
    return name;
  }

  /** Escapes outside a class. */
  private escape(): string {
    const c = this.chars[this.pos++];
    if (c === undefined) fail("bad escape (end of pattern)");
    const classes = this.scope.ascii ? CLASSES.ascii : CLASSES.unicode;
    switch (c) {
      case "A":
        return "^";
      case "Z":
        return "$";
      case "b":
      case "B":
        return this.scope.ascii ? `\\${c}` : wordBoundary(c === "B");
      case "d":
      case "D":
      case "w":
      case "W":
      case "s":
      case "S":
        return classes[c];
    }
    if (c >= "1" && c <= "9") {
      let digits = c;
      if (/^\d$/.test(this.peek() ?? "")) {
        digits += this.chars[this.pos++];
        if (OCT.test(c) && OCT.test(digits[1] ?? "") && OCT.test(this.peek() ?? "")) {
          digits += this.chars[this.pos++];
          const cp = Number.parseInt(digits, 8);
          if (cp > 0o377) fail(`octal escape value \\${digits} outside of range 0-0o377`);
          return lit(cp);
        }
      }
      if (Number(digits) > this.groups) fail(`invalid group reference ${digits}`);
      return `(?:\\${digits})`;
    }
    return lit(this.commonEscape(c, false));
  }

  /** Escapes valid both inside and outside classes; returns the code point. */
  private commonEscape(c: string, inClass: boolean): number {
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11, a: 7 };
    if (inClass) simple.b = 8;
    const known = simple[c];
    if (known !== undefined) return known;
    if (c === "0" || (inClass && OCT.test(c))) {
      let digits = c;
      while (digits.length < 3 && OCT.test(this.peek() ?? "")) digits += this.chars[this.pos++];
      const cp = Number.parseInt(digits, 8);
      if (cp > 0o377) fail(`octal escape value \\${digits} outside of range 0-0o377`);
      return cp;
    }
    const width = c === "x" ? 2 : c === "u" ? 4 : c === "U" ? 8 : 0;
    if (width > 0) {
      const hex = this.chars.slice(this.pos, this.pos + width).join("");
      if (hex.length !== width || !HEX.test(hex)) fail(`incomplete escape \\${c}${hex}`);
      this.pos += width;
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff) fail(`bad escape \\${c}${hex}`);
      return cp;
    }
    if (c === "N") unsupported("named Unicode escape \\N{...}");
    if (/^[A-Za-z0-9]$/.test(c)) fail(`bad escape \\${c}`);
    return c.codePointAt(0) ?? 0;
  }

  private charClass(): string {
    const negate = this.peek() === "^";
    if (negate) this.pos++;
    const classes = this.scope.ascii ? CLASSES.ascii : CLASSES.unicode;
    const items: string[] = [];
    let first = true;
    for (;;) {
      const c = this.chars[this.pos++];
      if (c === undefined) fail("unterminated character set");
      if (c === "]" && !first) break;
      first = false;
      let lo: number | string;
      if (c === "\\") lo = this.classEscape(classes);
      else lo = c.codePointAt(0) ?? 0;
      if (this.peek() === "-") {
        this.pos++;
        const that = this.chars[this.pos++];
        if (that === undefined) fail("unterminated character set");
        if (that === "]") {
          items.push(typeof lo === "number" ? lit(lo) : lo, lit(0x2d));
          break;
        }
        const hi = that === "\\" ? this.classEscape(classes) : (that.codePointAt(0) ?? 0);
        if (typeof lo !== "number" || typeof hi !== "number" || hi < lo) {
          fail("bad character range");
        }
        items.push(`${lit(lo)}-${lit(hi)}`);
      } else {
        items.push(typeof lo === "number" ? lit(lo) : lo);
      }
    }
    return `[${negate ? "^" : ""}${items.join("")}]`;
  }

  /** A class escape: a code point, or the text of a nested class for `\d`, `\w`, `\s`... */
  private classEscape(classes: (typeof CLASSES)["unicode" | "ascii"]): number | string {
    const c = this.chars[this.pos++];
    if (c === undefined) fail("bad escape (end of pattern)");
    if (c === "d" || c === "D" || c === "w" || c === "W" || c === "s" || c === "S") {
      const cls = classes[c];
      return cls.startsWith("[") ? cls : `[${cls}]`;
    }
    if (c === "8" || c === "9" || c === "A" || c === "Z" || c === "B") fail(`bad escape \\${c}`);
    return this.commonEscape(c, true);
  }
}

function wordBoundary(negated: boolean): string {
  const w = CLASSES.unicode.w;
  return negated
    ? `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`
    : `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
}

function applyFlags(scope: Scope, letters: string, on: boolean): void {
  for (const f of letters) {
    if (f === "i") scope.ignoreCase = on;
    else if (f === "s") scope.dotAll = on;
    else if (f === "m") scope.multiline = on;
    else if (f === "x") scope.verbose = on;
    else if (f === "a") scope.ascii = on;
    else if (f === "L") fail("bad inline flags: cannot use 'L' flag with a str pattern");
  }
}

export interface TranslatedRegex {
  source: string;
  flags: string;
}

/** Translates a Python pattern; `anchored` gives `re.match` semantics (match at the start only). */
export function translatePythonRegex(
  pattern: string,
  flags: PyRegexFlags = {},
  anchored = false,
): TranslatedRegex {
  const start: Scope = {
    dotAll: flags.dotAll === true,
    multiline: flags.multiline === true,
    verbose: false,
    ascii: false,
    ignoreCase: flags.ignoreCase === true,
  };
  const t = new Translator(pattern, start);
  const global = t.readGlobalFlags();
  const body = t.translate();
  return {
    source: anchored ? `^(?:${body})` : body,
    flags: global.ignoreCase ? "vi" : "v",
  };
}

const CACHE_LIMIT = 512;
const cache = new Map<string, RegExp>();

/** Compiles (and caches) a Python pattern as a JS RegExp with Python semantics. */
export function compilePythonRegex(
  pattern: string,
  flags: PyRegexFlags = {},
  anchored = false,
): RegExp {
  const key = `${anchored ? "a" : "s"}${flags.ignoreCase ? "i" : "-"}${flags.multiline ? "m" : "-"}${flags.dotAll ? "s" : "-"}${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { source, flags: jsFlags } = translatePythonRegex(pattern, flags, anchored);
  let re: RegExp;
  try {
    re = new RegExp(source, jsFlags);
  } catch (e) {
    throw new OperatorError(
      "re.error",
      `invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`,
    );
  }
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, re);
  return re;
}
