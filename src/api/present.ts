/**
 * Shapes records for the outside world. Secret parameters are masked here, on the way out,
 * because the stored request must stay intact for re-runs (as in StackStorm).
 */

import type { FastifyRequest } from "fastify";
import type { Execution } from "../core/execution/model.ts";
import { mergeSchemas, secretNamesOf } from "../core/params/index.ts";
import { MASK, type SecretRegistry } from "../engine/logger.ts";
import type { Store } from "../engine/store/contract.ts";
import type { ApiContext } from "./context.ts";

/**
 * `show_secrets=true` unmasks only when the deployment says this requester may (administrators);
 * asked for by anyone else it is ignored, as in StackStorm.
 */
export function showSecrets(
  request: FastifyRequest,
  ctx: Pick<ApiContext, "mayShowSecrets">,
): boolean {
  const raw = (request.query as Record<string, unknown> | undefined)?.show_secrets;
  const asked = raw === true || raw === "true" || raw === "True" || raw === "1";
  return asked && ctx.mayShowSecrets?.(request) === true;
}

export class ExecutionPresenter {
  private readonly secretNames = new Map<string, Promise<Set<string>>>();

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretRegistry,
  ) {}

  private secretsOf(actionRef: string, runnerName: string): Promise<Set<string>> {
    let cached = this.secretNames.get(actionRef);
    if (!cached) {
      cached = (async () => {
        const [action, runner] = await Promise.all([
          this.store.content.getAction(actionRef),
          this.store.content.getRunnerType(runnerName),
        ]);
        const schema = mergeSchemas(runner?.runner_parameters ?? {}, action?.parameters ?? {});
        return secretNamesOf(schema);
      })();
      this.secretNames.set(actionRef, cached);
    }
    return cached;
  }

  async one(execution: Execution, unmasked = false): Promise<Record<string, unknown>> {
    const names = unmasked
      ? new Set<string>()
      : await this.secretsOf(execution.action.ref, execution.action.runner_type);
    const parameters: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(execution.parameters))
      parameters[k] = names.has(k) ? MASK : v;
    const elapsed =
      execution.end_timestamp !== null
        ? (Date.parse(execution.end_timestamp) - Date.parse(execution.start_timestamp)) / 1000
        : undefined;
    return {
      ...execution,
      parameters,
      result: unmasked ? execution.result : this.secrets.maskDeep(execution.result),
      ...(elapsed !== undefined ? { elapsed_seconds: elapsed } : {}),
    };
  }

  many(executions: Execution[], unmasked = false): Promise<Array<Record<string, unknown>>> {
    return Promise.all(executions.map((e) => this.one(e, unmasked)));
  }
}
