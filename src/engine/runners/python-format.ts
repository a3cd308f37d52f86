/**
 * Python's `str()` and `repr()` for JSON-shaped values.
 *
 * StackStorm builds shell arguments and query strings with `six.text_type(value)`, so a list
 * parameter reaches a script as `['a', 'b']` and a boolean as `True`. Packs written against
 * StackStorm parse exactly those strings, so Squall reproduces them. Pure logic: no node: imports.
 */

/** Python `str(value)` for a value that came out of JSON/YAML. */
export function pyStr(value: unknown): string {
  if (typeof value === "string") return value;
  return pyRepr(value);
}

/** Python `repr(value)` for a value that came out of JSON/YAML. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return pyNumber(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return pyStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (typeof value === "object") {
    const parts = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v)}`,
    );
    return `{${parts.join(", ")}}`;
  }
  return String(value);
}

/**
 * Integers print as Python ints. Other numbers follow float repr: shortest round-trip digits
 * (which JavaScript shares), but exponent form below 1e-4, with a two-digit exponent (`1e-05`).
 */
export function pyNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  // JSON integers load as Python ints, whatever their size.
  if (Number.isInteger(n)) return BigInt(n).toString();
  const abs = Math.abs(n);
  if (abs < 1e-4 || abs >= 1e16) {
    const [mantissa, exponent] = n.toExponential().split("e") as [string, string];
    const sign = exponent.startsWith("-") ? "-" : "+";
    const digits = exponent.replace(/^[+-]/, "").padStart(2, "0");
    return `${mantissa}e${sign}${digits}`;
  }
  return String(n);
}

function pyStringRepr(s: string): string {
  // Python prefers single quotes and switches to double quotes only when that avoids escaping.
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}
