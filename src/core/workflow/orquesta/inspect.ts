/**
 * Workflow inspection (Orquesta's `WorkflowSpec.inspect`): the errors a definition has before it
 * runs, grouped as `syntax` (shape), `semantics` (task graph), `expressions` (unparsable or mixed
 * YAQL/Jinja) and `context` (variables read before any input, var or publish defines them).
 * Each error names where it is: `spec_path` (e.g. `tasks.task1.next[0].do`) and `schema_path`.
 */

import { JinjaEngine } from "../../expr/jinja/engine.ts";
import { compileYaql } from "../../expr/yaql/index.ts";
import { type Dict, isDict } from "./data.ts";
import { TaskNavigator } from "./graph.ts";
import { ENGINE_COMMANDS, isEngineCommand, parseWorkflowSpec, type WorkflowSpec } from "./spec.ts";
import { checkSyntax, type InspectionError } from "./syntax.ts";

export type { InspectionError } from "./syntax.ts";

export interface InspectionResult {
  syntax: InspectionError[];
  semantics: InspectionError[];
  expressions: InspectionError[];
  context: InspectionError[];
}

const TASK = "tasks.patternProperties.^\\w+$";
const TASK_SCHEMA = `properties.${TASK}`;

export function hasInspectionErrors(r: InspectionResult): boolean {
  return r.syntax.length + r.semantics.length + r.expressions.length + r.context.length > 0;
}

export interface InspectOptions {
  /** Variables the host puts in the context (StackStorm's `st2`), known before any input. */
  appContext?: string[];
}

export function inspectWorkflow(
  source: string | Dict | WorkflowSpec,
  options: InspectOptions = {},
): InspectionResult {
  const spec =
    typeof source === "string" || !("tasks" in source && source.tasks instanceof Map)
      ? parseWorkflowSpec(source as string | Dict)
      : (source as WorkflowSpec);
  const syntax = checkSyntax(spec.raw);
  return {
    syntax,
    semantics: syntax.length > 0 ? [] : semantics(spec),
    expressions: expressions(spec.raw),
    context: syntax.length > 0 ? [] : context(spec, options.appContext ?? []),
  };
}

function semantics(spec: WorkflowSpec): InspectionError[] {
  const nav = new TaskNavigator(spec);
  const out: InspectionError[] = [];
  for (const [name, task] of spec.tasks) {
    const at = { spec_path: `tasks.${name}`, schema_path: TASK_SCHEMA };
    if (isEngineCommand(name)) {
      out.push({ message: `The task name "${name}" is reserved with special function.`, ...at });
    }
    if (task.with && (task.action === null || task.action === "")) {
      out.push({ message: "The action property is required for with items task.", ...at });
    }
  }
  if (spec.tasks.size > 0 && nav.startTasks().length === 0) {
    out.push({
      message:
        "Unable to identify any tasks to start the workflow. If the workflow has a loop, please " +
        "add a task that serves as an entry point (or lead) into the loop.",
      spec_path: "tasks",
      schema_path: "properties.tasks",
    });
  }
  // Undefined `do` targets, found by walking from the start tasks as Orquesta does.
  const queue = nav.startTasks();
  const seen = new Set(queue);
  while (queue.length > 0) {
    const name = queue.shift() as string;
    spec.tasks.get(name)?.next.forEach((t, i) => {
      for (const to of t.do) {
        if (spec.tasks.has(to)) {
          if (!seen.has(to)) {
            seen.add(to);
            queue.push(to);
          }
        } else if (!(ENGINE_COMMANDS as readonly string[]).includes(to)) {
          out.push({
            message: `The task "${to}" is not defined.`,
            spec_path: `tasks.${name}.next[${i}].do`,
            schema_path: `${TASK_SCHEMA}.properties.next.items.properties.do`,
          });
        }
      }
    });
  }
  return out;
}

const jinja = new JinjaEngine();
const YAQL_EXPR = /<%.*?%>/gs;
const JINJA_EXPR = /\{\{.*?\}\}|\{%.*?%\}/gs;

function walkStrings(
  value: unknown,
  path: string,
  visit: (text: string, path: string) => void,
): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      walkStrings(v, `${path}[${i}]`, visit);
    });
  } else if (isDict(value)) {
    for (const [k, v] of Object.entries(value)) {
      walkStrings(k, path, visit);
      walkStrings(v, path ? `${path}.${k}` : k, visit);
    }
  }
}

function expressions(raw: Dict): InspectionError[] {
  const out: InspectionError[] = [];
  walkStrings(raw, "", (text, path) => {
    const yaql = text.match(YAQL_EXPR) ?? [];
    const jinjaExprs = text.match(JINJA_EXPR) ?? [];
    const at = { spec_path: path || null, schema_path: null };
    if (yaql.length > 0 && jinjaExprs.length > 0) {
      out.push({
        type: null,
        expression: text,
        message: "Expression with multiple types is not supported.",
        ...at,
      });
      return;
    }
    for (const expr of yaql) {
      try {
        compileYaql(expr.slice(2, -2).trim(), "orquesta");
      } catch (e) {
        out.push({ type: "yaql", expression: expr, message: (e as Error).message, ...at });
      }
    }
    if (jinjaExprs.length > 0) {
      try {
        jinja.parse(text);
      } catch (e) {
        out.push({ type: "jinja", expression: text, message: (e as Error).message, ...at });
      }
    }
  });
  return out;
}

const CTX_VAR = [
  /\bctx\(\)\.([a-zA-Z0-9_-]+)\b(?!\()/g,
  /\bctx\(\s*['"]?([a-zA-Z0-9_-]+)['"]?\s*\)/g,
];

function ctxVars(value: unknown): { name: string; expression: string; type: "yaql" | "jinja" }[] {
  const out: { name: string; expression: string; type: "yaql" | "jinja" }[] = [];
  walkStrings(value, "", (text) => {
    for (const [type, re] of [
      ["yaql", YAQL_EXPR],
      ["jinja", JINJA_EXPR],
    ] as const) {
      for (const expression of text.match(re) ?? []) {
        for (const v of CTX_VAR) {
          for (const m of expression.matchAll(v)) out.push({ name: m[1] ?? "", expression, type });
        }
      }
    }
  });
  return out;
}

/** Flags ctx() variables that nothing defines on the way to where they are read. */
function context(spec: WorkflowSpec, appContext: string[]): InspectionError[] {
  const out: InspectionError[] = [];
  const check = (value: unknown, known: Set<string>, spec_path: string, schema_path: string) => {
    for (const v of ctxVars(value)) {
      const at = { type: v.type, expression: v.expression, spec_path, schema_path };
      if (v.name.startsWith("__")) {
        out.push({
          message: `Variable "${v.name}" that is prefixed with double underscores is considered a private variable and cannot be referenced.`,
          ...at,
        });
      }
      if (!known.has(v.name)) {
        out.push({ message: `Variable "${v.name}" is referenced before assignment.`, ...at });
      }
    }
  };
  const known = new Set<string>(appContext);
  spec.input.forEach((i, n) => {
    check(i.default, known, `input[${n}]`, "properties.input");
    known.add(i.name);
  });
  spec.vars.forEach(([k, v], n) => {
    check(v, known, `vars[${n}]`, "properties.vars");
    known.add(k);
  });
  const nav = new TaskNavigator(spec);
  const reaching = new Map<string, Set<string>>();
  const queue = nav.startTasks().map((t) => [t, new Set(known)] as const);
  const all = new Set(known);
  while (queue.length > 0) {
    const [name, ctx] = queue.shift() as readonly [string, Set<string>];
    const task = spec.tasks.get(name);
    if (!task) continue;
    // A task is revisited only when new variables reach it; loops therefore settle.
    const prior = reaching.get(name);
    if (prior && [...ctx].every((k) => prior.has(k))) continue;
    const merged = new Set([...(prior ?? []), ...ctx]);
    reaching.set(name, merged);
    const path = `tasks.${name}`;
    if (!prior) {
      check(task.delay, merged, `${path}.delay`, `${TASK_SCHEMA}.properties.delay`);
      check(task.with?.items, merged, `${path}.with.items`, `${TASK_SCHEMA}.properties.with`);
      check(task.action, merged, `${path}.action`, `${TASK_SCHEMA}.properties.action`);
      check(task.input, merged, `${path}.input`, `${TASK_SCHEMA}.properties.input`);
    }
    task.next.forEach((t, i) => {
      const tctx = new Set(merged);
      const tpath = `${path}.next[${i}]`;
      const tschema = `${TASK_SCHEMA}.properties.next.items`;
      if (!prior) check(t.when, tctx, `${tpath}.when`, `${tschema}.properties.when`);
      t.publish.forEach(([k, v], n) => {
        if (!prior) check(v, tctx, `${tpath}.publish[${n}]`, `${tschema}.properties.publish`);
        tctx.add(k);
        all.add(k);
      });
      for (const to of t.do) if (spec.tasks.has(to)) queue.push([to, tctx]);
    });
  }
  spec.output.forEach(([k, v], n) => {
    check(v, all, `output[${n}]`, "properties.output");
    all.add(k);
  });
  return out.sort((a, b) => ((a.spec_path ?? "") < (b.spec_path ?? "") ? -1 : 1));
}

/** One inspection error as StackStorm's API lists them, with the task it is about. */
export interface FlatInspectionError {
  /** The category: syntax, semantic, expression, context (StackStorm's names). */
  type: string;
  message: string;
  /** The task the error is in, read from `spec_path` (null for workflow-level errors). */
  task_name: string | null;
  spec_path: string | null;
  schema_path: string | null;
  /** For expression and context errors: yaql or jinja. */
  language?: string | null;
  expression?: string;
}

const CATEGORY_NAMES: Record<string, string> = {
  syntax: "syntax",
  semantics: "semantic",
  expressions: "expression",
  context: "context",
};

/**
 * The inspection result as one list, the way StackStorm's `workflows/inspect` answers: each
 * error's `type` is its category (a yaql/jinja `type` moves to `language`), sorted by category
 * then schema path.
 */
export function flattenInspection(result: InspectionResult): FlatInspectionError[] {
  const out: FlatInspectionError[] = [];
  for (const [category, errors] of Object.entries(result) as [string, InspectionError[]][]) {
    for (const e of errors) {
      const task = /^tasks\.(\w+)/.exec(e.spec_path ?? "");
      const flat: FlatInspectionError = {
        type: CATEGORY_NAMES[category] ?? category,
        message: e.message,
        task_name: task ? (task[1] as string) : null,
        spec_path: e.spec_path,
        schema_path: e.schema_path,
      };
      if (category === "expressions" || category === "context") flat.language = e.type ?? null;
      if (e.expression !== undefined) flat.expression = e.expression;
      out.push(flat);
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => cmp(a.type, b.type) || cmp(a.schema_path ?? "", b.schema_path ?? ""));
}
