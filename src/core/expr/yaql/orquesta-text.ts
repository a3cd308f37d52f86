/**
 * Orquesta's YAQLEvaluator.evaluate: a text holding `<% expr %>` blocks. One block that is the
 * whole text keeps its value's type; otherwise each block is replaced by Python's `str()` of its
 * value. A string result holding expressions is evaluated again. Every failure becomes a
 * YaqlEvaluationException worded as Orquesta words it.
 */

import { RenderError } from "../../errors.ts";
import { OrquestaExpressionError } from "../jinja/orquesta.ts";
import { PythonError } from "../python/errors.ts";
import { fromPlain } from "./convert.ts";
import { compileYaql, type YaqlOptions } from "./engine.ts";
import { YaqlEvaluationException, YaqlException } from "./errors.ts";
import { pyStrY } from "./pyops.ts";

const BLOCK = /<%.*?%>/g;
/** Recursive re-evaluation of string results stops here (a context that refers to itself). */
const MAX_DEPTH = 50;

function stripDelimiter(expr: string): string {
  return expr
    .replace(/^[<%>]+/, "")
    .replace(/[<%>]+$/, "")
    .trim();
}

export function hasYaqlExpressions(text: string): boolean {
  return /<%.*?%>/.test(text);
}

function errorName(err: unknown): string {
  if (err instanceof YaqlException) return err.pyName;
  if (err instanceof PythonError || err instanceof OrquestaExpressionError) return err.pyType;
  return err instanceof Error ? err.name : "Exception";
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function renderOrquestaYaql(
  text: string,
  context: Record<string, unknown> = {},
  options: Omit<YaqlOptions, "mode" | "context"> = {},
  depth = 0,
): unknown {
  const exprs = text.match(BLOCK) ?? [];
  let output: unknown = text;
  let current = "";
  try {
    for (const expr of exprs) {
      current = expr;
      let result = compileYaql(stripDelimiter(expr), "orquesta").evaluate(null, {
        ...options,
        context,
      });
      if (typeof result === "string" && hasYaqlExpressions(result)) {
        if (depth >= MAX_DEPTH) {
          throw new RenderError(
            `expression results refer to each other more than ${MAX_DEPTH} levels deep`,
          );
        }
        result = renderOrquestaYaql(result, context, options, depth + 1);
      }
      if (exprs.length > 1 || (output as string).length > expr.length) {
        output = (output as string).split(expr).join(pyStrY(fromPlain(result)));
      } else output = result;
    }
  } catch (err) {
    if (err instanceof YaqlEvaluationException) throw err;
    if (errorName(err) === "KeyError") {
      throw new YaqlEvaluationException(
        `Unable to resolve key '${describe(err)}' in expression '${current}' from context.`,
        err,
      );
    }
    throw new YaqlEvaluationException(
      `Unable to evaluate expression '${current}'. ${errorName(err)}: ${describe(err)}`,
      err,
    );
  }
  return output;
}
