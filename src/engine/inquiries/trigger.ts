/**
 * The `core.st2.generic.inquiry` trigger instance an inquiry emits when it starts waiting, with
 * StackStorm's payload `{id, route}`, so rules can route the question to people (chat, mail).
 * The action worker commits these writes with the `pending` transition itself: a crash can
 * neither lose the announcement nor announce an inquiry that never became pending.
 */

import type { Execution } from "../../core/execution/model.ts";
import type { InstanceOpsBuilder } from "../reactor/instances.ts";
import type { WriteOp } from "../store/reactor-contract.ts";
import { INQUIRY_TRIGGER, isInquiryExecution, toInquiry } from "./model.ts";

export function inquiryTriggerOps(
  instanceOps: InstanceOpsBuilder,
): (pending: Execution) => Promise<WriteOp[]> {
  return async (pending) => {
    if (!isInquiryExecution(pending)) return [];
    const traceTag = pending.context.trace_context?.trace_tag;
    const built = await instanceOps(
      INQUIRY_TRIGGER,
      { id: pending.id, route: toInquiry(pending).route },
      {
        ...(traceTag ? { traceTag } : {}),
        causedBy: { type: "action_execution", id: pending.id },
      },
    );
    return built.ops;
  };
}
