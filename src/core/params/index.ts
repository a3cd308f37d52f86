/** Action parameter handling with StackStorm's semantics: merge, validate, render, cast, mask. */

export { mergeSchemas } from "../content/merge-parameters.ts";
export { assignDefaults } from "../content/param-schema.ts";
export { castParameter, NONE_MAGIC_VALUE } from "./casts.ts";
export {
  datastoreContext,
  datastoreReferences,
  datastoreUser,
  type KvLookup,
  type KvScope,
} from "./datastore.ts";
export { anyTemplate, type ParameterPlan, parameterPlan } from "./plan.ts";
export { pyLiteralEval } from "./pyliteral.ts";
export {
  DEFAULT_SYSTEM_USER,
  type ParameterContext,
  type ResolvedParameters,
  type ResolveInput,
  renderFinalParams,
  renderLiveParams,
  resolveParameters,
} from "./resolve.ts";
export { requestSchema } from "./schema.ts";
export {
  MASKED_ATTRIBUTE_VALUE,
  MIN_MASKED_TEXT_LENGTH,
  maskSecretParameters,
  maskSecrets,
  maskSecretText,
  type SecretShape,
  secretShape,
  secretShapeOf,
  secretValues,
} from "./secrets.ts";
export { containsTemplate, isJinjaExpression } from "./templates.ts";
export {
  immutableNames,
  rejectImmutableOverrides,
  rejectOverridesOf,
  secretNamesOf,
  type ValidatedRequest,
  validateAgainstPlan,
  validateAgainstSchema,
  validateRequest,
} from "./validate.ts";
