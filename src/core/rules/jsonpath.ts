/**
 * JSONPath as `jsonpath_rw` 1.4.0 reads and evaluates it; rule criteria keys are such paths
 * (`trigger.body.items[0].name`, `trigger.headers.X-Github-Event`, `trigger.'odd key'`).
 *
 * Grammar: names (`[A-Za-z_@][A-Za-z0-9_@-]*` or quoted with ' or "), `*`, `$`, `` `this` ``,
 * `` `parent` ``, `[n]`, `[*]`, `[a:b]`, `['k','l']`, comma-separated names, parentheses and the
 * binary operators `.`, `..`, `|`, `where` (`&` parses but, as in jsonpath_rw, cannot be
 * evaluated). Operator precedence follows jsonpath_rw's table, loosest first: `..`, `.`, `|`,
 * `&`, `where`; brackets bind tightest.
 *
 * Evaluation keeps jsonpath_rw's quirks because they decide which criteria match: a name on a
 * non-object matches nothing, `[n]` on null or a number raises, `[*]` turns an object, string or
 * int into a one-element list. Errors raise JsonPathError, which StackStorm records as a failed
 * enforcement ("Failed transforming criteria key").
 */

import { SquallError } from "../errors.ts";
import { isPlainObject, pyTypeName } from "../expr/python/value.ts";
import { TemplateProxy } from "../expr/template.ts";

export class JsonPathError extends SquallError {
  override readonly code: string = "jsonpath_error";
}

export type JsonPath =
  | { t: "root" }
  | { t: "this" }
  | { t: "parent" }
  | { t: "fields"; names: string[] }
  | { t: "index"; index: number }
  | { t: "slice"; start: number | null; end: number | null }
  | {
      t: "child" | "descendants" | "where" | "union" | "intersect";
      left: JsonPath;
      right: JsonPath;
    };

type Token =
  | { type: "ID"; value: string; col: number }
  | { type: "NUMBER"; value: number; col: number }
  | { type: "NAMED"; value: string; col: number }
  | { type: "OP"; value: string; col: number };

function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === " " || c === "\t" || c === "\n") {
      i++;
      continue;
    }
    const rest = source.slice(i);
    const id = /^[a-zA-Z_@][a-zA-Z0-9_@-]*/.exec(rest);
    if (id) {
      tokens.push(
        id[0] === "where"
          ? { type: "OP", value: "where", col: i }
          : { type: "ID", value: id[0], col: i },
      );
      i += id[0].length;
      continue;
    }
    const num = /^-?\d+/.exec(rest);
    if (num) {
      tokens.push({ type: "NUMBER", value: Number(num[0]), col: i });
      i += num[0].length;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") {
      let value = "";
      let j = i + 1;
      while (j < source.length && source[j] !== c) {
        if (source[j] === "\\" && j + 1 < source.length) j++;
        value += source[j];
        j++;
      }
      if (j >= source.length)
        throw new JsonPathError(
          `Unexpected EOF in string literal or identifier in ${JSON.stringify(source)}`,
        );
      tokens.push(c === "`" ? { type: "NAMED", value, col: i } : { type: "ID", value, col: i });
      i = j + 1;
      continue;
    }
    if (rest.startsWith("..")) {
      tokens.push({ type: "OP", value: "..", col: i });
      i += 2;
      continue;
    }
    if ("*.[]()$,:|&".includes(c)) {
      tokens.push({ type: "OP", value: c, col: i });
      i++;
      continue;
    }
    throw new JsonPathError(
      `Error on line 1, col ${i}: Unexpected character: ${c} in ${JSON.stringify(source)}`,
    );
  }
  return tokens;
}

const BINARY: Record<
  string,
  { prec: number; node: "descendants" | "child" | "union" | "intersect" | "where" }
> = {
  "..": { prec: 1, node: "descendants" },
  ".": { prec: 2, node: "child" },
  "|": { prec: 3, node: "union" },
  "&": { prec: 4, node: "intersect" },
  where: { prec: 5, node: "where" },
};

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): JsonPath {
    const path = this.expr(0);
    if (this.pos < this.tokens.length) this.error(this.tokens[this.pos]);
    return path;
  }

  private error(token: Token | undefined): never {
    if (!token)
      throw new JsonPathError(`Parse error at end of input in ${JSON.stringify(this.source)}`);
    throw new JsonPathError(
      `Parse error at 1:${token.col} near token ${token.value} in ${JSON.stringify(this.source)}`,
    );
  }

  private peekOp(value: string): boolean {
    const t = this.tokens[this.pos];
    return t?.type === "OP" && t.value === value;
  }

  private expect(value: string): void {
    if (!this.peekOp(value)) this.error(this.tokens[this.pos]);
    this.pos++;
  }

  private expr(minPrec: number): JsonPath {
    let left = this.postfix(this.primary());
    for (;;) {
      const t = this.tokens[this.pos];
      const op = t?.type === "OP" ? BINARY[t.value] : undefined;
      if (!op || op.prec < minPrec) return left;
      this.pos++;
      const right = this.expr(op.prec + 1);
      left = { t: op.node, left, right };
    }
  }

  private names(): string[] {
    const out: string[] = [];
    for (;;) {
      const t = this.tokens[this.pos];
      if (t?.type !== "ID") this.error(t);
      out.push(t.value);
      this.pos++;
      if (!this.peekOp(",")) return out;
      this.pos++;
    }
  }

  private primary(): JsonPath {
    const t = this.tokens[this.pos];
    if (!t) this.error(t);
    if (t.type === "ID") return { t: "fields", names: this.names() };
    if (t.type === "NAMED") {
      this.pos++;
      if (t.value === "this") return { t: "this" };
      if (t.value === "parent") return { t: "parent" };
      throw new JsonPathError(
        `Unknown named operator \`${t.value}\` in ${JSON.stringify(this.source)}`,
      );
    }
    if (t.type === "OP") {
      if (t.value === "*") {
        this.pos++;
        return { t: "fields", names: ["*"] };
      }
      if (t.value === "$") {
        this.pos++;
        return { t: "root" };
      }
      if (t.value === "(") {
        this.pos++;
        const inner = this.expr(0);
        this.expect(")");
        return inner;
      }
      if (t.value === "[") return this.bracket();
    }
    this.error(t);
  }

  private postfix(node: JsonPath): JsonPath {
    let left = node;
    while (this.peekOp("[")) left = { t: "child", left, right: this.bracket() };
    return left;
  }

  /** `[n]`, `[*]`, `[a:b]` or `['name', ...]`. */
  private bracket(): JsonPath {
    this.expect("[");
    const t = this.tokens[this.pos];
    let node: JsonPath;
    if (t?.type === "ID") node = { t: "fields", names: this.names() };
    else if (t?.type === "OP" && t.value === "*") {
      this.pos++;
      node = { t: "slice", start: null, end: null };
    } else {
      const start = t?.type === "NUMBER" ? t.value : null;
      if (start !== null) this.pos++;
      if (this.peekOp(":")) {
        this.pos++;
        const e = this.tokens[this.pos];
        const end = e?.type === "NUMBER" ? e.value : null;
        if (end !== null) this.pos++;
        node = { t: "slice", start, end };
      } else if (start !== null) node = { t: "index", index: start };
      else this.error(t);
    }
    this.expect("]");
    return node;
  }
}

const CACHE_LIMIT = 1024;
const cache = new Map<string, JsonPath>();

/** Parses (and caches) a JSONPath expression. */
export function parseJsonPath(source: string): JsonPath {
  const hit = cache.get(source);
  if (hit) return hit;
  const path = new Parser(lex(source), source).parse();
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(source, path);
  return path;
}

interface Datum {
  value: unknown;
  parent: Datum | null;
}

function pyLen(value: unknown): number {
  if (typeof value === "string") return Array.from(value).length;
  if (Array.isArray(value) || value instanceof Uint8Array) return value.length;
  if (isPlainObject(value)) return Object.keys(value).length;
  throw new JsonPathError(`object of type '${pyTypeName(value)}' has no len()`);
}

function field(datum: Datum, name: string): Datum | null {
  const v = datum.value;
  if (v instanceof TemplateProxy) return { value: v.attr(name), parent: datum };
  if (isPlainObject(v) && Object.hasOwn(v, name)) return { value: v[name], parent: datum };
  return null;
}

function fieldNames(datum: Datum, names: string[]): string[] {
  if (!names.includes("*")) return names;
  if (isPlainObject(datum.value)) return Object.keys(datum.value);
  if (datum.value instanceof TemplateProxy) {
    throw new JsonPathError(
      "'KeyValueLookup' object is not callable (cannot list datastore keys with *)",
    );
  }
  return [];
}

function index(datum: Datum, i: number): Datum[] {
  const v = datum.value;
  const len = pyLen(v);
  if (len <= i) return [];
  const at = i < 0 ? len + i : i;
  if (isPlainObject(v)) throw new JsonPathError(`KeyError: ${i}`);
  if (at < 0) throw new JsonPathError(`${pyTypeName(v)} index out of range`);
  const item = typeof v === "string" ? Array.from(v)[at] : (v as ArrayLike<unknown>)[at];
  return [{ value: item, parent: datum }];
}

/** Python's `range(0, n)[start:end]`. */
function sliceIndexes(n: number, start: number | null, end: number | null): number[] {
  const clamp = (x: number) => (x < 0 ? Math.max(0, n + x) : Math.min(n, x));
  const from = start === null ? 0 : clamp(start);
  const to = end === null ? n : clamp(end);
  const out: number[] = [];
  for (let k = from; k < to; k++) out.push(k);
  return out;
}

function slice(datum: Datum, start: number | null, end: number | null): Datum[] {
  let d = datum;
  const v = d.value;
  // jsonpath_rw's coercion: a dict, int (incl. bool) or str becomes a one-element list.
  if (
    isPlainObject(v) ||
    typeof v === "string" ||
    typeof v === "boolean" ||
    (typeof v === "number" && Number.isInteger(v))
  ) {
    d = { value: [v], parent: datum.parent };
  }
  const list = d.value;
  const n = pyLen(list);
  return sliceIndexes(n, start, end).map((k) => ({
    value: (list as ArrayLike<unknown>)[k],
    parent: d,
  }));
}

function descend(path: JsonPath, datum: Datum): Datum[] {
  const out = find(path, datum);
  const v = datum.value;
  if (Array.isArray(v))
    for (const item of v) out.push(...descend(path, { value: item, parent: datum }));
  else if (isPlainObject(v))
    for (const k of Object.keys(v)) out.push(...descend(path, { value: v[k], parent: datum }));
  return out;
}

function find(path: JsonPath, datum: Datum): Datum[] {
  switch (path.t) {
    case "root": {
      let top = datum;
      while (top.parent) top = top.parent;
      return [{ value: top.value, parent: null }];
    }
    case "this":
      return [datum];
    case "parent":
      if (!datum.parent) throw new JsonPathError("`parent` used at the root of the data");
      return [datum.parent];
    case "fields":
      return fieldNames(datum, path.names)
        .map((name) => field(datum, name))
        .filter((d): d is Datum => d !== null);
    case "index":
      return index(datum, path.index);
    case "slice":
      return slice(datum, path.start, path.end);
    case "child":
      return find(path.left, datum).flatMap((d) => find(path.right, d));
    case "descendants":
      return find(path.left, datum).flatMap((d) => descend(path.right, d));
    case "where":
      return find(path.left, datum).filter((d) => find(path.right, d).length > 0);
    case "union":
      return [...find(path.left, datum), ...find(path.right, datum)];
    case "intersect":
      throw new JsonPathError("the & (intersect) operator is not implemented by jsonpath_rw");
  }
}

/** Every value the path selects in `data`, in jsonpath_rw's order. */
export function findValues(path: string | JsonPath, data: unknown): unknown[] {
  const parsed = typeof path === "string" ? parseJsonPath(path) : path;
  return find(parsed, { value: data, parent: null }).map((d) => d.value);
}

/**
 * Field-name chains (`trigger.body.status`), the shape almost every criteria key has, as a list
 * of names; null for anything richer (wildcards, indexes, unions). Cached with the parse.
 */
const chains = new Map<string, string[] | null>();

function chainOf(path: JsonPath): string[] | null {
  if (path.t === "fields")
    return path.names.length === 1 && path.names[0] !== "*" ? [path.names[0] as string] : null;
  if (path.t !== "child") return null;
  const left = chainOf(path.left);
  const right = left ? chainOf(path.right) : null;
  return left && right ? [...left, ...right] : null;
}

/**
 * The first value `path` selects in `data` (what rule criteria use), or undefined when it
 * selects nothing. Plain field chains over plain objects are walked directly; everything
 * else goes through the full evaluator, with identical results.
 */
export function firstValue(source: string, data: unknown): unknown {
  let chain = chains.get(source);
  if (chain === undefined) {
    chain = chainOf(parseJsonPath(source));
    if (chains.size >= CACHE_LIMIT) chains.clear();
    chains.set(source, chain);
  }
  if (chain) {
    let value: unknown = data;
    let plain = true;
    for (const name of chain) {
      if (
        typeof value !== "object" ||
        value === null ||
        Array.isArray(value) ||
        Object.getPrototypeOf(value) !== Object.prototype
      ) {
        plain = false;
        break;
      }
      if (!Object.hasOwn(value, name)) return undefined;
      value = (value as Record<string, unknown>)[name];
    }
    if (plain) return value;
  }
  const all = findValues(source, data);
  return all.length > 0 ? all[0] : undefined;
}
