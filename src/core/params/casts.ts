/**
 * StackStorm's parameter casts (st2common/util/casts.py), applied to rendered values according
 * to the parameter's declared type. The Python behaviour is mirrored exactly, including its
 * quirks: booleans go through `ast.literal_eval(x.capitalize())` (so "1" becomes the integer 1),
 * objects and arrays accept JSON or a Python literal, and strings refuse non-string values.
 */

import { ValidationError } from "../errors.ts";
import { NONE_MAGIC_VALUE } from "../expr/filters.ts";
import { PyConversionError, pyFloat, pyInt } from "../expr/pyconvert.ts";
import { pyStr, pyTypeName } from "../expr/pyvalue.ts";
import { pyLiteralEval } from "./pyliteral.ts";

export { NONE_MAGIC_VALUE };

type Cast = (value: unknown) => unknown;

function castNone(x: unknown): unknown {
  return x === NONE_MAGIC_VALUE ? null : x;
}

/** Python's str.capitalize(): first character upper-cased, the rest lower-cased. */
function capitalize(text: string): string {
  const [first = "", ...rest] = [...text];
  return first.toUpperCase() + rest.join("").toLowerCase();
}

function castObject(input: unknown): unknown {
  const x = castNone(input);
  if (typeof x !== "string") return x;
  try {
    return JSON.parse(x);
  } catch {
    return pyLiteralEval(x);
  }
}

function castBoolean(input: unknown): unknown {
  const x = castNone(input);
  return typeof x === "string" ? pyLiteralEval(capitalize(x)) : x;
}

function castInteger(input: unknown): unknown {
  return pyInt(castNone(input));
}

function castNumber(input: unknown): unknown {
  const v = pyFloat(castNone(input));
  if (!Number.isFinite(v)) {
    // Python keeps inf/nan, but JSON (and so every store and API response) cannot carry them.
    throw new PyConversionError("ValueError", `${pyStr(v)} cannot be stored as a JSON number`);
  }
  return v;
}

function castString(x: unknown): unknown {
  if (x === null || x === undefined) return x;
  if (typeof x !== "string") {
    throw new PyConversionError(
      "ValueError",
      `Value "${pyStr(x)}" must either be a string or None. Got "${pyTypeName(x)}".`,
    );
  }
  return castNone(x);
}

const CASTS: Record<string, Cast> = {
  array: castObject,
  boolean: castBoolean,
  integer: castInteger,
  number: castNumber,
  object: castObject,
  string: castString,
};

/**
 * Casts one value for the named parameter. Mirrors `_cast` in st2common/util/param.py: None and
 * schema-less or typeless parameters pass through; unknown type names pass through.
 */
export function castParameter(name: string, value: unknown, spec: unknown): unknown {
  if (value === null || value === undefined || !spec || typeof spec !== "object") return value;
  const type = (spec as { type?: unknown }).type;
  if (type === undefined || type === null || type === "") return value;
  if (typeof type !== "string") {
    // StackStorm crashes here (a list is unhashable as a dict key) and refuses such types when
    // registering actions, so report it plainly instead.
    throw new ValidationError(
      `parameter "${name}" declares type ${JSON.stringify(type)}; only a single type name can be cast`,
      { field: `parameters.${name}` },
    );
  }
  const cast = CASTS[type];
  if (!cast) return value;
  try {
    return cast(value);
  } catch (e) {
    if (e instanceof PyConversionError || e instanceof ValidationError) {
      throw new ValidationError(`parameter "${name}" cannot be cast to ${type}: ${e.message}`, {
        field: `parameters.${name}`,
      });
    }
    throw e;
  }
}
