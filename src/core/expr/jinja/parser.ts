/** Expression parser for the supported Jinja subset, following Jinja's own precedence. */

import { makeFloat } from "../python/number.ts";
import { TemplateSyntaxError } from "../template.ts";
import type { Expr, Target } from "./ast.ts";
import { type Token, tokenize } from "./lexer.ts";

/** Nesting beyond this is refused: it bounds parser and evaluator recursion on hostile input. */
export const MAX_EXPRESSION_DEPTH = 100;

const COMPARE_OPS = new Set(["==", "!=", "<", ">", "<=", ">="]);

/** Parses the expression inside one tag. */
export class ExprParser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly tagSource: string,
  ) {}

  static of(source: string): ExprParser {
    return new ExprParser(tokenize(source), source);
  }

  get current(): Token {
    return this.tokens[this.i] ?? { kind: "end", value: "", pos: this.tagSource.length };
  }

  private peek(offset: number): Token | undefined {
    return this.tokens[this.i + offset];
  }

  next(): Token {
    const t = this.current;
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  is(kind: Token["kind"], value?: string): boolean {
    const t = this.current;
    return t.kind === kind && (value === undefined || t.value === value);
  }

  skip(kind: Token["kind"], value: string): boolean {
    if (!this.is(kind, value)) return false;
    this.next();
    return true;
  }

  fail(message: string): never {
    throw new TemplateSyntaxError(`${message} in "${this.tagSource.trim()}"`);
  }

  expect(kind: Token["kind"], value?: string): Token {
    if (!this.is(kind, value)) {
      const got = this.current.kind === "end" ? "end of tag" : `'${this.current.value}'`;
      this.fail(`expected ${value ?? kind}, got ${got}`);
    }
    return this.next();
  }

  expectEnd(): void {
    if (!this.is("end")) this.fail(`unexpected '${this.current.value}'`);
  }

  parseExpression(withCond = true): Expr {
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      this.fail(`expression nested deeper than ${MAX_EXPRESSION_DEPTH} levels`);
    }
    try {
      return withCond ? this.parseCond() : this.parseOr();
    } finally {
      this.depth--;
    }
  }

  /** `a, b` without parentheses is a tuple, as in `{{ 1, 2 }}` or `{% set x = 1, 2 %}`. */
  parseTuple(withCond = true): Expr {
    const first = this.parseExpression(withCond);
    if (!this.is("op", ",")) return first;
    const items = [first];
    while (this.skip("op", ",")) {
      if (this.is("end") || this.is("name", "recursive") || this.is("name", "if")) break;
      items.push(this.parseExpression(withCond));
    }
    return { type: "tuple", items };
  }

  private parseCond(): Expr {
    let expr = this.parseOr();
    while (this.skip("name", "if")) {
      const test = this.parseOr();
      const otherwise = this.skip("name", "else") ? this.parseCond() : null;
      expr = { type: "cond", test, whenTrue: expr, otherwise };
    }
    return expr;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.skip("name", "or"))
      left = { type: "logical", op: "or", left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.skip("name", "and"))
      left = { type: "logical", op: "and", left, right: this.parseNot() };
    return left;
  }

  private parseNot(): Expr {
    if (this.skip("name", "not")) {
      if (++this.depth > MAX_EXPRESSION_DEPTH) this.fail("expression nested too deeply");
      try {
        return { type: "unary", op: "not", operand: this.parseNot() };
      } finally {
        this.depth--;
      }
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const first = this.parseMath1();
    const rest: Array<{ op: string; value: Expr }> = [];
    for (;;) {
      const t = this.current;
      if (t.kind === "op" && COMPARE_OPS.has(t.value)) {
        this.next();
        rest.push({ op: t.value, value: this.parseMath1() });
      } else if (this.skip("name", "in")) {
        rest.push({ op: "in", value: this.parseMath1() });
      } else if (
        this.is("name", "not") &&
        this.peek(1)?.kind === "name" &&
        this.peek(1)?.value === "in"
      ) {
        this.next();
        this.next();
        rest.push({ op: "not in", value: this.parseMath1() });
      } else break;
    }
    return rest.length === 0 ? first : { type: "compare", first, rest };
  }

  private binaryLoop(ops: string[], operand: () => Expr): Expr {
    let left = operand();
    while (this.current.kind === "op" && ops.includes(this.current.value)) {
      const op = this.next().value;
      left = { type: "binary", op, left, right: operand() };
    }
    return left;
  }

  private parseMath1(): Expr {
    return this.binaryLoop(["+", "-"], () => this.parseConcat());
  }

  private parseConcat(): Expr {
    return this.binaryLoop(["~"], () => this.parseMath2());
  }

  private parseMath2(): Expr {
    return this.binaryLoop(["*", "/", "//", "%"], () => this.parsePow());
  }

  private parsePow(): Expr {
    return this.binaryLoop(["**"], () => this.parseUnary(true));
  }

  private parseUnary(withFilter: boolean): Expr {
    if (++this.depth > MAX_EXPRESSION_DEPTH) this.fail("expression nested too deeply");
    try {
      return this.parseUnaryInner(withFilter);
    } finally {
      this.depth--;
    }
  }

  private parseUnaryInner(withFilter: boolean): Expr {
    let node: Expr;
    if (this.skip("op", "-")) node = { type: "unary", op: "-", operand: this.parseUnary(false) };
    else if (this.skip("op", "+"))
      node = { type: "unary", op: "+", operand: this.parseUnary(false) };
    else node = this.parsePrimary();
    node = this.parsePostfix(node);
    return withFilter ? this.parseFilterExpr(node) : node;
  }

  private parsePrimary(): Expr {
    const t = this.current;
    if (t.kind === "name") {
      this.next();
      if (t.value === "true" || t.value === "True") return { type: "literal", value: true };
      if (t.value === "false" || t.value === "False") return { type: "literal", value: false };
      if (t.value === "none" || t.value === "None") return { type: "literal", value: null };
      return { type: "name", name: t.value };
    }
    if (t.kind === "string") {
      let value = this.next().value;
      while (this.is("string")) value += this.next().value;
      return { type: "literal", value };
    }
    if (t.kind === "number") {
      this.next();
      const value = Number(t.value);
      if (t.float) return { type: "literal", value: makeFloat(value) };
      if (!Number.isSafeInteger(value)) this.fail(`integer literal ${t.value} is too large`);
      return { type: "literal", value };
    }
    if (this.skip("op", "(")) {
      if (this.skip("op", ")")) return { type: "tuple", items: [] };
      const first = this.parseExpression();
      if (this.skip("op", ")")) return first;
      const items = [first];
      while (this.skip("op", ",")) {
        if (this.is("op", ")")) break;
        items.push(this.parseExpression());
      }
      this.expect("op", ")");
      return { type: "tuple", items };
    }
    if (this.skip("op", "[")) {
      const items: Expr[] = [];
      while (!this.is("op", "]")) {
        if (items.length > 0) this.expect("op", ",");
        if (this.is("op", "]")) break;
        items.push(this.parseExpression());
      }
      this.expect("op", "]");
      return { type: "list", items };
    }
    if (this.skip("op", "{")) {
      const entries: Array<{ key: Expr; value: Expr }> = [];
      while (!this.is("op", "}")) {
        if (entries.length > 0) this.expect("op", ",");
        if (this.is("op", "}")) break;
        const key = this.parseExpression();
        this.expect("op", ":");
        entries.push({ key, value: this.parseExpression() });
      }
      this.expect("op", "}");
      return { type: "dict", entries };
    }
    return this.fail(t.kind === "end" ? "unexpected end of expression" : `unexpected '${t.value}'`);
  }

  private parsePostfix(node: Expr): Expr {
    let out = node;
    for (;;) {
      if (this.skip("op", ".")) {
        const t = this.next();
        if (t.kind === "name") out = { type: "getattr", object: out, name: t.value };
        else if (t.kind === "number" && !t.float) {
          out = { type: "getitem", object: out, key: { type: "literal", value: Number(t.value) } };
        } else this.fail("expected attribute name after '.'");
      } else if (this.skip("op", "[")) {
        out = this.parseSubscript(out);
      } else if (this.is("op", "(")) {
        out = { type: "call", callee: out, ...this.parseCallArgs() };
      } else return out;
    }
  }

  private parseSubscript(object: Expr): Expr {
    const part = (): Expr | null =>
      this.is("op", ":") || this.is("op", "]") ? null : this.parseExpression();
    const start = part();
    if (!this.is("op", ":")) {
      this.expect("op", "]");
      if (start === null) this.fail("expected a subscript");
      return { type: "getitem", object, key: start as Expr };
    }
    this.next();
    const stop = part();
    let step: Expr | null = null;
    if (this.skip("op", ":")) step = part();
    this.expect("op", "]");
    return { type: "slice", object, start, stop, step };
  }

  private parseCallArgs(): { args: Expr[]; kwargs: Record<string, Expr> } {
    this.expect("op", "(");
    const args: Expr[] = [];
    const kwargs: Record<string, Expr> = {};
    while (!this.is("op", ")")) {
      if (args.length > 0 || Object.keys(kwargs).length > 0) this.expect("op", ",");
      if (this.is("op", ")")) break;
      if (this.is("op", "*") || this.is("op", "**")) {
        this.fail("*args and **kwargs in calls are not supported");
      }
      if (this.is("name") && this.peek(1)?.kind === "op" && this.peek(1)?.value === "=") {
        const name = this.next().value;
        this.next();
        // defineProperty: a keyword named __proto__ must stay a key, not replace the prototype.
        Object.defineProperty(kwargs, name, {
          value: this.parseExpression(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        if (Object.keys(kwargs).length > 0) this.fail("positional argument after keyword argument");
        args.push(this.parseExpression());
      }
    }
    this.expect("op", ")");
    return { args, kwargs };
  }

  private dottedName(): string {
    let name = this.expect("name").value;
    while (this.is("op", ".") && this.peek(1)?.kind === "name") {
      this.next();
      name += `.${this.next().value}`;
    }
    return name;
  }

  private parseFilterExpr(node: Expr): Expr {
    let out = node;
    for (;;) {
      if (this.skip("op", "|")) {
        const name = this.dottedName();
        const call = this.is("op", "(") ? this.parseCallArgs() : { args: [], kwargs: {} };
        out = { type: "filter", value: out, name, ...call };
      } else if (this.skip("name", "is")) {
        const negated = this.skip("name", "not");
        const name = this.dottedName();
        let args: Expr[] = [];
        let kwargs: Record<string, Expr> = {};
        const t = this.current;
        if (this.is("op", "(")) {
          ({ args, kwargs } = this.parseCallArgs());
        } else if (
          (t.kind === "name" && !["else", "or", "and"].includes(t.value)) ||
          t.kind === "string" ||
          t.kind === "number" ||
          (t.kind === "op" && ["[", "{"].includes(t.value))
        ) {
          args = [this.parsePostfix(this.parsePrimary())];
        }
        out = { type: "test", value: out, name, args, kwargs, negated };
      } else if (this.is("op", "(")) {
        out = { type: "call", callee: out, ...this.parseCallArgs() };
      } else return out;
    }
  }

  /** Parses filter calls after `{% filter %}` or `{% set x | f %}`: `f(args) | g`. */
  parseFilterChain(): Array<{ name: string; args: Expr[]; kwargs: Record<string, Expr> }> {
    const out: Array<{ name: string; args: Expr[]; kwargs: Record<string, Expr> }> = [];
    do {
      const name = this.dottedName();
      const call = this.is("op", "(") ? this.parseCallArgs() : { args: [], kwargs: {} };
      out.push({ name, ...call });
    } while (this.skip("op", "|"));
    return out;
  }

  /** Parameters of `macro` and `call`: `(a, b=1)`. */
  parseParams(): Array<{ name: string; default: Expr | null }> {
    const params: Array<{ name: string; default: Expr | null }> = [];
    this.expect("op", "(");
    while (!this.is("op", ")")) {
      if (params.length > 0) this.expect("op", ",");
      if (this.is("op", ")")) break;
      const name = this.expect("name").value;
      const dflt = this.skip("op", "=") ? this.parseExpression() : null;
      if (dflt === null && params.some((p) => p.default !== null)) {
        this.fail("non-default argument follows default argument");
      }
      params.push({ name, default: dflt });
    }
    this.expect("op", ")");
    return params;
  }

  private targetAtom(withNamespace: boolean): Target {
    if (this.skip("op", "(")) {
      const inner = this.parseTargets(false);
      this.expect("op", ")");
      return inner;
    }
    const name = this.expect("name").value;
    if (withNamespace && this.is("op", ".")) {
      this.next();
      return { kind: "attr", object: name, attr: this.expect("name").value };
    }
    return { kind: "name", name };
  }

  /** Assignment targets of `for`/`set`/`with`: a name, `a, b`, `(a, (b, c))` or `ns.attr`. */
  parseTargets(withNamespace = false): Target {
    const first = this.targetAtom(withNamespace);
    if (!this.is("op", ",")) return first;
    const items = [first];
    while (this.skip("op", ",")) {
      if (!this.is("name") && !this.is("op", "(")) break;
      items.push(this.targetAtom(false));
    }
    for (const t of items) {
      if (
        t.kind === "name" &&
        ["true", "false", "none", "True", "False", "None"].includes(t.name)
      ) {
        this.fail(`cannot assign to ${t.name}`);
      }
    }
    return { kind: "tuple", items };
  }
}
