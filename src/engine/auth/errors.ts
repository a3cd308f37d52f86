/**
 * Authentication and authorization failures. They carry their HTTP status (`statusCode`) so the
 * API's error handler answers 401/403 without knowing these classes, and their messages follow
 * StackStorm's wording so st2 clients show the familiar reason.
 */

import { SquallError } from "../../core/errors.ts";

/** No credentials, or credentials that do not identify anyone (unknown, expired, disabled). */
export class AuthenticationError extends SquallError {
  override readonly code: string = "unauthenticated";
  readonly statusCode = 401;
}

/** The caller is known but lacks the permission the request needs. */
export class AccessDeniedError extends SquallError {
  override readonly code: string = "access_denied";
  readonly statusCode = 403;
  constructor(
    message: string,
    readonly user: string,
    readonly permission?: string,
  ) {
    super(message);
  }
}
