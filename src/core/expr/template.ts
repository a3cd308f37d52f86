/**
 * The template-engine seam. Parameter rendering, rule criteria and action-chain all talk to
 * Jinja through this interface, so the minimal engine here can later be swapped for a complete
 * one without touching callers.
 */

import { RenderError } from "../errors.ts";

export interface TemplateEngine {
  /** Renders to text, stringifying values the way Python's `str()` does (StackStorm renders in Python). */
  render(source: string, context: Readonly<Record<string, unknown>>): string;
  /**
   * Renders a template; when the whole source is a single `{{ expr }}` (surrounding whitespace
   * allowed) the expression's value is returned with its type, otherwise the rendered text.
   */
  renderValue(source: string, context: Readonly<Record<string, unknown>>): unknown;
  /** StackStorm's cheap test (`is_jinja_expression`): the text contains `{{` or `{%`. */
  isTemplate(source: string): boolean;
  /**
   * Names the template reads from its context without binding them itself (Jinja's
   * `meta.find_undeclared_variables`). Parameter rendering builds its dependency graph from this.
   * Throws TemplateSyntaxError when the source is not valid Jinja.
   */
  undeclaredVariables(source: string): ReadonlySet<string>;
}

/**
 * A context value that resolves attributes lazily, like StackStorm's `KeyValueLookup`:
 * `st2kv.system.a.b` asks for key `a`, then `a.b`. Every engine must route attribute and item
 * access on such a value to `attr`, and use `str()` wherever Python would call `str()` on it.
 */
export abstract class TemplateProxy {
  abstract attr(name: string): unknown;
  abstract str(): string;
}

/** The source is not valid Jinja (Jinja's TemplateSyntaxError). */
export class TemplateSyntaxError extends RenderError {
  override readonly code: string = "template_syntax_error";
}

/**
 * Valid Jinja that this engine does not implement yet. Kept distinct from syntax errors because
 * StackStorm treats unparsable values as plain strings, and an unsupported construct must never
 * be mistaken for one.
 */
export class UnsupportedTemplateError extends RenderError {
  override readonly code: string = "template_unsupported";
}
