/**
 * Why an inquiry cannot be read or answered. The classes carry StackStorm's HTTP answers: an
 * inquiry that is not (or no longer) waiting and a response that fails its schema are 400s,
 * a person the inquiry does not admit is a 403.
 */

import { SquallError, ValidationError } from "../../core/errors.ts";

/** The execution exists but was not started by the inquirer runner. */
export class NotAnInquiryError extends ValidationError {
  override readonly code: string = "not_an_inquiry";
  constructor(readonly inquiryId: string) {
    super(`Action execution "${inquiryId}" is not an inquiry.`);
  }
}

/** The inquiry's TTL passed before anyone answered. */
export class InquiryTimedOutError extends ValidationError {
  override readonly code: string = "inquiry_timed_out";
  constructor(readonly inquiryId: string) {
    super(`Inquiry "${inquiryId}" timed out and cannot be responded to.`);
  }
}

/** The inquiry is no longer pending: answered, canceled, or failed. */
export class InquiryAlreadyRespondedError extends ValidationError {
  override readonly code: string = "inquiry_already_responded";
  constructor(
    readonly inquiryId: string,
    readonly status: string,
  ) {
    super(`Inquiry "${inquiryId}" has already been responded to (it is ${status}).`);
  }
}

/** The response does not satisfy the inquiry's schema; `location.field` names the field. */
export class InvalidInquiryResponseError extends ValidationError {
  override readonly code: string = "invalid_inquiry_response";
  constructor(
    readonly inquiryId: string,
    detail: string,
    field: string,
  ) {
    super(`Response for inquiry "${inquiryId}" did not pass schema validation: ${detail}`, {
      field,
    });
  }
}

/** The person is not among the inquiry's `users`, or holds none of its `roles`. */
export class InquiryForbiddenError extends SquallError {
  override readonly code: string = "inquiry_forbidden";
  /** Read by the API's error handler, which has no class of its own for permission errors yet. */
  readonly statusCode = 403;
  constructor(
    readonly inquiryId: string,
    readonly user: string,
    reason: string,
  ) {
    super(
      `User "${user}" does not have permission to respond to inquiry "${inquiryId}": ${reason}.`,
    );
  }
}
