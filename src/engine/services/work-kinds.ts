/** Names of the durable work kinds, one per hand-off in the execution flow. */
export const WORK = {
  /** requested/delayed → scheduled (policies and delay are applied here). */
  schedule: "execution.schedule",
  /** scheduled → running → completed, on whichever node claims it. */
  run: "execution.run",
  /** A completed execution's action trigger and notifications. */
  notify: "execution.notify",
  /** A trigger instance to match against rules. */
  triggerProcess: "trigger.process",
} as const;

export function scheduleWork(executionId: string, runAt?: number) {
  return {
    kind: WORK.schedule,
    payload: { id: executionId },
    key: `schedule:${executionId}`,
    ...(runAt ? { runAt } : {}),
  };
}

export function runWork(executionId: string) {
  return { kind: WORK.run, payload: { id: executionId }, key: `run:${executionId}` };
}

export function jobExecutionId(payload: Record<string, unknown>): string | null {
  return typeof payload.id === "string" ? payload.id : null;
}

export function notifyWork(executionId: string) {
  return { kind: WORK.notify, payload: { id: executionId }, key: `notify:${executionId}` };
}

export function triggerProcessWork(instanceId: string) {
  return { kind: WORK.triggerProcess, payload: { id: instanceId } };
}
