/** Compatibility path: the Python-values module lives in ./python/. */
export * from "./python/json.ts";
