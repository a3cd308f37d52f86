/**
 * Shapes records for the outside world. Secrets are masked here, on the way out, because the
 * stored request must stay intact for re-runs (as in StackStorm):
 * - parameters the action or runner marks `secret` (nested ones too) are replaced by the mask;
 * - their values are also scrubbed wherever else they appear in the execution (a rule renders
 *   a secret into another parameter's text; an action prints it);
 * - values the node knows to be secret (decrypted datastore secrets, secret config values,
 *   execution tokens: the SecretRegistry) are scrubbed everywhere.
 * An administrator asking for `show_secrets` gets the execution as stored.
 */

import type { FastifyRequest } from "fastify";
import type { ParameterSchema } from "../core/content/model.ts";
import type { Execution } from "../core/execution/model.ts";
import {
  MASKED_ATTRIBUTE_VALUE,
  maskSecretParameters,
  maskSecretText,
  mergeSchemas,
  secretValues,
} from "../core/params/index.ts";
import type { SecretRegistry } from "../engine/logger.ts";
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

/** Copy of `value` with every occurrence of each secret in its strings (keys too) masked. */
export function scrubDeep(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (secrets.length === 0 || depth > 32) return value;
  if (typeof value === "string") return maskSecretText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, secrets, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[maskSecretText(k, secrets)] = scrubDeep(v, secrets, depth + 1);
    return out;
  }
  return value;
}

const TRIVIAL = new Set(["true", "false", "none", "null"]);

export class ExecutionPresenter {
  private readonly schemas = new Map<string, Promise<ParameterSchema>>();

  constructor(
    private readonly store: Store,
    private readonly secrets?: SecretRegistry,
  ) {}

  private schemaOf(actionRef: string, runnerName: string): Promise<ParameterSchema> {
    let cached = this.schemas.get(actionRef);
    if (!cached) {
      cached = (async () => {
        const [action, runner] = await Promise.all([
          this.store.content.getAction(actionRef),
          this.store.content.getRunnerType(runnerName),
        ]);
        return mergeSchemas(runner?.runner_parameters ?? {}, action?.parameters ?? {});
      })();
      this.schemas.set(actionRef, cached);
    }
    return cached;
  }

  /** Scrubs what the node and this execution hold secret out of any value. */
  private scrubber(values: readonly string[]): (value: unknown) => unknown {
    const registry = this.secrets;
    // A secret flag's "true" is no secret worth scrubbing from every text that says true.
    const own = values.filter((v) => v !== MASKED_ATTRIBUTE_VALUE && !TRIVIAL.has(v.toLowerCase()));
    return (value) => {
      const scrubbed = scrubDeep(value, own);
      return registry ? registry.maskDeep(scrubbed) : scrubbed;
    };
  }

  async one(execution: Execution, unmasked = false): Promise<Record<string, unknown>> {
    const elapsed =
      execution.end_timestamp !== null
        ? (Date.parse(execution.end_timestamp) - Date.parse(execution.start_timestamp)) / 1000
        : undefined;
    const timing = elapsed !== undefined ? { elapsed_seconds: elapsed } : {};
    if (unmasked) return { ...execution, ...timing };
    const schema = await this.schemaOf(execution.action.ref, execution.action.runner_type);
    const scrub = this.scrubber(secretValues(execution.parameters, schema));
    return {
      ...execution,
      parameters: scrub(maskSecretParameters(execution.parameters, schema)),
      result: scrub(execution.result),
      context: scrub(execution.context),
      ...timing,
    };
  }

  many(executions: Execution[], unmasked = false): Promise<Array<Record<string, unknown>>> {
    return Promise.all(executions.map((e) => this.one(e, unmasked)));
  }

  /**
   * A record derived from an execution (an action trigger's payload): the execution's secret
   * parameters masked where it repeats them, and their values scrubbed from the rest.
   */
  async derived<T>(executionId: unknown, value: T): Promise<T> {
    const execution =
      typeof executionId === "string" ? await this.store.executions.get(executionId) : null;
    if (!execution) return this.scrubber([])(value) as T;
    const schema = await this.schemaOf(execution.action.ref, execution.action.runner_type);
    const scrub = this.scrubber(secretValues(execution.parameters, schema));
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      const parameters = record.parameters;
      if (parameters !== null && typeof parameters === "object" && !Array.isArray(parameters))
        return scrub({
          ...record,
          parameters: maskSecretParameters(parameters as Record<string, unknown>, schema),
        }) as T;
    }
    return scrub(value) as T;
  }
}
