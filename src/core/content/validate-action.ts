/**
 * Action metadata (`actions/*.yaml`).
 */
import { checkParameterOverrides, checkPositions } from "./merge-parameters.ts";
import type { ActionDef, NotifySubSchema, ParameterSchema, RunnerType } from "./model.ts";
import { makeRef, makeUid } from "./refs.ts";
import { SCHEMA_IDS } from "./schemas.ts";
import {
  checkDocument,
  checkPackField,
  contentError,
  isRecord,
  issuesToErrors,
  normalizeTags,
  type SourceContext,
  type Validated,
} from "./validate-common.ts";

export interface ActionChecks {
  /**
   * Runner types the action may name. When given, an unknown `runner_type` is an error and
   * parameter overrides are checked against the runner's parameters.
   */
  runnerTypes?: readonly RunnerType[];
}

/** YAML spells notify keys with hyphens (`on-complete`); the model uses underscores. */
function notifyFrom(raw: unknown): ActionDef["notify"] | undefined {
  if (!isRecord(raw)) return undefined;
  const out: NonNullable<ActionDef["notify"]> = {};
  const pairs = [
    ["on-complete", "on_complete"],
    ["on-success", "on_success"],
    ["on-failure", "on_failure"],
  ] as const;
  for (const [yamlKey, modelKey] of pairs) {
    const sub = raw[yamlKey];
    if (isRecord(sub) && Object.keys(sub).length > 0) out[modelKey] = sub as NotifySubSchema;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function validateAction(
  raw: unknown,
  ctx: SourceContext,
  checks: ActionChecks = {},
): Validated<ActionDef> {
  const { doc, errors } = checkDocument(SCHEMA_IDS.action, raw, ctx, "an action");
  errors.push(...checkPackField(doc, ctx));
  const parameters = (isRecord(doc.parameters) ? doc.parameters : {}) as ParameterSchema;
  if (errors.length === 0) {
    errors.push(...issuesToErrors(ctx, checkPositions(parameters)));
    if (checks.runnerTypes && typeof doc.runner_type === "string") {
      const runner = checks.runnerTypes.find((r) => r.name === doc.runner_type);
      if (!runner) {
        const known = checks.runnerTypes.map((r) => r.name).join(", ");
        errors.push(
          contentError(
            ctx,
            ["runner_type"],
            `runner_type "${doc.runner_type}" is not a known runner (known: ${known})`,
          ),
        );
      } else {
        errors.push(
          ...issuesToErrors(ctx, checkParameterOverrides(parameters, runner.runner_parameters)),
        );
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const name = doc.name as string;
  const action: ActionDef = {
    ref: makeRef(ctx.pack, name),
    uid: makeUid("action", ctx.pack, name),
    name,
    pack: ctx.pack,
    description: typeof doc.description === "string" ? doc.description : "",
    enabled: typeof doc.enabled === "boolean" ? doc.enabled : true,
    runner_type: doc.runner_type as string,
    entry_point: typeof doc.entry_point === "string" ? doc.entry_point : "",
    parameters,
    metadata_file: ctx.file,
  };
  if (isRecord(doc.output_schema)) action.output_schema = doc.output_schema;
  const tags = normalizeTags(doc.tags);
  if (tags) action.tags = tags;
  const notify = notifyFrom(doc.notify);
  if (notify) action.notify = notify;
  return { ok: true, value: action };
}
