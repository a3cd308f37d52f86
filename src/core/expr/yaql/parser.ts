/**
 * YAQL parser: precedence climbing over yaql's operator table (yaql/language/factory.py).
 * Lowest to highest: `->`, (legacy `=>`), `or`, `and`, `not`, comparisons and `in`, `+ -`,
 * `* / mod`, `=~ !~`, unary `+ -`, then the postfix `.`, `?.`, `[...]` and `(...)`.
 */

import type { Arg, Node } from "./ast.ts";
import { YaqlGrammarException } from "./errors.ts";
import { type Token, tokenize } from "./lexer.ts";
import { PyFloat } from "./values.ts";

interface BinaryLevel {
  ops: string[];
  right?: boolean;
}

function levels(legacy: boolean): BinaryLevel[] {
  const table: BinaryLevel[] = [
    { ops: ["->"], right: true },
    { ops: ["or"] },
    { ops: ["and"] },
    { ops: [] }, // `not` (prefix) sits here
    { ops: [">", "<", ">=", "<=", "!=", "=", "in"] },
    { ops: ["+", "-"] },
    { ops: ["*", "/", "mod"] },
    { ops: ["=~", "!~"] },
  ];
  if (legacy) table.splice(1, 0, { ops: ["=>"] });
  return table;
}

const NOT_LEVEL_NAME = "not";
/** Deeper nesting is refused with a grammar error instead of exhausting the JS stack. */
const MAX_NESTING = 200;

class Parser {
  private i = 0;
  private depth = 0;
  private readonly table: BinaryLevel[];
  private readonly notLevel: number;
  constructor(
    private readonly src: string,
    private readonly toks: Token[],
    private readonly legacy: boolean,
  ) {
    this.table = levels(legacy);
    this.notLevel = this.table.findIndex((l) => l.ops.length === 0);
  }

  private get tok(): Token {
    return this.toks[this.i] as Token;
  }
  private fail(t: Token = this.tok): never {
    const what = t.type === "eof" ? "end of expression" : `'${t.text}'`;
    throw new YaqlGrammarException(
      `Parse error: unexpected ${what} at position ${t.pos}`,
      this.src,
      t.pos,
    );
  }
  private isOp(text: string): boolean {
    const t = this.tok;
    return (t.type === "op" || t.type === "word") && t.text === text;
  }
  private expect(text: string): Token {
    if (!this.isOp(text)) this.fail();
    return this.toks[this.i++] as Token;
  }

  parseAll(): Node {
    const node = this.expr(0);
    if (this.tok.type !== "eof") this.fail();
    return node;
  }

  expr(level: number): Node {
    return this.nested(() => this.level(level));
  }

  private nested(parse: () => Node): Node {
    if (++this.depth > MAX_NESTING) {
      throw new YaqlGrammarException(
        `Parse error: expression nested deeper than ${MAX_NESTING} levels at position ${this.tok.pos}`,
        this.src,
        this.tok.pos,
      );
    }
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private level(level: number): Node {
    if (level >= this.table.length) return this.unary();
    if (level === this.notLevel) {
      if (this.isOp(NOT_LEVEL_NAME)) {
        const pos = this.tok.pos;
        this.i++;
        return { k: "unop", op: "not", arg: this.level(level), pos };
      }
      return this.level(level + 1);
    }
    const { ops, right } = this.table[level] as BinaryLevel;
    let left = this.level(level + 1);
    while (ops.some((o) => this.isOp(o))) {
      const t = this.toks[this.i++] as Token;
      const rhs = right ? this.level(level) : this.level(level + 1);
      left = { k: "binop", op: t.text, left, right: rhs, pos: t.pos };
      if (right) break;
    }
    return left;
  }

  private unary(): Node {
    if (this.isOp("+") || this.isOp("-")) {
      const t = this.toks[this.i++] as Token;
      return { k: "unop", op: t.text, arg: this.nested(() => this.unary()), pos: t.pos };
    }
    return this.postfix(this.primary());
  }

  private postfix(node: Node): Node {
    for (;;) {
      const t = this.tok;
      if (this.isOp(".") || this.isOp("?.")) {
        this.i++;
        const safe = t.text === "?.";
        const name = this.tok;
        if (name.type === "kwstr" && this.toks[this.i + 1]?.text === "(") {
          this.i++;
          const args = this.args("(", ")");
          node = { k: "method", recv: node, name: name.text, args, safe, pos: name.pos };
        } else {
          const rhs = this.primary();
          node = { k: "attr", recv: node, rhs, safe, pos: t.pos };
        }
      } else if (this.isOp("[")) {
        node = { k: "index", recv: node, args: this.args("[", "]"), pos: t.pos };
      } else if (this.isOp("(")) {
        node = { k: "invoke", callee: node, args: this.args("(", ")"), pos: t.pos };
      } else return node;
    }
  }

  private primary(): Node {
    const t = this.tok;
    const pos = t.pos;
    switch (t.type) {
      case "int":
        this.i++;
        return { k: "const", v: Number(t.text), pos };
      case "float": {
        this.i++;
        const v = Number(t.text);
        return { k: "const", v: Number.isInteger(v) ? new PyFloat(v) : v, pos };
      }
      case "string":
        this.i++;
        return { k: "const", v: t.text, pos };
      case "var":
        this.i++;
        return { k: "var", name: t.text, pos };
      case "kwstr":
        this.i++;
        if (this.isOp("(")) return { k: "call", name: t.text, args: this.args("(", ")"), pos };
        return { k: "kw", name: t.text, pos };
      case "word":
        if (t.text === "true" || t.text === "false" || t.text === "null") {
          this.i++;
          return { k: "const", v: t.text === "null" ? null : t.text === "true", pos };
        }
        return this.fail();
      case "op":
        if (t.text === "(") {
          this.i++;
          const node = this.expr(0);
          this.expect(")");
          return { k: "group", node, pos };
        }
        if (t.text === "[") {
          const items = this.args("[", "]").map((a) => {
            if (a.k !== "pos") this.fail();
            return a.node;
          });
          return { k: "list", items, pos };
        }
        if (t.text === "{") return this.dict();
        return this.fail();
      default:
        return this.fail();
    }
  }

  private dict(): Node {
    const pos = this.tok.pos;
    this.expect("{");
    const entries: [Node, Node][] = [];
    while (!this.isOp("}")) {
      const key = this.expr(this.legacy ? 2 : 1);
      this.expect("=>");
      entries.push([key, this.expr(this.legacy ? 2 : 1)]);
      if (!this.isOp(",")) break;
      this.i++;
    }
    this.expect("}");
    return { k: "dict", entries, pos };
  }

  /** An argument list; empty slots are allowed between arguments only, as yaql allows. */
  private args(open: string, close: string): Arg[] {
    this.expect(open);
    const out: Arg[] = [];
    if (this.isOp(close)) {
      this.i++;
      return out;
    }
    let sawKeyword = false;
    for (;;) {
      const start = this.tok;
      let arg: Arg;
      if (this.isOp(",") || this.isOp(close)) {
        if (out.length === 0 || this.isOp(close) || sawKeyword) this.fail();
        arg = { k: "empty" };
      } else {
        const node = this.expr(0);
        if (!this.legacy && this.isOp("=>")) {
          this.i++;
          arg = { k: "map", src: node, dst: this.expr(0) };
          if (node.k === "kw") sawKeyword = true;
        } else {
          if (sawKeyword) this.fail(start);
          arg = { k: "pos", node };
        }
      }
      out.push(arg);
      if (this.isOp(close)) {
        if (arg.k === "empty") this.fail();
        this.i++;
        return out;
      }
      this.expect(",");
    }
  }
}

export function parseYaql(src: string, legacy: boolean): Node {
  return new Parser(src, tokenize(src), legacy).parseAll();
}
