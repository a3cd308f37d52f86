/** Rule matching: operators, JSONPath keys, criteria evaluation, backstop matching, rule tests. */

export * from "./criteria.ts";
export * from "./fnmatch.ts";
export * from "./jsonpath.ts";
export * from "./matcher.ts";
export * from "./operators.ts";
export * from "./pydate.ts";
export * from "./pysem.ts";
export * from "./rule-test.ts";
