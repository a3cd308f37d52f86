/**
 * The execution service: the only writer of execution status. Every change goes through
 * `transition`, which commits the new state (with the work it causes) and then tells local
 * listeners, so API streams and cancel handling never see a state the store does not hold.
 */

import type { ActionDef, RunnerType } from "../../core/content/model.ts";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import type { Execution, ExecutionContext } from "../../core/execution/model.ts";
import {
  CANCELABLE_STATUSES,
  type ExecutionStatus,
  isCompleted,
} from "../../core/execution/status.ts";
import type { EventBus } from "../events.ts";
import { newId } from "../ids.ts";
import type { Logger } from "../logger.ts";
import type {
  ExecutionFilter,
  Page,
  PageResult,
  Store,
  TransitionOptions,
} from "../store/contract.ts";
import { scheduleWork } from "./work-kinds.ts";

export interface ExecutionRequest {
  action: string;
  parameters?: Record<string, unknown>;
  context?: ExecutionContext;
  /** Milliseconds to wait before scheduling. */
  delay?: number;
  parent?: string | null;
}

/** Checks requested parameters before anything is stored (schema, required, immutable). */
export type RequestValidator = (
  action: ActionDef,
  runner: RunnerType,
  parameters: Record<string, unknown>,
) => Record<string, unknown>;

export class ExecutionService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly validate: RequestValidator,
    private readonly log: Logger,
  ) {}

  async request(input: ExecutionRequest): Promise<Execution> {
    if (typeof input.action !== "string" || input.action === "")
      throw new ValidationError("`action` must be an action ref such as core.local", {
        field: "action",
      });
    if (input.delay !== undefined && (!Number.isInteger(input.delay) || input.delay < 0))
      throw new ValidationError("`delay` must be a whole number of milliseconds ≥ 0", {
        field: "delay",
      });
    const action = await this.store.content.getAction(input.action);
    if (!action) throw new NotFoundError(`action ${input.action} is not registered`);
    if (!action.enabled)
      throw new ValidationError(`action ${action.ref} is disabled`, { field: "action" });
    const runner = await this.store.content.getRunnerType(action.runner_type);
    if (!runner)
      throw new NotFoundError(
        `runner ${action.runner_type} of action ${action.ref} is not registered`,
      );
    const parameters = this.validate(action, runner, input.parameters ?? {});

    const id = newId();
    const context: ExecutionContext = {
      user: "stanley",
      pack: action.pack,
      ...(input.context ?? {}),
    };
    context.trace_context ??= { trace_tag: `execution-${id}` };
    const execution = await this.store.executions.create(
      {
        id,
        action: { ref: action.ref, runner_type: action.runner_type },
        parameters,
        context,
        parent: input.parent ?? null,
        delay: input.delay ?? null,
      },
      { enqueue: [scheduleWork(id)] },
    );
    this.log.info({ executionId: id, action: action.ref }, "execution requested");
    this.bus.emit("execution.update", execution);
    return execution;
  }

  async transition(
    id: string,
    to: ExecutionStatus,
    options?: TransitionOptions,
  ): Promise<Execution> {
    const execution = await this.store.executions.transition(id, to, options);
    this.log.debug({ executionId: id, status: to }, "execution transition");
    this.bus.emit("execution.update", execution);
    return execution;
  }

  async get(id: string): Promise<Execution> {
    const execution = await this.store.executions.get(id);
    if (!execution) throw new NotFoundError(`execution ${id} not found`);
    return execution;
  }

  list(filter: ExecutionFilter, page: Page): Promise<PageResult<Execution>> {
    return this.store.executions.list(filter, page);
  }

  /**
   * StackStorm's request_cancellation: work that has not started is canceled at once; running
   * work moves to `canceling` and the node running it kills the action.
   */
  async cancel(id: string): Promise<Execution> {
    const execution = await this.get(id);
    if (isCompleted(execution.status) || execution.status === "canceling") return execution;
    if (!CANCELABLE_STATUSES.has(execution.status) && execution.status !== "pending")
      throw new ValidationError(`execution ${id} cannot be canceled while ${execution.status}`);
    const notStarted = ["requested", "scheduled", "delayed"].includes(execution.status);
    return this.transition(id, notStarted ? "canceled" : "canceling", {
      expectFrom: [execution.status],
      ...(notStarted ? { patch: { result: null } } : {}),
    });
  }
}
