/** Compatibility path for the parameter casts: the marker now lives with the st2 filters. */
export { NONE_MAGIC_VALUE } from "./jinja/filters/st2.ts";
