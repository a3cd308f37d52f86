/**
 * The Orquesta `version: 1.0` workflow spec as a typed model (orquesta/specs/native/v1/models.py).
 * `parseWorkflowSpec` reads YAML text or an already-parsed object. It normalises the shorthand
 * forms Orquesta accepts (inline action parameters, inline publish, `do` as a comma list, a
 * missing `do` meaning `continue`, `with` as a bare items expression) so the graph and the
 * conductor only ever see one shape. Structural problems are reported by `inspectWorkflow`.
 */

import { parse as parseYaml } from "yaml";
import { ValidationError } from "../../errors.ts";
import { parseInlineParams } from "./inline-params.ts";

/** The engine commands a transition's `do` may name; they are not tasks. */
export const ENGINE_COMMANDS = ["continue", "fail", "noop", "retry"] as const;

export function isEngineCommand(name: string): boolean {
  return (ENGINE_COMMANDS as readonly string[]).includes(name);
}

export interface TransitionSpec {
  when: string | null;
  /** Publishes in list order: later ones may refer to earlier ones. */
  publish: [string, unknown][];
  do: string[];
}

export interface ItemsSpec {
  /** The whole `items` text, e.g. `x, y in <% zip(..) %>`. */
  items: string;
  concurrency: unknown;
}

export interface RetrySpec {
  when: string | null;
  count: unknown;
  delay: unknown;
}

export interface TaskSpec {
  name: string;
  action: unknown;
  input: unknown;
  next: TransitionSpec[];
  join: "all" | number | null;
  with: ItemsSpec | null;
  retry: RetrySpec | null;
  delay: unknown;
}

export interface InputSpec {
  name: string;
  default: unknown;
}

export interface WorkflowSpec {
  version: unknown;
  description: string | null;
  input: InputSpec[];
  vars: [string, unknown][];
  output: [string, unknown][];
  tasks: Map<string, TaskSpec>;
  /** The parsed document, kept for inspection and serialisation. */
  raw: Record<string, unknown>;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A list of one-key dicts (`- name: value`) as pairs; bare strings get a null value. */
export function keyValueList(value: unknown): [string, unknown][] {
  if (!Array.isArray(value)) return [];
  const out: [string, unknown][] = [];
  for (const item of value) {
    if (typeof item === "string") out.push([item, null]);
    else if (isDict(item)) {
      const first = Object.entries(item)[0];
      if (first) out.push(first);
    }
  }
  return out;
}

function parseTransition(raw: unknown): TransitionSpec {
  const t = isDict(raw) ? raw : {};
  const when = typeof t.when === "string" && t.when !== "" ? t.when : null;
  const publish =
    typeof t.publish === "string" ? parseInlineParams(t.publish) : keyValueList(t.publish);
  let targets: string[];
  if (typeof t.do === "string" && t.do !== "") targets = t.do.split(",").map((s) => s.trim());
  else if (Array.isArray(t.do) && t.do.length > 0) targets = t.do.map((s) => String(s));
  else targets = ["continue"];
  return { when, publish, do: targets };
}

function parseTask(name: string, raw: unknown): TaskSpec {
  const t = isDict(raw) ? raw : {};
  let action: unknown = t.action ?? null;
  let input: unknown = t.input ?? null;
  if (typeof action === "string" && action.includes(" ")) {
    const inline = parseInlineParams(action);
    if (inline.length > 0) {
      action = action.slice(0, action.indexOf(" "));
      input = Object.fromEntries(inline);
    }
  }
  let items: ItemsSpec | null = null;
  if (typeof t.with === "string") items = { items: t.with, concurrency: null };
  else if (isDict(t.with)) {
    items = { items: String(t.with.items ?? ""), concurrency: t.with.concurrency ?? null };
  }
  const retry = isDict(t.retry)
    ? {
        when: typeof t.retry.when === "string" ? t.retry.when : null,
        count: t.retry.count ?? null,
        delay: t.retry.delay ?? null,
      }
    : null;
  const join = t.join === "all" ? "all" : typeof t.join === "number" ? t.join : null;
  return {
    name,
    action,
    input,
    next: Array.isArray(t.next) ? t.next.map(parseTransition) : [],
    join,
    with: items,
    retry,
    delay: t.delay ?? null,
  };
}

/** Reads a workflow definition; throws ValidationError only when it is not a mapping at all. */
export function parseWorkflowSpec(source: string | Record<string, unknown>): WorkflowSpec {
  let raw: unknown = source;
  if (typeof source === "string") {
    try {
      raw = parseYaml(source);
    } catch (e) {
      throw new ValidationError(`workflow definition is not valid YAML: ${(e as Error).message}`);
    }
  }
  if (!isDict(raw)) throw new ValidationError("workflow definition must be a mapping");
  const tasks = new Map<string, TaskSpec>();
  if (isDict(raw.tasks)) {
    for (const [name, task] of Object.entries(raw.tasks)) tasks.set(name, parseTask(name, task));
  }
  const input = keyValueList(raw.input).map(([name, value]) => ({ name, default: value }));
  return {
    version: raw.version,
    description: typeof raw.description === "string" ? raw.description : null,
    input,
    vars: keyValueList(raw.vars),
    output: keyValueList(raw.output),
    tasks,
    raw,
  };
}

/** The spec of a task, or the empty spec Orquesta gives the engine commands. */
export function taskSpecOf(spec: WorkflowSpec, name: string): TaskSpec {
  const task = spec.tasks.get(name);
  if (task) return task;
  return {
    name,
    action: null,
    input: null,
    next: [],
    join: null,
    with: null,
    retry: null,
    delay: null,
  };
}
