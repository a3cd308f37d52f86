/**
 * Python exceptions raised while evaluating expressions. Both Jinja and YAQL report the Python
 * class name (`TypeError: ...`) the way StackStorm's messages do, so callers can keep it apart
 * from the message while branching on the class, never on the text.
 */

import { RenderError } from "../../errors.ts";

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
