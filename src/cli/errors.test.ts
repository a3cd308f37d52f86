import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../core/errors.ts";
import {
  ApiError,
  CancelRefusedError,
  describeError,
  ResourceNotFoundError,
  ServerUnreachableError,
} from "./errors.ts";

/** Each error a command can end with, and the command its message must point to. */
const CASES: Array<[string, unknown, RegExp]> = [
  [
    "connection refused",
    new ServerUnreachableError("http://127.0.0.1:9101", "ECONNREFUSED"),
    /Squall is not running at http:\/\/127\.0\.0\.1:9101\. Start it with `squall up`/,
  ],
  [
    "unknown host",
    new ServerUnreachableError("http://nowhere:1", "ENOTFOUND"),
    /Cannot reach Squall at http:\/\/nowhere:1 \(ENOTFOUND\)\. .*--url/,
  ],
  [
    "401",
    new ApiError(401, "Token has expired.", "GET /api/v1/actions"),
    /Token has expired\. \(HTTP 401\)\. Log in with `squall login <user>`/,
  ],
  [
    "403",
    new ApiError(403, "User lacks action_execute.", "POST /api/v1/executions"),
    /\(HTTP 403\)\. Check your roles with `squall whoami`/,
  ],
  [
    "unknown action",
    new ResourceNotFoundError("action", "core.nope"),
    /^Action "core\.nope" not found\. Run `squall action list`/,
  ],
  ["unknown runner", new ResourceNotFoundError("runner type", "x"), /Run `squall runner list`/],
  [
    "unknown alias",
    new ResourceNotFoundError("action alias", "a.b"),
    /Run `squall action-alias list`/,
  ],
  [
    "unknown policy type",
    new ResourceNotFoundError("policy type", "action.x"),
    /Run `squall policy-type list`/,
  ],
  [
    "unknown trigger instance",
    new ResourceNotFoundError("trigger instance", "1"),
    /Run `squall trigger-instance list`/,
  ],
  [
    "endpoint missing on an older server",
    new ApiError(404, "no such endpoint: GET /api/v1/actionalias", "GET /api/v1/actionalias"),
    /does not serve GET \/api\/v1\/actionalias .*older Squall/,
  ],
  [
    "server failure",
    new ApiError(500, "boom", "GET /api/v1/rules"),
    /The server failed: boom \(HTTP 500 on GET \/api\/v1\/rules\)\. Check the server log\./,
  ],
  [
    "cancel of a finished execution",
    new CancelRefusedError("e1", "Execution is already completed."),
    /See `squall execution get e1`/,
  ],
  ["bad input", new ValidationError("-n expects a whole number"), /^-n expects a whole number$/],
];

describe("describeError names the command that fixes it", () => {
  for (const [title, err, expected] of CASES) {
    it(title, () => assert.match(describeError(err), expected));
  }
});
