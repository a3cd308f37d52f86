/** The `st2` context every workflow gets. */

import type { Execution } from "../../core/execution/model.ts";

/** `ctx().st2` as StackStorm's orquesta runner builds it (_construct_st2_context + request). */
export function st2Context(execution: Execution, apiUrl: string): Record<string, unknown> {
  const c = execution.context;
  const st2: Record<string, unknown> = {
    action_execution_id: execution.id,
    api_url: apiUrl,
    user: c.user ?? "stanley",
    pack: c.pack ?? null,
    action: execution.action.ref,
    runner: execution.action.runner_type,
    workflow_execution_id: execution.id,
  };
  if (c.api_user) st2.api_user = c.api_user;
  if (c.source_channel) st2.source_channel = c.source_channel;
  return { st2, parent: c };
}
