/**
 * StackStorm's parameter rendering (st2common/util/param.py), step for step:
 *
 * 1. Context nodes `st2kv`, `action_context`, `config_context` (and any extra context such as a
 *    rule's `trigger`) are plain values.
 * 2. Each supplied parameter becomes a node: a template if it is (or, for lists/dicts, its
 *    Python `str()` contains) `{{`/`{%` and parses; otherwise a plain value. A value that is not
 *    valid Jinja is kept as a plain value, as StackStorm does.
 * 3. Defaults are processed for the action's spec, then the runner's: a default is used when the
 *    name has no node yet, when its node has no plain value (or None), or when the spec is
 *    immutable. Node attributes overwrite like networkx's `add_node`, so a node may carry both a
 *    template and a value; the template wins when rendering.
 * 4. Every name a template reads becomes an edge; a name with neither value nor template is an
 *    unsatisfied dependency, and cycles are refused.
 * 5. Nodes render in topological order. A list/dict template is JSON-encoded, `"{{name}}"` items
 *    are rewritten to `{{name | to_complex}}` (so they keep their type), rendered, and decoded.
 */

import type { ParameterSchema } from "../content/model.ts";
import { RenderError } from "../errors.ts";
import { pyEquals, pyStr } from "../expr/pyvalue.ts";
import { type TemplateEngine, TemplateSyntaxError } from "../expr/template.ts";
import { castParameter } from "./casts.ts";
import { containsTemplate, isJinjaExpression } from "./templates.ts";

interface GraphNode {
  value?: unknown;
  template?: unknown;
}

export class ParamGraph {
  readonly nodes = new Map<string, GraphNode>();
  /** dependency → names that read it */
  private readonly edges = new Map<string, Set<string>>();

  constructor(private readonly engine: TemplateEngine) {}

  private node(name: string): GraphNode {
    let n = this.nodes.get(name);
    if (!n) {
      n = {};
      this.nodes.set(name, n);
    }
    return n;
  }

  addValue(name: string, value: unknown): void {
    this.node(name).value = value;
  }

  /** StackStorm's `_process`. */
  process(name: string, value: unknown): void {
    if (!containsTemplate(value)) {
      this.addValue(name, value);
      return;
    }
    let deps: ReadonlySet<string>;
    try {
      deps = this.engine.undeclaredVariables(typeof value === "string" ? value : pyStr(value));
    } catch (e) {
      if (e instanceof TemplateSyntaxError) {
        this.addValue(name, value);
        return;
      }
      throw new RenderError(`Failed to render parameter "${name}": ${(e as Error).message}`);
    }
    this.node(name).template = value;
    for (const dep of deps) {
      this.node(dep);
      let out = this.edges.get(dep);
      if (!out) {
        out = new Set();
        this.edges.set(dep, out);
      }
      out.add(name);
    }
  }

  /** StackStorm's `_process_defaults`, schemas in the order given (action first, then runner). */
  processDefaults(schemas: ParameterSchema[]): void {
    for (const schema of schemas) {
      for (const [name, spec] of Object.entries(schema)) {
        const existing = this.nodes.get(name);
        const noValue = (existing?.value ?? null) === null;
        if (!existing || noValue || spec?.immutable) this.process(name, spec?.default ?? null);
      }
    }
  }

  /** StackStorm's `_validate` then a topological order (Kahn, stable in insertion order). */
  order(): string[] {
    for (const [name, n] of this.nodes) {
      if (!("value" in n) && !("template" in n)) {
        throw new RenderError(`Dependency unsatisfied in variable "${name}"`);
      }
    }
    const indegree = new Map<string, number>();
    for (const name of this.nodes.keys()) indegree.set(name, 0);
    for (const targets of this.edges.values()) {
      for (const t of targets) indegree.set(t, (indegree.get(t) ?? 0) + 1);
    }
    const ready = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
    const out: string[] = [];
    while (ready.length > 0) {
      const name = ready.shift() as string;
      out.push(name);
      for (const t of this.edges.get(name) ?? []) {
        const d = (indegree.get(t) ?? 0) - 1;
        indegree.set(t, d);
        if (d === 0) ready.push(t);
      }
    }
    if (out.length < this.nodes.size) {
      const cyclic = this.cyclicNames(new Set(out));
      throw new RenderError(
        `Cyclic dependency found in the following variables: ${cyclic.join(", ")}. ` +
          "Likely the variable is referencing itself",
      );
    }
    return out;
  }

  /** Names on a cycle (not merely downstream of one), sorted. */
  private cyclicNames(done: Set<string>): string[] {
    const rest = [...this.nodes.keys()].filter((n) => !done.has(n));
    const reaches = (from: string, to: string): boolean => {
      const seen = new Set<string>();
      const stack = [...(this.edges.get(from) ?? [])];
      while (stack.length > 0) {
        const n = stack.pop() as string;
        if (n === to) return true;
        if (seen.has(n)) continue;
        seen.add(n);
        stack.push(...(this.edges.get(n) ?? []));
      }
      return false;
    };
    return rest.filter((n) => reaches(n, n)).sort();
  }

  /** StackStorm's `_resolve_dependencies`. */
  resolve(): Record<string, unknown> {
    const context: Record<string, unknown> = {};
    for (const name of this.order()) {
      const n = this.nodes.get(name) as GraphNode;
      try {
        context[name] = "template" in n ? this.renderTemplate(n.template, context) : n.value;
      } catch (e) {
        throw new RenderError(`Failed to render parameter "${name}": ${(e as Error).message}`, {
          cause: e,
        });
      }
    }
    return context;
  }

  private renderTemplate(template: unknown, context: Record<string, unknown>): unknown {
    if (typeof template === "string") return this.engine.render(template, context);
    const encoded = JSON.stringify(template).replace(/"{{([A-z0-9_-]+)}}"/g, "{{$1 | to_complex}}");
    const rendered = this.engine.render(encoded, context);
    try {
      return JSON.parse(rendered);
    } catch (e) {
      throw new RenderError(
        `rendered value is not valid JSON (${(e as Error).message}): ${rendered}`,
      );
    }
  }
}

function specFor(name: string, schemas: ParameterSchema[]): unknown {
  let spec: unknown = {};
  for (const schema of schemas) if (Object.hasOwn(schema, name)) spec = schema[name];
  return spec;
}

/**
 * StackStorm's `_cast_params_from`: casts the named parameters, then adds parameters that use a
 * templated, non-immutable default that rendered to something other than the raw default.
 */
export function castParamsFrom(
  names: Iterable<string>,
  context: Record<string, unknown>,
  schemas: ParameterSchema[],
): Record<string, unknown> {
  const params = new Set(names);
  const result: Record<string, unknown> = {};
  for (const name of params)
    result[name] = castParameter(name, context[name], specFor(name, schemas));
  for (const schema of schemas) {
    for (const [name, spec] of Object.entries(schema)) {
      if (!spec || spec.immutable) continue;
      if (!Object.hasOwn(spec, "default") || pyEquals(spec.default, context[name] ?? null))
        continue;
      if (!isJinjaExpression(spec.default)) continue;
      if (params.has(name)) continue;
      result[name] = castParameter(name, context[name], spec);
    }
  }
  return result;
}
