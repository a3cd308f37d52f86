/**
 * Python exceptions raised while evaluating expressions. Both Jinja and YAQL report the Python
 * class name (`TypeError: ...`) the way StackStorm's messages do, so callers can keep it apart
 * from the message while branching on the class, never on the text.
 */

import { RenderError, SquallError } from "../../errors.ts";

export type PyErrorType =
  | "TypeError"
  | "ValueError"
  | "OverflowError"
  | "ZeroDivisionError"
  | "IndexError"
  | "KeyError"
  | "AttributeError"
  | "AssertionError"
  | "RecursionError";

export class PythonError extends RenderError {
  override readonly code: string = "python_error";
  constructor(
    readonly pyType: PyErrorType,
    message: string,
  ) {
    super(message);
  }
}

export function pyTypeError(message: string): never {
  throw new PythonError("TypeError", message);
}

export function pyValueError(message: string): never {
  throw new PythonError("ValueError", message);
}

/** The Python exceptions a rule criteria operator can raise: the built-ins above and `re.error`. */
export type OperatorErrorType = PyErrorType | "re.error";

/**
 * A Python exception raised while applying a rule criteria operator. Not a RenderError: StackStorm
 * turns it into a failed rule enforcement, never into a template failure. The message is what
 * Python's `str(exc)` would print.
 */
export class OperatorError extends SquallError {
  override readonly code: string = "operator_error";
  constructor(
    readonly pythonType: OperatorErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** Runs `fn`, re-raising a PythonError from the shared value semantics as an OperatorError. */
export function asOperatorError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PythonError) throw new OperatorError(e.pyType, e.message);
    throw e;
  }
}
