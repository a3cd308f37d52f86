/**
 * Orquesta's rehearsal test specs (the YAML `orquesta-rehearse` reads), read and run against the
 * pure conductor. A spec either starts a workflow (`workflow` + `inputs`) or re-runs a serialized
 * one (`workflow_state` + `rerun_tasks`); both mock the actions, then every `expected_*` field is
 * compared. Pure: the caller hands in a `readFile` for the files a spec names (the workflow and
 * each mock's `result_path`), relative to the rehearsal's base path.
 */

import { parse as parseYaml } from "yaml";
import { ValidationError } from "../../errors.ts";
import { type SerializedConductor, WorkflowConductor } from "./conductor.ts";
import { type Dict, isDict, sameValue } from "./data.ts";
import { type InspectionError, inspectWorkflow } from "./inspect.ts";
import { keyedMockFeed, type MockActionExecution, rehearse, taskSequence } from "./rehearsal.ts";
import { parseWorkflowSpec, type WorkflowSpec } from "./spec.ts";
import { isStatus, type Status } from "./statuses.ts";

/** Reads a file named by a spec, relative to the base path; throws if it cannot. */
export type ReadFile = (relPath: string) => string;

export interface RerunTask {
  taskId: string;
  route: number;
  resetItems: boolean;
}

export interface RehearsalSpec {
  /** The spec's own file name, used in every message. */
  file: string;
  workflowSpec: WorkflowSpec;
  inputs: Dict;
  mocks: MockActionExecution[];
  /** Set for the rerun form: the conductor to resume, and the tasks to re-run. */
  rerun: { state: SerializedConductor; tasks: RerunTask[] } | null;
  expected: {
    taskSequence: string[];
    routes: unknown[][];
    termTasks: [string, number][] | null;
    workflowStatus: Status;
    errors: unknown[] | null;
    output: Dict | null;
    inspectionErrors: Dict;
  };
}

export interface RehearsalOutcome {
  file: string;
  passed: boolean;
  /** One readable line per expectation that did not hold (or why the spec could not run). */
  differences: string[];
}

const RUN_FIELDS = [
  "workflow",
  "inputs",
  "mock_action_executions",
  "expected_task_sequence",
  "expected_routes",
  "expected_term_tasks",
  "expected_workflow_status",
  "expected_errors",
  "expected_output",
  "expected_inspection_errors",
];
const RERUN_FIELDS = [...RUN_FIELDS, "workflow_state", "rerun_tasks"];
const MOCK_FIELDS = [
  "task_id",
  "route",
  "seq_id",
  "item_id",
  "iter_id",
  "num_iter",
  "status",
  "result",
  "result_path",
];
const INSPECTION_CATEGORIES = ["syntax", "semantics", "expressions", "context", "contents"];

/** A spec that cannot run as written; `problem` is the message without the file name. */
export class RehearsalSpecError extends ValidationError {
  constructor(
    file: string,
    field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`, { file, field });
  }
}

class SpecReader {
  constructor(readonly file: string) {}

  fail(field: string, message: string): never {
    throw new RehearsalSpecError(this.file, field, `${field}: ${message}`);
  }

  string(v: unknown, field: string): string {
    if (typeof v !== "string" || v === "") this.fail(field, "must be a non-empty string");
    return v;
  }

  count(v: unknown, field: string): number {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      this.fail(field, "must be an integer of 0 or more");
    }
    return v;
  }

  status(v: unknown, field: string): Status {
    if (!isStatus(v) || v === "null") this.fail(field, `"${String(v)}" is not a workflow status`);
    return v;
  }

  list(v: unknown, field: string): unknown[] {
    if (!Array.isArray(v)) this.fail(field, "must be a list");
    return v;
  }

  dict(v: unknown, field: string): Dict {
    if (!isDict(v)) this.fail(field, "must be a mapping");
    return v;
  }

  only(d: Dict, allowed: readonly string[], field: string): void {
    for (const key of Object.keys(d)) {
      if (!allowed.includes(key))
        this.fail(field ? `${field}.${key}` : key, "is not a known field");
    }
  }

  /** Reads and parses a file the spec names (YAML, hence JSON too). */
  load(readFile: ReadFile, path: string, field: string): unknown {
    let text: string;
    try {
      text = readFile(path);
    } catch (e) {
      this.fail(field, `cannot read "${path}": ${(e as Error).message}`);
    }
    try {
      return parseYaml(text);
    } catch (e) {
      this.fail(field, `"${path}" is not valid YAML or JSON: ${(e as Error).message}`);
    }
  }
}

function readMock(r: SpecReader, raw: unknown, field: string, readFile: ReadFile) {
  const m = r.dict(raw, field);
  r.only(m, MOCK_FIELDS, field);
  const mock: MockActionExecution = { task_id: r.string(m.task_id, `${field}.task_id`) };
  for (const key of ["route", "seq_id", "item_id", "iter_id", "num_iter"] as const) {
    if (m[key] !== undefined) mock[key] = r.count(m[key], `${field}.${key}`);
  }
  if (m.status !== undefined) mock.status = r.status(m.status, `${field}.status`);
  if (m.result_path !== undefined) {
    if (m.result !== undefined) r.fail(field, "has both result and result_path");
    const path = r.string(m.result_path, `${field}.result_path`);
    mock.result = r.load(readFile, path, `${field}.result_path`);
  } else if (m.result !== undefined) mock.result = m.result;
  return mock;
}

/** `task` means route 0, `task__rN` route N, as the task sequence writes them. */
function taskRoute(name: string): [string, number] {
  const m = /^(.*)__r(\d+)$/.exec(name);
  return m ? [m[1] as string, Number(m[2])] : [name, 0];
}

/** Orquesta serializes the spec as `{catalog, version, spec}`; Squall as the definition itself. */
function normalizeState(r: SpecReader, raw: Dict): SerializedConductor {
  const spec = r.dict(raw.spec, "workflow_state.spec");
  const inner = isDict(spec.spec) && typeof spec.catalog === "string" ? spec.spec : spec;
  const state = r.dict(raw.state, "workflow_state.state");
  for (const key of ["contexts", "routes", "sequence", "staged"]) {
    if (state[key] !== undefined) r.list(state[key], `workflow_state.state.${key}`);
  }
  if (state.status !== undefined) r.status(state.status, "workflow_state.state.status");
  return {
    spec: inner,
    input: raw.input === undefined ? {} : r.dict(raw.input, "workflow_state.input"),
    context: raw.context === undefined ? {} : r.dict(raw.context, "workflow_state.context"),
    state: state as unknown as SerializedConductor["state"],
    log: raw.log === undefined ? [] : (r.list(raw.log, "workflow_state.log") as never[]),
    errors:
      raw.errors === undefined ? [] : (r.list(raw.errors, "workflow_state.errors") as never[]),
    output: raw.output == null ? null : r.dict(raw.output, "workflow_state.output"),
  };
}

function readRerunTasks(r: SpecReader, raw: unknown): RerunTask[] {
  if (raw === undefined) return [];
  return r.list(raw, "rerun_tasks").map((t, i) => {
    const field = `rerun_tasks[${i}]`;
    const d = r.dict(t, field);
    r.only(d, ["task_id", "route", "reset_items"], field);
    if (d.reset_items !== undefined && typeof d.reset_items !== "boolean") {
      r.fail(`${field}.reset_items`, "must be true or false");
    }
    return {
      taskId: r.string(d.task_id, `${field}.task_id`),
      route: d.route === undefined ? 0 : r.count(d.route, `${field}.route`),
      resetItems: d.reset_items === true,
    };
  });
}

function readInspectionErrors(r: SpecReader, raw: unknown): Dict {
  if (raw === undefined) return {};
  const d = r.dict(raw, "expected_inspection_errors");
  r.only(d, INSPECTION_CATEGORIES, "expected_inspection_errors");
  for (const [k, v] of Object.entries(d)) {
    r.list(v, `expected_inspection_errors.${k}`).forEach((e, i) => {
      const field = `expected_inspection_errors.${k}[${i}]`;
      const entry = r.dict(e, field);
      r.only(entry, ["type", "expression", "message", "schema_path", "spec_path"], field);
      r.string(entry.message, `${field}.message`);
    });
  }
  return d;
}

/**
 * Validates a spec's text and reads the files it names. Throws ValidationError naming the spec
 * file and the field at fault.
 */
export function loadRehearsalSpec(file: string, text: string, readFile: ReadFile): RehearsalSpec {
  const r: SpecReader = new SpecReader(file);
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    r.fail("(file)", `not valid YAML: ${(e as Error).message}`);
  }
  const d = r.dict(raw, "(file)");
  const isRerun = d.workflow_state !== undefined;
  r.only(d, isRerun ? RERUN_FIELDS : RUN_FIELDS, "");
  let workflowSpec: WorkflowSpec;
  let rerun: RehearsalSpec["rerun"] = null;
  if (isRerun) {
    const state = normalizeState(r, r.dict(d.workflow_state, "workflow_state"));
    if (d.workflow !== undefined) r.string(d.workflow, "workflow");
    if (d.inputs !== undefined) r.fail("inputs", "a rerun takes its inputs from workflow_state");
    workflowSpec = parseWorkflowSpec(state.spec);
    rerun = { state, tasks: readRerunTasks(r, d.rerun_tasks) };
  } else {
    const path = r.string(d.workflow, "workflow");
    let text: string;
    try {
      text = readFile(path);
    } catch (e) {
      r.fail("workflow", `cannot read "${path}": ${(e as Error).message}`);
    }
    try {
      workflowSpec = parseWorkflowSpec(text);
    } catch (e) {
      r.fail("workflow", `"${path}": ${(e as Error).message}`);
    }
  }
  const mocks = (
    d.mock_action_executions === undefined
      ? []
      : r.list(d.mock_action_executions, "mock_action_executions")
  ).map((m, i) => readMock(r, m, `mock_action_executions[${i}]`, readFile));
  mocks.forEach((m, i) => {
    const task = workflowSpec.tasks.get(m.task_id);
    const field = `mock_action_executions[${i}].task_id`;
    if (!task) r.fail(field, `the workflow has no task "${m.task_id}"`);
    if (task.with && m.item_id === undefined) {
      r.fail(field, `"${m.task_id}" is a with-items task, so its mock needs item_id`);
    }
  });
  const strings = (v: unknown, field: string) =>
    r.list(v, field).map((s, i) => r.string(s, `${field}[${i}]`));
  if (d.expected_task_sequence === undefined) r.fail("expected_task_sequence", "is required");
  return {
    file,
    workflowSpec,
    inputs: d.inputs === undefined ? {} : r.dict(d.inputs, "inputs"),
    mocks,
    rerun,
    expected: {
      taskSequence: strings(d.expected_task_sequence, "expected_task_sequence"),
      routes:
        d.expected_routes === undefined
          ? [[]]
          : r
              .list(d.expected_routes, "expected_routes")
              .map((x, i) => r.list(x, `expected_routes[${i}]`)),
      termTasks:
        d.expected_term_tasks === undefined
          ? null
          : strings(d.expected_term_tasks, "expected_term_tasks").map(taskRoute),
      workflowStatus:
        d.expected_workflow_status === undefined
          ? "succeeded"
          : r.status(d.expected_workflow_status, "expected_workflow_status"),
      errors: d.expected_errors === undefined ? null : r.list(d.expected_errors, "expected_errors"),
      output: d.expected_output === undefined ? null : r.dict(d.expected_output, "expected_output"),
      inspectionErrors: readInspectionErrors(r, d.expected_inspection_errors),
    },
  };
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? "undefined";
}

/** A one-line account of how `actual` differs from `expected`, or null if it does not. */
export function describeDifference(
  field: string,
  expected: unknown,
  actual: unknown,
): string | null {
  if (sameValue(expected, actual)) return null;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const at = expected.findIndex((e, i) => !sameValue(e, actual[i]));
    const i = at < 0 ? expected.length : at;
    const detail =
      i >= actual.length
        ? `missing from [${i}]: ${show(expected.slice(i))}`
        : i >= expected.length
          ? `unexpected from [${i}]: ${show(actual.slice(i))}`
          : `at [${i}] expected ${show(expected[i])}, got ${show(actual[i])}`;
    return `${field}: ${detail} (expected ${show(expected)}, got ${show(actual)})`;
  }
  if (isDict(expected) && isDict(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].filter(
      (k) => !sameValue(expected[k], actual[k]),
    );
    const parts = keys.map((k) =>
      !(k in actual)
        ? `${k} missing`
        : !(k in expected)
          ? `${k} unexpected (${show(actual[k])})`
          : `${k} expected ${show(expected[k])}, got ${show(actual[k])}`,
    );
    return `${field}: ${parts.join(", ")}`;
  }
  return `${field}: expected ${show(expected)}, got ${show(actual)}`;
}

/** Inspection errors with their unset (null) fields dropped, as the spec writes them. */
function actualInspection(spec: WorkflowSpec): Dict {
  const result = inspectWorkflow(spec);
  const out: Dict = {};
  for (const [category, errors] of Object.entries(result) as [string, InspectionError[]][]) {
    if (errors.length === 0) continue;
    out[category] = errors.map((e) =>
      Object.fromEntries(Object.entries(e).filter(([, v]) => v !== null && v !== undefined)),
    );
  }
  return out;
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Conducts the spec's workflow with its mocks and compares every expectation. */
export function runRehearsalSpec(spec: RehearsalSpec): RehearsalOutcome {
  const diffs: string[] = [];
  const done = () => ({ file: spec.file, passed: diffs.length === 0, differences: diffs });
  const push = (d: string | null) => {
    if (d) diffs.push(d);
  };
  const { expected } = spec;
  push(
    describeDifference(
      "expected_inspection_errors",
      expected.inspectionErrors,
      actualInspection(spec.workflowSpec),
    ),
  );
  // As orquesta-rehearse does: a spec about inspection errors does not conduct the workflow.
  if (diffs.length > 0 || Object.keys(expected.inspectionErrors).length > 0) return done();
  let conductor: WorkflowConductor;
  try {
    if (spec.rerun) {
      conductor = WorkflowConductor.deserialize(spec.rerun.state);
      conductor.requestWorkflowRerun(spec.rerun.tasks);
      const status = conductor.getWorkflowStatus();
      if (status !== "resuming") {
        diffs.push(`rerun_tasks: the workflow is ${status} after the rerun request, not resuming`);
        return done();
      }
    } else {
      conductor = new WorkflowConductor(spec.workflowSpec, { inputs: spec.inputs });
    }
    rehearse(conductor, keyedMockFeed(spec.mocks));
  } catch (e) {
    diffs.push(`conducting failed: ${errorText(e)}`);
    return done();
  }
  // Written as the specs write them: `task` for route 0 (`task__r0` means the same), `task__rN`.
  const wanted = expected.taskSequence.map((t) => t.replace(/__r0$/, ""));
  push(describeDifference("expected_task_sequence", wanted, taskSequence(conductor)));
  push(describeDifference("expected_routes", expected.routes, conductor.state.routes));
  push(
    describeDifference(
      "expected_workflow_status",
      expected.workflowStatus,
      conductor.getWorkflowStatus(),
    ),
  );
  if (expected.errors)
    push(describeDifference("expected_errors", expected.errors, conductor.errors));
  if (expected.output) {
    push(describeDifference("expected_output", expected.output, conductor.getWorkflowOutput()));
  }
  if (expected.termTasks) {
    const byId = (a: [string, number], b: [string, number]) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
    const actual = conductor.state
      .terminalTasks()
      .map(([, t]) => [t.id, t.route] as [string, number])
      .sort(byId);
    const fmt = ([id, route]: [string, number]) => (route === 0 ? id : `${id}__r${route}`);
    push(
      describeDifference(
        "expected_term_tasks",
        [...expected.termTasks].sort(byId).map(fmt),
        actual.map(fmt),
      ),
    );
  }
  return done();
}

/** Loads and runs one spec file; a spec that cannot be read fails with the reason. */
export function rehearseSpecFile(file: string, text: string, readFile: ReadFile): RehearsalOutcome {
  let spec: RehearsalSpec;
  try {
    spec = loadRehearsalSpec(file, text, readFile);
  } catch (e) {
    if (!(e instanceof RehearsalSpecError)) throw e;
    return { file, passed: false, differences: [e.problem] };
  }
  return runRehearsalSpec(spec);
}
