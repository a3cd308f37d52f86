/**
 * Python values for the expression engines (Jinja and YAQL): numbers (int vs float), str/repr,
 * truthiness, equality, ordering, hashing, arithmetic, formatting, conversions and JSON output.
 */

export * from "./arith.ts";
export * from "./convert.ts";
export * from "./errors.ts";
export * from "./format.ts";
export * from "./json.ts";
export * from "./number.ts";
export * from "./strings.ts";
export * from "./value.ts";
