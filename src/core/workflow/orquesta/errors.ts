/**
 * The conductor's errors, named after Orquesta's exception classes: hosts and the conformance
 * corpus identify them by class name, and the workflow error list prints `<Class>: <message>`.
 */

import { SquallError } from "../../errors.ts";

export class OrquestaError extends SquallError {
  override readonly code: string = "orquesta_error";
}

export class InvalidWorkflowStatusTransition extends OrquestaError {
  constructor(from: string, event: string) {
    super(`Unable to process event "${event}" for workflow in "${from}" status.`);
  }
}

export class InvalidTask extends OrquestaError {
  constructor(taskId: string) {
    super(`Task "${taskId}" does not exist.`);
  }
}

export class InvalidTaskStateEntry extends OrquestaError {
  constructor(taskId: string) {
    super(`Task "${taskId}" is not staged or has not started yet.`);
  }
}

export class WorkflowIsActiveAndNotRerunableError extends OrquestaError {
  constructor() {
    super("Unable to rerun workflow because it is not in a completed state.");
  }
}

export class InvalidTaskRerunRequest extends OrquestaError {
  constructor(tasks: { taskId: string; route: number }[]) {
    const list = tasks.map((t) => `${t.taskId}|${t.route}`).join(", ");
    super(`Unable to rerun task|route(s) because it doesn't exist or isn't rerunnable: ${list}`);
  }
}

export class UnreachableJoinError extends OrquestaError {
  constructor(taskId: string, route: number) {
    super(`The join task|route "${taskId}|${route}" is partially satisfied but unreachable.`);
  }
}

/** A Python built-in error the conductor raises while rendering (TypeError, ValueError). */
export class RenderingError extends OrquestaError {
  constructor(
    readonly pyType: "TypeError" | "ValueError",
    message: string,
  ) {
    super(message);
  }
}
