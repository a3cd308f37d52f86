/**
 * Typed errors. Callers branch on the class (or `code`), never on message text, so wording can
 * improve without changing behaviour.
 */

export class SquallError extends Error {
  readonly code: string = "squall_error";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that can never succeed as given: a bad parameter, a malformed file, an unknown field. */
export class ValidationError extends SquallError {
  override readonly code: string = "validation_error";
  constructor(
    message: string,
    /** Where the problem is: a file path, a field path such as `parameters.cmd`, or both. */
    readonly location?: { file?: string; field?: string; line?: number; column?: number },
  ) {
    super(message);
  }
}

export class NotFoundError extends SquallError {
  override readonly code: string = "not_found";
}

/** A state-machine move that the transition table forbids. */
export class IllegalTransitionError extends SquallError {
  override readonly code: string = "illegal_transition";
  constructor(
    readonly from: string,
    readonly to: string,
    readonly executionId?: string,
  ) {
    super(`execution ${executionId ?? ""} cannot move from ${from} to ${to}`.replace("  ", " "));
  }
}

/** Someone else changed the record first (optimistic concurrency). Safe to re-read and retry. */
export class ConflictError extends SquallError {
  override readonly code: string = "conflict";
}

/** A template or expression failed to render. */
export class RenderError extends SquallError {
  override readonly code: string = "render_error";
}
