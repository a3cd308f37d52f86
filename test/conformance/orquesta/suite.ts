/**
 * The Orquesta conformance corpus (cases.json, see README.md here), run against the pure
 * conductor in src/core/workflow/orquesta:
 * - `sequence`: the rehearsal loop, fed once from the recorded status/result queues and once from
 *   the keyed `mock_action_executions` (as orquesta-rehearse reads them); each run must give the
 *   task sequence, routes, workflow status, output, errors and terminal tasks recorded;
 * - `rerun`: the same per stage, with `requestWorkflowRerun` between stages;
 * - `trace`: every conductor call replayed on one conductor, checking what each returns.
 */

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { WorkflowConductor } from "../../../src/core/workflow/orquesta/conductor.ts";
import type { TaskEvent } from "../../../src/core/workflow/orquesta/machines.ts";
import {
  keyedMockFeed,
  type MockActionExecution,
  type MockFeed,
  rehearse,
  taskSequence,
  termTasks,
} from "../../../src/core/workflow/orquesta/rehearsal.ts";
import { parseWorkflowSpec } from "../../../src/core/workflow/orquesta/spec.ts";
import type { Status } from "../../../src/core/workflow/orquesta/statuses.ts";
import type { CaseOutcome, ConformanceSuite } from "../suite.ts";

const here = dirname(fileURLToPath(import.meta.url));

type Json = Record<string, unknown>;

interface Stage {
  inputs?: Json;
  rerun_tasks?: { task_id: string; route?: number; reset_items?: boolean }[];
  mock_action_executions?: MockActionExecution[];
  mock_statuses: Status[];
  mock_results: unknown[];
  expected_task_seq: string[];
  expected_routes: string[][];
  expected_workflow_status: Status;
  reference_output: unknown;
  reference_errors: Json[];
  reference_term_tasks: string[];
}

interface Case extends Partial<Stage> {
  name: string;
  kind: "sequence" | "rerun" | "trace";
  workflow: string;
  inputs: Json;
  context?: Json;
  stages?: Stage[];
  ops?: (Json & { op: string; expect: Json })[];
  expected_final?: Json;
}

export function loadOrquestaCases(): Case[] {
  return JSON.parse(readFileSync(join(here, "cases.json"), "utf8")) as Case[];
}

function newConductor(c: Case): WorkflowConductor {
  const text = readFileSync(join(here, "workflows", c.workflow), "utf8");
  return new WorkflowConductor(parseWorkflowSpec(text), {
    inputs: c.inputs ?? {},
    context: c.context ?? {},
  });
}

function diff(what: string, expected: unknown, actual: unknown): string | null {
  return isDeepStrictEqual(expected, actual)
    ? null
    : `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

function checkStage(conductor: WorkflowConductor, stage: Stage): string | null {
  return (
    diff("task sequence", stage.expected_task_seq, taskSequence(conductor)) ??
    diff("routes", stage.expected_routes, conductor.state.routes) ??
    diff("status", stage.expected_workflow_status, conductor.getWorkflowStatus()) ??
    diff("output", stage.reference_output ?? null, conductor.getWorkflowOutput()) ??
    diff("errors", stage.reference_errors, conductor.errors) ??
    diff("term tasks", stage.reference_term_tasks, termTasks(conductor))
  );
}

type FeedFor = (stage: Stage) => MockFeed;

/** The recorded queues, in the order the reference harness applied them. */
const queueFeed: FeedFor = (stage) => {
  const statuses = [...stage.mock_statuses];
  const results = [...stage.mock_results];
  return () => ({ status: statuses.shift() ?? "succeeded", result: results.shift() ?? null });
};

/** The keyed `mock_action_executions`, looked up as orquesta-rehearse does. */
const keyedFeed: FeedFor = (stage) => keyedMockFeed(stage.mock_action_executions ?? []);

/** Runs every stage of a sequence or rerun case on one conductor. */
function runStages(c: Case, feedFor: FeedFor): string | null {
  const stages = c.kind === "sequence" ? [c as Case & Stage] : (c.stages ?? []);
  const conductor = newConductor({ ...c, inputs: stages[0]?.inputs ?? c.inputs });
  for (const [i, stage] of stages.entries()) {
    if (i > 0) {
      conductor.requestWorkflowRerun(
        (stage.rerun_tasks ?? []).map((t) => ({
          taskId: t.task_id,
          route: t.route ?? 0,
          resetItems: t.reset_items ?? false,
        })),
      );
      if (conductor.getWorkflowStatus() !== "resuming") return `stage ${i}: not resuming`;
    }
    rehearse(conductor, feedFor(stage), { maxRounds: 1000 });
    const d = checkStage(conductor, stage);
    if (d) return c.kind === "sequence" ? d : `stage ${i}: ${d}`;
  }
  return null;
}

function errorName(e: unknown): string {
  return e instanceof Error ? e.name : String(e);
}

function stripInternal(ctx: Json): Json {
  return Object.fromEntries(Object.entries(ctx).filter(([k]) => !k.startsWith("__")));
}

function taskStatusOf(conductor: WorkflowConductor, id: string, route: number): string | null {
  const s = conductor.state.entry(id, route)?.status;
  return s === undefined || s === "null" ? null : s;
}

function runOp(
  conductor: WorkflowConductor,
  op: Json & { op: string; expect: Json },
): string | null {
  const expect = op.expect;
  let error: string | undefined;
  const got: Json = {};
  try {
    switch (op.op) {
      case "request_workflow_status":
        conductor.requestWorkflowStatus(op.status as Status);
        break;
      case "get_next_tasks":
        got.tasks = conductor.getNextTasks().map((t) => ({ ...t, ctx: stripInternal(t.ctx) }));
        break;
      case "update_task_state": {
        const event: TaskEvent =
          op.event === "item"
            ? {
                type: "item",
                itemId: op.item_id as number,
                status: op.status as Status,
                result: op.result ?? null,
                ...(op.accumulated_result !== undefined
                  ? { accumulatedResult: op.accumulated_result as unknown[] }
                  : {}),
              }
            : { type: "action", status: op.status as Status, result: op.result ?? null };
        conductor.updateTaskState(op.task_id as string, op.route as number, event);
        got.task_status = taskStatusOf(conductor, op.task_id as string, op.route as number);
        break;
      }
      case "render_workflow_output":
        conductor.renderWorkflowOutput();
        got.output = conductor.getWorkflowOutput();
        break;
      case "request_workflow_rerun":
        conductor.requestWorkflowRerun(
          (op.tasks as { task_id: string; route?: number; reset_items?: boolean }[]).map((t) => ({
            taskId: t.task_id,
            route: t.route ?? 0,
            resetItems: t.reset_items ?? false,
          })),
        );
        break;
      default:
        return `unknown op ${op.op}`;
    }
  } catch (e) {
    error = errorName(e);
    if (expect.error === undefined) return `${op.op} threw ${error}: ${(e as Error).message}`;
  }
  if (expect.error !== undefined && expect.error !== error) {
    return `${op.op}: expected error ${String(expect.error)}, got ${error ?? "none"}`;
  }
  got.workflow_status = conductor.getWorkflowStatus();
  for (const key of ["tasks", "task_status", "output", "workflow_status"]) {
    if (!(key in expect) || !(key in got)) continue;
    const d = diff(`${op.op} ${key}`, expect[key], got[key]);
    if (d) return d;
  }
  return null;
}

function runTrace(c: Case): string | null {
  const conductor = newConductor(c);
  for (const [i, op] of (c.ops ?? []).entries()) {
    const d = runOp(conductor, op);
    if (d) return `op ${i}: ${d}`;
  }
  const f = c.expected_final ?? {};
  const seq = conductor.state.sequence.map((t) => ({
    id: t.id,
    route: t.route,
    status: t.status === undefined || t.status === "null" ? null : t.status,
  }));
  return (
    diff("final status", f.workflow_status, conductor.getWorkflowStatus()) ??
    diff("final output", f.output ?? null, conductor.getWorkflowOutput()) ??
    diff("final errors", f.errors, conductor.errors) ??
    diff("final task seq", f.task_seq, seq) ??
    diff("final routes", f.routes, conductor.state.routes) ??
    diff(
      "final term tasks",
      f.term_tasks,
      conductor.state.terminalTasks().map(([, t]) => ({ id: t.id, route: t.route })),
    )
  );
}

export function runOrquestaCase(c: Case): CaseOutcome {
  let detail: string | null;
  try {
    if (c.kind === "trace") detail = runTrace(c);
    else {
      const queued = runStages(c, queueFeed);
      const keyed = runStages(c, keyedFeed);
      detail = queued ?? (keyed ? `keyed mocks: ${keyed}` : null);
    }
  } catch (e) {
    detail = `threw ${errorName(e)}: ${(e as Error).message}`;
  }
  return { id: c.name, group: c.kind, passed: detail === null, ...(detail ? { detail } : {}) };
}

export const suite: ConformanceSuite = {
  corpus: "orquesta",
  async run() {
    return loadOrquestaCases().map(runOrquestaCase);
  },
};
