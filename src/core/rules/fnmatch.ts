/**
 * Python's `fnmatch.fnmatch` on POSIX (case-sensitive): `*` any run, `?` one character,
 * `[seq]`, `[!seq]`, an unclosed `[` is literal, a reversed range like `[z-a]` matches nothing.
 * The translation follows the same steps as CPython's `fnmatch.translate` (chunking at
 * hyphens, dropping empty ranges) but emits JavaScript syntax directly. Every character is
 * matched as a code point and `*`/`?` cross newlines, as in Python.
 */

const STAR = Symbol("star");
type Part = string | typeof STAR;

function lit(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (/^[A-Za-z0-9_]$/.test(ch) || cp > 0x7f) return ch;
  return `\\u{${cp.toString(16)}}`;
}

/** The body of one `[...]` set, as code points split into literal chunks joined by ranges. */
function setBody(chars: string[], from: number, to: number): string | null {
  const stuff = chars.slice(from, to);
  const negated = stuff[0] === "!";
  let chunks: string[][];
  if (!stuff.includes("-")) {
    chunks = [stuff.slice(negated ? 1 : 0)];
  } else {
    // Split at the hyphens that form ranges, exactly where CPython splits.
    chunks = [];
    let i = from;
    let k = negated ? from + 2 : from + 1;
    for (;;) {
      k = chars.indexOf("-", k);
      if (k < 0 || k >= to) break;
      chunks.push(chars.slice(i, k));
      i = k + 1;
      k = k + 3;
    }
    const tail = chars.slice(i, to);
    if (tail.length > 0) chunks.push(tail);
    else chunks[chunks.length - 1]?.push("-");
    // A range whose end is below its start is dropped (CPython: invalid in a regex).
    for (let n = chunks.length - 1; n > 0; n--) {
      const prev = chunks[n - 1] as string[];
      const cur = chunks[n] as string[];
      const last = (prev[prev.length - 1] ?? "").codePointAt(0) ?? 0;
      const head = (cur[0] ?? "").codePointAt(0) ?? 0;
      if (last > head) {
        chunks[n - 1] = [...prev.slice(0, -1), ...cur.slice(1)];
        chunks.splice(n, 1);
      }
    }
    if (negated) chunks[0] = (chunks[0] ?? []).slice(1);
  }
  const rendered = chunks.map((chunk) => chunk.map((c) => lit(c.codePointAt(0) ?? 0)).join(""));
  const body = rendered.join("-");
  if (body === "") return negated ? String.raw`[\s\S]` : null;
  return `[${negated ? "^" : ""}${body}]`;
}

function translateParts(pattern: string): Part[] {
  const chars = Array.from(pattern);
  const n = chars.length;
  const parts: Part[] = [];
  let i = 0;
  while (i < n) {
    const c = chars[i] as string;
    i++;
    if (c === "*") {
      if (parts[parts.length - 1] !== STAR) parts.push(STAR);
    } else if (c === "?") {
      parts.push(String.raw`[\s\S]`);
    } else if (c === "[") {
      let j = i;
      if (j < n && chars[j] === "!") j++;
      if (j < n && chars[j] === "]") j++;
      while (j < n && chars[j] !== "]") j++;
      if (j >= n) {
        parts.push(lit(0x5b));
      } else {
        const set = setBody(chars, i, j);
        parts.push(set ?? "(?!)");
        i = j + 1;
      }
    } else {
      parts.push(lit(c.codePointAt(0) ?? 0));
    }
  }
  return parts;
}

/**
 * The JS regex source for a glob. An interior `*fixed` becomes a lazy match that cannot
 * backtrack (CPython uses an atomic group; a lookahead plus backreference is the JS spelling),
 * which keeps patterns like `*a*a*a*b` linear instead of exponential.
 */
export function translateGlob(pattern: string): string {
  const parts = translateParts(pattern);
  let out = "";
  let i = 0;
  let groups = 0;
  while (i < parts.length && parts[i] !== STAR) out += parts[i++] as string;
  while (i < parts.length) {
    i++; // the STAR
    if (i === parts.length) {
      out += String.raw`[\s\S]*`;
      break;
    }
    let fixed = "";
    while (i < parts.length && parts[i] !== STAR) fixed += parts[i++] as string;
    if (i === parts.length) {
      out += String.raw`[\s\S]*${fixed}`;
    } else {
      groups++;
      out += `(?=([\\s\\S]*?${fixed}))\\${groups}`;
    }
  }
  return `^(?:${out})$`;
}

const CACHE_LIMIT = 512;
const cache = new Map<string, RegExp>();

/** `fnmatch.fnmatch(name, pattern)` with POSIX case sensitivity. */
export function fnmatch(name: string, pattern: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(translateGlob(pattern), "v");
    if (cache.size >= CACHE_LIMIT) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(pattern, re);
  }
  return re.test(name);
}
