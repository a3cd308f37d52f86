/**
 * The part of a commit's result the main thread can work out for itself, so the writer thread
 * need not send it back: the record of a created execution (its times are the call's own
 * clock, sent with it) and of a created trigger instance without an idempotency key (it cannot
 * be a duplicate). Both are built by the same pure functions the store uses. Transitions, and
 * instances that may turn out duplicates, depend on what is stored and still come back.
 *
 * About half of a webhook's reply bytes were such records; each side then paid to serialise or
 * parse them. Predicted records share the objects of the operations that created them (the
 * caller's payload, parameters, context) instead of being fresh copies.
 */

import type { Execution } from "../../../../core/execution/model.ts";
import type { CommitResult, WriteOp } from "../../reactor-contract.ts";
import { newExecutionRecord } from "../execution-table.ts";
import { isoTimestamp } from "../shared.ts";
import { newInstanceRecord } from "../trigger-instances.ts";

/** Whether the result entry of `op` is left out of the reply. */
function predictable(op: WriteOp): boolean {
  return op.op === "execution.create" || (op.op === "instance.create" && !op.idempotency);
}

/** The reply's version of a result: predictable entries replaced by null (writer side). */
export function withoutPredictable(ops: WriteOp[], result: CommitResult): CompactResult {
  const executions: Array<Execution | null> = [...result.executions];
  const instances: CompactResult["instances"] = [...result.instances];
  let e = 0;
  let i = 0;
  for (const op of ops) {
    if (op.op === "execution.create" || op.op === "execution.transition") {
      if (predictable(op)) executions[e] = null;
      e++;
    } else if (op.op === "instance.create") {
      if (predictable(op)) instances[i] = null;
      i++;
    }
  }
  return { executions, instances };
}

/** The whole result again, from the reply and the operations sent (main-thread side). */
export function withPredicted(ops: WriteOp[], compact: CompactResult, now: number): CommitResult {
  const nowIso = new Date(now).toISOString();
  const executions: Execution[] = [];
  const instances: CommitResult["instances"] = [];
  let e = 0;
  let i = 0;
  for (const op of ops) {
    if (op.op === "execution.create" || op.op === "execution.transition") {
      const sent = compact.executions[e++];
      executions.push(
        sent ?? (op.op === "execution.create" ? newExecutionRecord(op.execution, nowIso) : fail()),
      );
    } else if (op.op === "instance.create") {
      const sent = compact.instances[i++];
      const instance = op.instance;
      instances.push(
        sent ?? {
          instance: newInstanceRecord(
            instance,
            isoTimestamp(instance.occurrence_time, "instance.occurrence_time"),
            instance.idempotency_key ?? null,
          ),
          duplicate: false,
        },
      );
    }
  }
  return { executions, instances };
}

export interface CompactResult {
  executions: Array<Execution | null>;
  instances: Array<CommitResult["instances"][number] | null>;
}

function fail(): never {
  throw new Error("the writer thread left out a result that cannot be predicted");
}
