/**
 * Re-running a failed workflow from some of its tasks (StackStorm's `re_run` with `tasks`,
 * workflow_service.request_rerun). The new execution gets a copy of the old conductor, with its
 * own `st2` context, and its first event asks the conductor to rerun the named tasks on every
 * route they ran on (`reset` tasks repeat all their items, the others only the failed ones).
 * The old execution and its workflow record stay as they were.
 */

import type { Execution } from "../../core/execution/model.ts";
import { FAILED_STATUSES } from "../../core/execution/status.ts";
import type { EngineHost } from "./host.ts";
import type { WorkflowRecord } from "./records.ts";
import { type SessionSnapshot, WorkflowSession } from "./session.ts";
import { st2Context } from "./st2-context.ts";

export interface RerunOptions {
  ref: string;
  tasks: string[];
  reset: string[];
}

/** The `re-run` context StackStorm's re_run endpoint sets, when it names tasks. */
export function rerunOptions(execution: Execution): RerunOptions | null {
  const raw = execution.context["re-run"] as Record<string, unknown> | undefined;
  if (!raw || typeof raw.ref !== "string") return null;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x) => typeof x === "string") : []);
  const tasks = list(raw.tasks);
  if (tasks.length === 0) return null;
  return { ref: raw.ref, tasks, reset: list(raw.reset) };
}

type Forked =
  | { session: WorkflowSession; snapshot: SessionSnapshot; records: WorkflowRecord[] }
  | { errors: Array<{ message: string }> };

export async function forkForRerun(
  engine: EngineHost,
  execution: Execution,
  options: RerunOptions,
): Promise<Forked> {
  const { store, apiUrl } = engine.options;
  const old = await store.executions.get(options.ref);
  if (!old) return { errors: [{ message: `execution ${options.ref} does not exist` }] };
  if (!FAILED_STATUSES.has(old.status))
    return { errors: [{ message: "Workflow execution is not in a rerunable state." }] };
  const previous = await engine.session(options.ref);
  if (!previous)
    return {
      errors: [
        {
          message: `Unable to rerun workflow execution "${options.ref}" because it does not exist.`,
        },
      ],
    };
  const state = previous.conductor.state;
  const tasks: Array<{ taskId: string; route: number; resetItems: boolean }> = [];
  const missing: string[] = [];
  for (const name of options.tasks) {
    const routes = [...new Set(state.sequence.filter((t) => t.id === name).map((t) => t.route))];
    if (routes.length === 0) missing.push(name);
    for (const route of routes)
      tasks.push({ taskId: name, route, resetItems: options.reset.includes(name) });
  }
  if (missing.length > 0)
    return {
      errors: [
        {
          message: `Unable to rerun workflow because one or more tasks is not found: ${missing.join(",")}`,
        },
      ],
    };
  const base = previous.snapshot();
  const snapshot: SessionSnapshot = {
    ...base,
    context: st2Context(execution, apiUrl()),
    ...(base.squall ? { squall: { ...base.squall, active: {} } } : {}),
  };
  // Try the request on a throwaway copy first, so a refused rerun fails the new execution
  // with the conductor's reason instead of recording a failure event.
  try {
    const probe = WorkflowSession.fork(execution.id, snapshot, engine.sessionOptions());
    probe.conductor.requestWorkflowRerun(tasks);
  } catch (err) {
    return { errors: [{ message: err instanceof Error ? err.message : String(err) }] };
  }
  const session = WorkflowSession.fork(execution.id, snapshot, engine.sessionOptions());
  return { session, snapshot, records: [{ k: "rerun", tasks }] };
}
