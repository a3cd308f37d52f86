/**
 * YAQL's exception hierarchy (yaql/language/exceptions.py) plus the Python built-in errors that
 * escape yaql functions. Callers branch on the class; `pyName` is the name Python would print.
 */

import { RenderError } from "../../errors.ts";
import { PythonError } from "../python/errors.ts";

export class YaqlException extends RenderError {
  override readonly code: string = "yaql_error";
  /** The expression text and the 0-based position the error refers to, when known. */
  expression?: string;
  position?: number;
  get pyName(): string {
    return this.constructor.name;
  }
}

export class YaqlParsingException extends YaqlException {
  constructor(message: string, expression: string, position: number) {
    super(message);
    this.expression = expression;
    this.position = position;
  }
}
export class YaqlLexicalException extends YaqlParsingException {}
export class YaqlGrammarException extends YaqlParsingException {}

export class ResolutionError extends YaqlException {}
export class FunctionResolutionError extends ResolutionError {}
export class MethodResolutionError extends ResolutionError {}
export class NoFunctionRegisteredException extends FunctionResolutionError {
  constructor(readonly functionName: string) {
    super(`Unknown function "${functionName}"`);
  }
}
export class NoMethodRegisteredException extends MethodResolutionError {
  constructor(readonly functionName: string) {
    super(`Unknown method "${functionName}"`);
  }
}
export class NoMatchingFunctionException extends FunctionResolutionError {
  constructor(readonly functionName: string) {
    super(`No function "${functionName}" matches supplied arguments`);
  }
}
export class NoMatchingMethodException extends MethodResolutionError {
  constructor(readonly functionName: string) {
    super(`No method "${functionName}" matches supplied arguments`);
  }
}
export class AmbiguousFunctionException extends FunctionResolutionError {}
export class CollectionTooLargeException extends YaqlException {
  constructor(readonly limit: number) {
    super(`Collection length exceeds ${limit} elements`);
  }
}
export class MemoryQuotaExceededException extends YaqlException {}
/** Not a yaql class: recursion or a value too large for the JavaScript engine. */
export class YaqlResourceException extends YaqlException {}

/** Orquesta's wrapper around any failure of a `<% %>` expression. */
export class YaqlEvaluationException extends YaqlException {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

export type PythonErrorName =
  | "ZeroDivisionError"
  | "IndexError"
  | "KeyError"
  | "StopIteration"
  | "ValueError"
  | "TypeError"
  | "OverflowError"
  | "AttributeError"
  | "AssertionError"
  | "RecursionError"
  | "ExpressionEvaluationException"
  | "VariableUndefinedError"
  | "VariableInaccessibleError";

/** A Python built-in exception raised inside a yaql function, carried with its Python name. */
export class YaqlPythonError extends YaqlException {
  override readonly code: string = "yaql_python_error";
  constructor(
    readonly pythonName: PythonErrorName,
    message: string,
  ) {
    super(message);
  }
  override get pyName(): string {
    return this.pythonName;
  }
}

export function pyError(name: PythonErrorName, message: string): YaqlPythonError {
  return new YaqlPythonError(name, message);
}

/** Runs `f`, re-raising a PythonError from the shared Python semantics as yaql reports it. */
export function asYaqlError<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof PythonError) throw pyError(err.pyType as PythonErrorName, err.message);
    throw err;
  }
}
