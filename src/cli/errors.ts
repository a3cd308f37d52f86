/**
 * Errors the HTTP client raises, and the one place that turns any error into the line a person
 * reads. Every message ends with what to do next, because a CLI error is read by someone who
 * wants to get unstuck, not by a debugger.
 */

import { NotFoundError, SquallError, ValidationError } from "../core/errors.ts";

/** The server answered with a 4xx/5xx; `faultstring` is its StackStorm-shaped explanation. */
export class ApiError extends SquallError {
  override readonly code: string = "api_error";
  constructor(
    readonly status: number,
    readonly faultstring: string,
    /** `METHOD /path`, for the message. */
    readonly request: string,
  ) {
    super(`${request} failed with HTTP ${status}: ${faultstring}`);
  }
}

/** A resource's name as users read it, e.g. "action" or "trigger instance". */
export type ResourceKind = string;

/** Where the list command is not simply `squall <kind> list`. */
const LIST_COMMAND: Record<string, string> = {
  "runner type": "squall runner list",
  runner: "squall runner list",
  "action alias": "squall action-alias list",
  "policy type": "squall policy-type list",
  "trigger type": "squall trigger list",
  key: "squall key list",
};

/** A 404 on a specific resource, carrying enough to suggest the matching list command. */
export class ResourceNotFoundError extends NotFoundError {
  constructor(
    readonly kind: ResourceKind,
    readonly id: string,
  ) {
    super(`${capitalize(kind)} "${id}" not found.`);
  }

  get listCommand(): string {
    return LIST_COMMAND[this.kind] ?? `squall ${this.kind.replaceAll(" ", "-")} list`;
  }
}

/** Nothing answered at the configured URL. */
export class ServerUnreachableError extends SquallError {
  override readonly code: string = "server_unreachable";
  constructor(
    readonly url: string,
    /** The socket error code (ECONNREFUSED, ENOTFOUND, …) or `timeout`. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach ${url} (${reason})`, options);
  }

  /** Refused means the host is there but nothing listens: almost always "not started yet". */
  get refused(): boolean {
    return this.reason === "ECONNREFUSED";
  }
}

/** The server declined to cancel (the execution already finished). */
export class CancelRefusedError extends SquallError {
  override readonly code: string = "cancel_refused";
  constructor(
    readonly executionId: string,
    readonly faultstring: string,
  ) {
    super(
      `Execution ${executionId} was not canceled: ${faultstring} See \`squall execution get ${executionId}\`.`,
    );
  }
}

/** The server sent something the CLI cannot read (not JSON, wrong shape). */
export class ProtocolError extends SquallError {
  override readonly code: string = "protocol_error";
}

/** The message printed for an error that ends a command (without the leading "ERROR: "). */
export function describeError(err: unknown): string {
  if (err instanceof ServerUnreachableError) {
    if (err.refused) {
      return `Squall is not running at ${err.url}. Start it with \`squall up\` (or set SQUALL_API_URL).`;
    }
    return `Cannot reach Squall at ${err.url} (${err.reason}). Check the address, or set SQUALL_API_URL / --url.`;
  }
  if (err instanceof ResourceNotFoundError) {
    return `${err.message} Run \`${err.listCommand}\` to see what exists.`;
  }
  if (err instanceof ApiError) {
    if (err.status === 401) {
      return `${err.faultstring} (HTTP 401). Log in with \`squall login <user>\`, or set SQUALL_AUTH_TOKEN or SQUALL_API_KEY.`;
    }
    if (err.status === 403) {
      return `${err.faultstring} (HTTP 403). Check your roles with \`squall whoami\`; an administrator can grant more (\`squall role list\`).`;
    }
    if (err.status === 404 && err.faultstring.startsWith("no such endpoint")) {
      return `The server at this address does not serve ${err.request} (HTTP 404). Is it an older Squall? Check the address with \`squall --url <url> ...\` or upgrade the server.`;
    }
    if (err.status >= 500) {
      return `The server failed: ${err.faultstring} (HTTP ${err.status} on ${err.request}). Check the server log.`;
    }
    return `${err.faultstring} (HTTP ${err.status})`;
  }
  if (err instanceof ValidationError || err instanceof SquallError) return err.message;
  if (err instanceof Error) return `unexpected error: ${err.stack ?? err.message}`;
  return `unexpected error: ${String(err)}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
