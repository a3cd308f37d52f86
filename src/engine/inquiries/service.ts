/**
 * Inquiries: listing the waiting ones, reading one, and answering it. An answer goes through
 * the same checks and in the same order as StackStorm's API (still pending → allowed to answer
 * → matches the schema) and completes the execution through the execution service, so the
 * notifier, traces and a parent workflow see an ordinary `succeeded` with the response in its
 * result.
 */

import { ConflictError, IllegalTransitionError, NotFoundError } from "../../core/errors.ts";
import type { Execution } from "../../core/execution/model.ts";
import type { Logger } from "../logger.ts";
import type { ExecutionService } from "../services/executions.ts";
import type { Page, PageResult } from "../store/contract.ts";
import {
  InquiryAlreadyRespondedError,
  InquiryForbiddenError,
  InquiryTimedOutError,
  InvalidInquiryResponseError,
  NotAnInquiryError,
} from "./errors.ts";
import { INQUIRER_RUNNER, type Inquiry, isInquiryExecution, toInquiry } from "./model.ts";
import { checkResponse, describeIssues } from "./validate.ts";

export interface InquiryServiceDeps {
  executions: Pick<ExecutionService, "get" | "list" | "transition">;
  /**
   * The roles a user holds. Leave it out while RBAC is disabled: StackStorm then treats every
   * user as holding every role, so an inquiry's `roles` restrict nobody.
   */
  rolesOf?: (user: string) => Promise<string[]>;
  log?: Logger;
}

export interface InquiryAnswer {
  id: string;
  response: unknown;
}

export class InquiryService {
  constructor(private readonly deps: InquiryServiceDeps) {}

  /** Pending inquirer executions, newest first (StackStorm's default order). */
  async list(page: Page): Promise<PageResult<Inquiry>> {
    const found = await this.deps.executions.list(
      { status: "pending", runner_type: INQUIRER_RUNNER },
      page,
    );
    return { total: found.total, items: found.items.map(toInquiry) };
  }

  /** One inquiry; like StackStorm, one that is no longer waiting is refused (400), not shown. */
  async get(id: string): Promise<Inquiry> {
    return toInquiry(await this.pending(id));
  }

  async respond(id: string, response: unknown, user: string): Promise<InquiryAnswer> {
    const execution = await this.pending(id);
    const inquiry = toInquiry(execution);
    await this.checkPermission(inquiry, user);
    const issues = checkResponse(inquiry.schema, response);
    if (issues.length > 0) {
      const field = issues[0]?.path.join(".") || "response";
      throw new InvalidInquiryResponseError(id, describeIssues(issues), field);
    }
    const base =
      typeof execution.result === "object" && execution.result !== null ? execution.result : {};
    try {
      await this.deps.executions.transition(id, "succeeded", {
        expectFrom: ["pending"],
        patch: { result: { ...base, response } },
      });
    } catch (err) {
      // Answered, canceled or timed out between the check above and this write.
      if (err instanceof ConflictError || err instanceof IllegalTransitionError)
        throw this.notPending(await this.deps.executions.get(id));
      throw err;
    }
    this.deps.log?.info({ executionId: id, user }, "inquiry answered");
    return { id, response };
  }

  private async pending(id: string): Promise<Execution> {
    let execution: Execution;
    try {
      execution = await this.deps.executions.get(id);
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(`Inquiry "${id}" not found.`);
      throw err;
    }
    if (!isInquiryExecution(execution)) throw new NotAnInquiryError(id);
    if (execution.status !== "pending") throw this.notPending(execution);
    return execution;
  }

  private notPending(execution: Execution): Error {
    if (execution.status === "timeout") return new InquiryTimedOutError(execution.id);
    return new InquiryAlreadyRespondedError(execution.id, execution.status);
  }

  /** Both lists must admit the user; an empty list admits everyone (StackStorm's rule). */
  private async checkPermission(inquiry: Inquiry, user: string): Promise<void> {
    if (inquiry.users.length > 0 && !inquiry.users.includes(user))
      throw new InquiryForbiddenError(
        inquiry.id,
        user,
        `only ${inquiry.users.map((u) => `"${u}"`).join(", ")} may respond`,
      );
    if (inquiry.roles.length === 0 || !this.deps.rolesOf) return;
    const held = await this.deps.rolesOf(user);
    if (!inquiry.roles.some((role) => held.includes(role)))
      throw new InquiryForbiddenError(
        inquiry.id,
        user,
        `a responder needs one of the roles ${inquiry.roles.map((r) => `"${r}"`).join(", ")}`,
      );
  }
}
