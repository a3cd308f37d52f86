/**
 * A small, strict Jinja engine covering what StackStorm content commonly uses in parameters:
 * `{{ }}` expressions with lookups, literals, operators and a subset of filters; `if`/`for`/`set`
 * blocks with StackStorm's trim_blocks/lstrip_blocks; comments and `raw`. Anything else throws
 * UnsupportedTemplateError so it is never rendered wrongly.
 */

import type { Stmt } from "./ast.ts";
import { evaluate, execute, Scope } from "./evaluator.ts";
import { Undefined } from "./pyvalue.ts";
import { parseTemplate } from "./statements.ts";
import { type TemplateEngine, TemplateProxy } from "./template.ts";
import { walkStmts } from "./undeclared.ts";

const CACHE_LIMIT = 512;

export class MinimalJinja implements TemplateEngine {
  private readonly cache = new Map<string, Stmt[]>();

  private parse(source: string): Stmt[] {
    const hit = this.cache.get(source);
    if (hit) return hit;
    const stmts = parseTemplate(source);
    if (this.cache.size >= CACHE_LIMIT) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(source, stmts);
    return stmts;
  }

  render(source: string, context: Readonly<Record<string, unknown>>): string {
    const out: string[] = [];
    execute(this.parse(source), new Scope(context), out);
    return out.join("");
  }

  renderValue(source: string, context: Readonly<Record<string, unknown>>): unknown {
    const stmts = this.parse(source);
    const prints = stmts.filter((s) => s.type === "print");
    const onlyWhitespace = stmts.every(
      (s) => s.type === "print" || (s.type === "text" && s.text.trim() === ""),
    );
    const [single] = prints;
    if (prints.length === 1 && single?.type === "print" && onlyWhitespace) {
      const value = evaluate(single.expr, new Scope(context));
      if (value instanceof Undefined) value.fail();
      return value instanceof TemplateProxy ? value.str() : value;
    }
    return this.render(source, context);
  }

  isTemplate(source: string): boolean {
    return source.includes("{{") || source.includes("{%");
  }

  undeclaredVariables(source: string): ReadonlySet<string> {
    const out = new Set<string>();
    walkStmts(this.parse(source), new Set(), out);
    return out;
  }
}
