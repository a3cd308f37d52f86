/** StackStorm's rule for which parameter values are templates (util/jinja.py is_jinja_expression). */

import { isPlainObject } from "../expr/pyvalue.ts";

export function isJinjaExpression(value: unknown): boolean {
  return typeof value === "string" && (value.includes("{{") || value.includes("{%"));
}

/**
 * A string with `{{`/`{%`, or a list/dict whose Python `str()` has one (keys count, since
 * StackStorm tests `str(value)`).
 */
export function containsTemplate(value: unknown): boolean {
  if (typeof value === "string") return isJinjaExpression(value);
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (isPlainObject(value)) {
    return Object.entries(value).some(([k, v]) => isJinjaExpression(k) || containsTemplate(v));
  }
  return false;
}
