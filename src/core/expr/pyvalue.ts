/** Compatibility path: the Python-values module lives in ./python/. */

export * from "./python/number.ts";
export * from "./python/value.ts";
