/**
 * Loading a workflow action's definition the way StackStorm's orquesta runner does: the entry
 * point is a file under the pack's `actions/` directory; it is parsed and inspected, and a task
 * naming an action that is not registered is an error (inspect_task_contents). Problems come back
 * as StackStorm's error list so the execution fails with `{errors: [...], output: null}`.
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ActionDef } from "../../core/content/model.ts";
import { flattenInspection, inspectWorkflow } from "../../core/workflow/orquesta/inspect.ts";
import { parseWorkflowSpec, type WorkflowSpec } from "../../core/workflow/orquesta/spec.ts";
import type { ContentStore } from "../store/contract.ts";

export type Definition =
  | { spec: WorkflowSpec; errors?: undefined }
  | { spec?: undefined; errors: Array<Record<string, unknown>> };

const ACTION_SCHEMA = "properties.tasks.patternProperties.^\\w+$.properties.action";
const EXPRESSION = /<%|\{\{|\{%/;

type Parsed =
  | { spec: WorkflowSpec; inspection: ReadonlyArray<Record<string, unknown>> }
  | { parseError: string };

/**
 * Parsing and inspecting a definition costs far more than running a short workflow, and every
 * execution of an action reads the same file: results are kept by the file's text (so an edited
 * file is parsed afresh), a few dozen at most. The spec is only read once parsed, never changed,
 * so one object can serve every execution.
 */
const parsedByText = new Map<string, Parsed>();
const PARSED_CACHE_SIZE = 64;

function parsedDefinition(path: string, text: string): Parsed {
  const key = `${path}\0${text}`;
  const hit = parsedByText.get(key);
  if (hit) return hit;
  let parsed: Parsed;
  try {
    const spec = parseWorkflowSpec(text);
    const inspection = flattenInspection(inspectWorkflow(spec, { appContext: ["st2"] })).map(
      ({ task_name: _t, ...e }) => ({ ...e }),
    );
    parsed = { spec, inspection };
  } catch (err) {
    parsed = { parseError: `${path}: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (parsedByText.size >= PARSED_CACHE_SIZE) {
    const oldest = parsedByText.keys().next().value;
    if (oldest !== undefined) parsedByText.delete(oldest);
  }
  parsedByText.set(key, parsed);
  return parsed;
}

export async function loadDefinition(
  action: ActionDef,
  packPath: string,
  content: ContentStore,
  read: (path: string) => Promise<string> = (p) => readFile(p, "utf8"),
): Promise<Definition> {
  if (!action.entry_point)
    return { errors: [{ message: `action ${action.ref} has no entry_point to a workflow file` }] };
  const path = join(packPath, "actions", action.entry_point);
  let text: string;
  try {
    text = await read(path);
  } catch (err) {
    return { errors: [{ message: `cannot read workflow definition ${path}: ${String(err)}` }] };
  }
  const parsed = parsedDefinition(path, text);
  if ("parseError" in parsed) return { errors: [{ message: parsed.parseError }] };
  const spec = parsed.spec;
  const errors: Array<Record<string, unknown>> = parsed.inspection.map((e) => ({ ...e }));
  for (const [name, task] of spec.tasks) {
    const ref = task.action;
    if (typeof ref !== "string" || ref === "" || EXPRESSION.test(ref)) continue;
    const at = { spec_path: `tasks.${name}.action`, schema_path: ACTION_SCHEMA };
    if (!/^[^.\s]+\.[^\s]+$/.test(ref)) {
      errors.push({
        type: "content",
        message: `The action reference "${ref}" is not formatted correctly.`,
        ...at,
      });
    } else if (!(await content.getAction(ref))) {
      errors.push({
        type: "content",
        message: `The action "${ref}" is not registered in the database.`,
        ...at,
      });
    }
  }
  const cmp = (a: unknown, b: unknown) => String(a).localeCompare(String(b));
  errors.sort((a, b) => cmp(a.type, b.type) || cmp(a.schema_path, b.schema_path));
  return errors.length > 0 ? { errors } : { spec };
}
