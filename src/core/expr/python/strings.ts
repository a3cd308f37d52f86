/** Python str methods whose semantics differ from JavaScript's (strip sets, split, replace count). */

import { pyValueError } from "./errors.ts";
import { pyStr } from "./value.ts";

/** Python `str.strip(chars)` / lstrip / rstrip. */
export function pyStrip(text: string, chars: unknown, side: "both" | "left" | "right"): string {
  const strip = (ch: string) =>
    chars === null || chars === undefined ? /\s/.test(ch) : String(chars).includes(ch);
  const cps = [...text];
  let a = 0;
  let b = cps.length;
  if (side !== "right") while (a < b && strip(cps[a] ?? "")) a++;
  if (side !== "left") while (b > a && strip(cps[b - 1] ?? "")) b--;
  return cps.slice(a, b).join("");
}

/** Python `str.replace(old, new, count)`. */
export function pyReplace(text: string, old: string, rep: string, count: number | null): string {
  if (old === "") {
    const pieces = [...text];
    const limit = count === null || count < 0 ? pieces.length + 1 : count;
    let out = "";
    for (let i = 0; i <= pieces.length; i++) out += (i < limit ? rep : "") + (pieces[i] ?? "");
    return out;
  }
  const parts = text.split(old);
  if (count === null || count < 0 || count >= parts.length - 1) return parts.join(rep);
  return parts.slice(0, count + 1).join(rep) + old + parts.slice(count + 1).join(old);
}

/** Python `str.split(sep, maxsplit)`; with no sep, runs of whitespace split and ends are dropped. */
export function pySplit(text: string, sep: unknown, maxsplit: number): string[] {
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
  if (s === "") pyValueError("empty separator");
  const parts = text.split(s);
  if (maxsplit < 0 || parts.length - 1 <= maxsplit) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(s)];
}

/** Python `str.rsplit(sep, maxsplit)`. */
export function pyRSplit(text: string, sep: unknown, maxsplit: number): string[] {
  if (maxsplit < 0) return pySplit(text, sep, -1);
  if (sep === null || sep === undefined) {
    const words = pySplit(text, null, -1);
    if (words.length <= maxsplit + 1) return words;
    const trimmed = text.replace(/\s+$/, "");
    const out: string[] = [];
    let rest = trimmed;
    for (let i = 0; i < maxsplit; i++) {
      const m = /\s+(\S+)$/.exec(rest);
      if (!m) break;
      out.unshift(m[1] ?? "");
      rest = rest.slice(0, m.index);
    }
    out.unshift(rest.replace(/^\s+/, ""));
    return out;
  }
  const s = pyStr(sep);
  if (s === "") pyValueError("empty separator");
  const parts = text.split(s);
  if (parts.length - 1 <= maxsplit) return parts;
  const cut = parts.length - maxsplit;
  return [parts.slice(0, cut).join(s), ...parts.slice(cut)];
}

/** Python `str.title()`: words are runs of letters. */
export function pyTitle(text: string): string {
  return text.replace(/\p{L}+/gu, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
}

/** Python `str.capitalize()`. */
export function pyCapitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
}
