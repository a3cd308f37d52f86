/**
 * The execution service: the only writer of execution status. Every change goes through
 * `transition`, which commits the new state (with the work it causes) and then tells local
 * listeners, so API streams and cancel handling never see a state the store does not hold.
 */

import type { ActionDef, RunnerType } from "../../core/content/model.ts";
import { NotFoundError, SquallError, ValidationError } from "../../core/errors.ts";
import type { Execution, ExecutionContext, NewExecution } from "../../core/execution/model.ts";
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
import type { CommitResult, WriteOp } from "../store/reactor-contract.ts";
import { withField } from "./with-field.ts";
import { notifyWork, runWork, scheduleWork } from "./work-kinds.ts";

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

export interface TransitionStep {
  to: ExecutionStatus;
  patch?: TransitionOptions["patch"];
  expectFrom?: TransitionOptions["expectFrom"];
}

export type TransitionRequest = TransitionOptions & {
  /**
   * The trigger instances this change emits, already built, committed with it: a completion's
   * (instead of via the notifier) or a new inquiry's when it becomes `pending`.
   */
  notifications?: WriteOp[];
  /**
   * The execution as the caller read it before this change. With it, a workflow child's change
   * commits together with the workflow step it causes (see WorkflowHooks).
   */
  execution?: Execution;
};

/** How the workflow engine takes part in executions' changes (src/engine/workflow). */
export interface WorkflowHooks {
  /**
   * Commits a workflow child's status change (`ops`) together with what it causes in its
   * workflow; null when `before` is not a workflow child.
   */
  commitChildChange(
    before: Execution,
    to: ExecutionStatus,
    result: unknown,
    ops: WriteOp[],
  ): Promise<CommitResult> | null;
  /** Cancels a started workflow and cascades to its children; null when it is not a workflow. */
  cancelWorkflow(execution: Execution): Promise<Execution> | null;
}

function checkRequest(input: ExecutionRequest): void {
  if (typeof input.action !== "string" || input.action === "")
    throw new ValidationError("`action` must be an action ref such as core.local", {
      field: "action",
    });
  if (input.delay !== undefined && (!Number.isInteger(input.delay) || input.delay < 0))
    throw new ValidationError("`delay` must be a whole number of milliseconds ≥ 0", {
      field: "delay",
    });
}

/** `patch` and `expectFrom` when set (built key by key: see with-field.ts on spreads). */
function pickStep(options: {
  patch?: TransitionOptions["patch"];
  expectFrom?: TransitionOptions["expectFrom"];
}): Omit<TransitionStep, "to"> {
  const step: Omit<TransitionStep, "to"> = {};
  if (options.patch) step.patch = options.patch;
  if (options.expectFrom) step.expectFrom = options.expectFrom;
  return step;
}

/** A cancel request for an execution that has finished (or is already being canceled). */
export class NotCancelableError extends SquallError {
  override readonly code: string = "not_cancelable";
  constructor(readonly execution: Execution) {
    super(`Action cannot be canceled. State = ${execution.status}.`);
  }
}

export class ExecutionService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly validate: RequestValidator,
    private readonly log: Logger,
    /** Runners this node can run; requests for others are refused up front, not failed later. */
    private readonly availableRunners: ReadonlySet<string>,
  ) {}

  /**
   * Validates a request and builds the execution to insert, without writing anything, so the
   * rules engine can commit many executions with their enforcements in one transaction.
   */
  async prepare(input: ExecutionRequest): Promise<NewExecution> {
    checkRequest(input);
    const action = await this.store.content.getAction(input.action);
    if (!action) throw new NotFoundError(`action ${input.action} is not registered`);
    if (!action.enabled)
      throw new ValidationError(`action ${action.ref} is disabled`, { field: "action" });
    const runner = await this.store.content.getRunnerType(action.runner_type);
    if (!runner)
      throw new NotFoundError(
        `runner ${action.runner_type} of action ${action.ref} is not registered`,
      );
    return this.prepareWith(input, action, runner);
  }

  /**
   * `prepare` for a caller that has just read the request's action and its runner itself (the
   * rules engine), sparing the second read: the same checks and the same execution.
   */
  prepareFor(input: ExecutionRequest, action: ActionDef, runner: RunnerType): NewExecution {
    checkRequest(input);
    if (!action.enabled)
      throw new ValidationError(`action ${action.ref} is disabled`, { field: "action" });
    return this.prepareWith(input, action, runner);
  }

  private prepareWith(
    input: ExecutionRequest,
    action: ActionDef,
    runner: RunnerType,
  ): NewExecution {
    if (!runner.enabled)
      throw new ValidationError(
        `action ${action.ref} cannot run: its runner ${runner.name} is disabled`,
        { field: "action" },
      );
    if (!this.availableRunners.has(runner.name))
      throw new ValidationError(
        `action ${action.ref} uses the ${runner.name} runner, which this version of Squall cannot run yet`,
        { field: "action" },
      );
    const parameters = this.validate(action, runner, input.parameters ?? {});

    const id = newId();
    const context: ExecutionContext = {
      user: "stanley",
      pack: action.pack,
      ...(input.context ?? {}),
    };
    context.trace_context ??= { trace_tag: `execution-${id}` };
    return {
      id,
      action: { ref: action.ref, runner_type: action.runner_type },
      parameters,
      context,
      parent: input.parent ?? null,
      delay: input.delay ?? null,
    };
  }

  async request(input: ExecutionRequest): Promise<Execution> {
    const prepared = await this.prepare(input);
    const traceTag = prepared.context.trace_context?.trace_tag ?? `execution-${prepared.id}`;
    const { executions } = await this.store.reactor.commit([
      ...this.creationOps(prepared),
      {
        op: "trace.link",
        trace_tag: traceTag,
        trace_id: newId(),
        kind: "action_execution",
        component: {
          object_id: prepared.id,
          ref: prepared.action.ref,
          updated_at: new Date().toISOString(),
          caused_by: input.parent ? { type: "action_execution", id: input.parent } : {},
        },
      },
    ]);
    const execution = executions[executions.length - 1];
    if (!execution) throw new Error("creating the execution returned nothing");
    this.log.info(
      { executionId: execution.id, action: execution.action.ref },
      "execution requested",
    );
    this.published([execution]);
    return execution;
  }

  /**
   * The writes that create an execution. Without a delay it is scheduled in the same
   * transaction (nothing for the scheduler to decide, so one hand-off fewer on the hot path);
   * with a delay it goes to the scheduler, which holds it `delayed` until due.
   */
  creationOps(execution: NewExecution): WriteOp[] {
    if (execution.delay)
      return [
        { op: "execution.create", execution },
        { op: "job.enqueue", items: [scheduleWork(execution.id)] },
      ];
    // Inserted already `scheduled` (its log still shows `requested` first): one row write.
    const run = this.runLease
      ? withField(runWork(execution.id), "lease", this.runLease)
      : runWork(execution.id);
    return [
      { op: "execution.create", execution: withField(execution, "status", "scheduled" as const) },
      { op: "job.enqueue", items: [run] },
    ];
  }

  private runLease: { owner: string; ms: number } | undefined;

  /**
   * Run jobs are inserted already leased to this node's action worker (which takes them without
   * a claim) while it runs; `undefined` when it stops.
   */
  leaseRunsTo(lease: { owner: string; ms: number } | undefined): void {
    this.runLease = lease;
  }

  private workflowHooks: WorkflowHooks | undefined;

  /** Lets the workflow engine take part in its children's changes and its workflows' cancels. */
  useWorkflowHooks(hooks: WorkflowHooks): void {
    this.workflowHooks = hooks;
  }

  /** Tells local listeners about executions a commit created or changed. */
  published(executions: Execution[]): void {
    for (const e of executions) this.bus.emit("execution.update", e);
  }

  /**
   * Every status change goes through here. Completion also enqueues the notifier's job in the
   * same transaction, so action triggers and notifications survive a crash.
   */
  async transition(
    id: string,
    to: ExecutionStatus,
    options?: TransitionRequest,
  ): Promise<Execution> {
    const step: TransitionStep = { to };
    if (options?.patch) step.patch = options.patch;
    if (options?.expectFrom) step.expectFrom = options.expectFrom;
    const [execution] = await this.transitions(id, [step], options);
    if (!execution) throw new Error(`transition of ${id} returned nothing`);
    return execution;
  }

  /**
   * Several moves of one execution in one commit, e.g. `running` and `succeeded` for an
   * in-process runner whose whole run happens between the two. The last step decides
   * completion (notifications or the notifier's job).
   */
  async transitions(
    id: string,
    steps: TransitionStep[],
    options?: TransitionRequest,
  ): Promise<Execution[]> {
    const ops: WriteOp[] = steps.map((step) => ({
      op: "execution.transition" as const,
      id,
      to: step.to,
      options: pickStep(step),
    }));
    const last = steps[steps.length - 1];
    const completing = last !== undefined && isCompleted(last.to);
    const notifyLater = completing && !options?.notifications;
    const enqueue = options?.enqueue ? [...options.enqueue] : [];
    if (notifyLater) enqueue.push(notifyWork(id));
    if (enqueue.length > 0) ops.push({ op: "job.enqueue", items: enqueue });
    if (options?.notifications) for (const op of options.notifications) ops.push(op);
    if (options?.completeJob) ops.push({ op: "job.complete", job: options.completeJob });
    const viaWorkflow =
      options?.execution && last
        ? this.workflowHooks?.commitChildChange(
            options.execution,
            last.to,
            last.patch?.result ?? null,
            ops,
          )
        : null;
    const { executions } = await (viaWorkflow ?? this.store.reactor.commit(ops));
    for (const execution of executions) {
      this.log.debug({ executionId: id, status: execution.status }, "execution transition");
      this.bus.emit("execution.update", execution);
    }
    return executions;
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
    if (execution.status === "canceled") return execution;
    if (!CANCELABLE_STATUSES.has(execution.status) && execution.status !== "pending")
      throw new NotCancelableError(execution);
    const notStarted = ["requested", "scheduled", "delayed"].includes(execution.status);
    const workflow = notStarted ? null : this.workflowHooks?.cancelWorkflow(execution);
    if (workflow) return workflow;
    // A pending inquiry has no runner left to stop, so nothing would finish a `canceling`.
    if (execution.status === "pending")
      return this.transition(id, "canceled", { expectFrom: ["pending"], execution });
    return this.transition(id, notStarted ? "canceled" : "canceling", {
      execution,
      expectFrom: [execution.status],
      ...(notStarted ? { patch: { result: null } } : {}),
    });
  }
}
