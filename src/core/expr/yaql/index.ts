/**
 * YAQL for Squall: a complete TypeScript implementation of YAQL (no maintained JavaScript YAQL
 * exists). See engine.ts for the modes and the sources it follows.
 */

export type { CompiledYaql, OrquestaCallbacks, YaqlMode, YaqlOptions } from "./engine.ts";
export { compileYaql, evaluateYaql } from "./engine.ts";
export * from "./errors.ts";
export { hasYaqlExpressions, renderOrquestaYaql } from "./orquesta-text.ts";
export type { CallInfo, FunctionDef, Lambda, MappingRule, Param, ParamType } from "./registry.ts";
export { fn, opt, p, T } from "./registry.ts";
