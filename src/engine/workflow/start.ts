/**
 * Starting a workflow execution (StackStorm's orquesta runner `run` + workflow service
 * `request`): read and inspect the definition, render the parameters into the workflow's
 * input, build the `st2` context, create the workflow record, and take the first step, all in
 * the commit that completes the run job. A re-run (`context["re-run"]` with tasks) instead
 * continues the old execution's conductor (rerun.ts).
 */

import type { Execution } from "../../core/execution/model.ts";
import { COMPLETED, isIn } from "../../core/workflow/orquesta/statuses.ts";
import { notifyWork } from "../services/work-kinds.ts";
import type { JobRef } from "../store/contract.ts";
import type { WriteOp } from "../store/reactor-contract.ts";
import { loadDefinition } from "./definition.ts";
import type { EngineHost } from "./host.ts";
import { prefetchKv } from "./kv.ts";
import type { WorkflowRecord } from "./records.ts";
import { forkForRerun, rerunOptions } from "./rerun.ts";
import { type SessionSnapshot, WorkflowSession } from "./session.ts";
import { st2Context } from "./st2-context.ts";
import { buildStep } from "./step.ts";

/** Fails a workflow execution before it has a conductor (StackStorm's `{errors, output: null}`). */
function failOps(execution: Execution, job: JobRef, errors: unknown[]): WriteOp[] {
  return [
    {
      op: "execution.transition",
      id: execution.id,
      to: "running",
      options: { expectFrom: ["scheduled"] },
    },
    {
      op: "execution.transition",
      id: execution.id,
      to: "failed",
      options: { expectFrom: ["running"], patch: { result: { errors, output: null } } },
    },
    { op: "job.enqueue", items: [notifyWork(execution.id)] },
    { op: "job.complete", job },
  ];
}

export async function startWorkflow(
  engine: EngineHost,
  execution: Execution,
  job: JobRef,
): Promise<void> {
  const { store, executions, log } = engine.options;
  const running = { ...execution, status: "running" as const };
  let session: WorkflowSession;
  let snapshot: SessionSnapshot;
  let prelude: WorkflowRecord[] = [];
  const rerun = rerunOptions(execution);
  try {
    if (rerun) {
      const forked = await forkForRerun(engine, execution, rerun);
      if ("errors" in forked) {
        const ops = failOps(execution, job, forked.errors);
        const done = await engine.commitFor(running, "failed", ops);
        executions.published(done.executions);
        return;
      }
      session = forked.session;
      snapshot = forked.snapshot;
      prelude = forked.records;
    } else {
      const action = await store.content.getAction(execution.action.ref);
      const pack = action ? await store.content.getPack(action.pack) : null;
      if (!action || !pack)
        throw new Error(`action ${execution.action.ref} is no longer registered`);
      const definition = await loadDefinition(action, pack.path, store.content);
      if (definition.errors) {
        const ops = failOps(execution, job, definition.errors);
        const done = await engine.commitFor(running, "failed", ops);
        executions.published(done.executions);
        return;
      }
      const prepared = await engine.options.prepare(execution);
      const inputs: Record<string, unknown> = {};
      for (const name of Object.keys(action.parameters))
        if (Object.hasOwn(prepared.parameters, name)) inputs[name] = prepared.parameters[name];
      session = WorkflowSession.start(
        execution.id,
        definition.spec,
        { context: st2Context(execution, engine.options.apiUrl()), inputs },
        engine.sessionOptions(),
      );
      if (session.kvPlan)
        session.setLiveKv(await prefetchKv(store.kv, session.kvPlan, session.user()));
      // The first serialisation renders input and vars (which may already fail the workflow).
      snapshot = session.snapshot();
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.warn({ err, executionId: execution.id }, "workflow could not start");
    const done = await engine.commitFor(running, "failed", failOps(execution, job, [{ message }]));
    executions.published(done.executions);
    return;
  }

  const ops: WriteOp[] = [
    {
      op: "execution.transition",
      id: execution.id,
      to: "running",
      options: { expectFrom: ["scheduled"], patch: { runner_node: engine.options.nodeId } },
    },
    {
      op: "workflow.create",
      id: execution.id,
      spec: snapshot.spec,
      snapshot,
      status: session.conductor.getWorkflowStatus(),
    },
    { op: "job.complete", job },
  ];
  const step = await buildStep(
    session,
    running,
    [],
    executions,
    engine.snapshotEvery,
    prelude,
    engine.inline(),
  );
  const done = await engine.commitFor(running, step.to ?? "running", [...ops, ...step.ops]);
  session.lastSeq = step.records;
  session.sinceSnapshot = step.ops.some((o) => o.op === "workflow.snapshot") ? 0 : step.records;
  // Known to the engine before its children are announced, so the bus watcher (recovery.ts)
  // finds it in memory instead of rebuilding it from the store.
  if (!isIn(step.status, COMPLETED)) engine.adopt(session);
  else engine.retire(session);
  executions.published(done.executions);
}
