/**
 * Pure validation of pack metadata documents: parsed YAML in, typed records or ContentErrors
 * (file, field path, line) out. The loader in src/engine/content does the file reading.
 */
export { type ActionChecks, validateAction } from "./validate-action.ts";
export {
  contentError,
  type SourceContext,
  type Validated,
} from "./validate-common.ts";
export {
  derivePackRef,
  type PackSource,
  validateConfig,
  validateConfigSchema,
  validatePackMeta,
} from "./validate-pack.ts";
export {
  validateAlias,
  validatePolicy,
  validateRule,
  validateSensor,
  validateTriggerType,
} from "./validate-reactor.ts";
