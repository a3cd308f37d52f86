/**
 * Orquesta's inline parameters (`core.echo message="hi" count=3`, `publish: a=1 b=<% .. %>`),
 * following orquesta/utils/parameters.py: each `name=value` pair is matched against a fixed list
 * of value shapes, quotes are stripped, and unquoted values that parse as JSON become JSON.
 */

const VALUE_SHAPES = [
  String.raw`\[.*\]\s*`,
  String.raw`"[^"]*"\s*`,
  String.raw`'[^']*'\s*`,
  String.raw`[-]?\d*\.\d+`,
  String.raw`[-]?\d+`,
  "[Tt][Rr][Uu][Ee]",
  "[Ff][Aa][Ll][Ss][Ee]",
  "null",
  String.raw`\{\{.*?\}\}`,
  "<%.*?%>",
];

const INLINE = new RegExp(String.raw`(\w+)=(${VALUE_SHAPES.join("|")})`, "g");
const QUOTED = /"[^"]*"\s*|'[^']*'\s*/;

function convert(raw: string): unknown {
  let v = raw.trim();
  const quoted = QUOTED.test(v);
  v = v.replace(/^"/, "").replace(/"$/, "").replace(/^'/, "").replace(/'$/, "");
  const braces = v !== "" && v.startsWith("{") && v.endsWith("}");
  if (v !== "" && quoted && !braces) return v;
  const lower = v.toLowerCase();
  const text = lower === "true" || lower === "false" ? lower : v;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return v;
  }
}

/** The `name=value` pairs of an inline parameter string, in order. */
export function parseInlineParams(text: unknown): [string, unknown][] {
  if (typeof text !== "string" || text === "") return [];
  const out: [string, unknown][] = [];
  for (const m of text.matchAll(INLINE)) out.push([m[1] ?? "", convert(m[2] ?? "")]);
  return out;
}
