/**
 * Shapes records for the outside world. Secret parameters are masked here, on the way out,
 * because the stored request must stay intact for re-runs (as in StackStorm).
 */

import type { Execution } from "../core/execution/model.ts";
import { mergeSchemas, secretNamesOf } from "../core/params/index.ts";
import { MASK, type SecretRegistry } from "../engine/logger.ts";
import type { Store } from "../engine/store/contract.ts";

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

  async one(execution: Execution): Promise<Record<string, unknown>> {
    const names = await this.secretsOf(execution.action.ref, execution.action.runner_type);
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
      result: this.secrets.maskDeep(execution.result),
      ...(elapsed !== undefined ? { elapsed_seconds: elapsed } : {}),
    };
  }

  many(executions: Execution[]): Promise<Array<Record<string, unknown>>> {
    return Promise.all(executions.map((e) => this.one(e)));
  }
}
