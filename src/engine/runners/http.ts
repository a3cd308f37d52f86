/**
 * `http-request`: StackStorm's http runner (`contrib/runners/http_runner/http_runner.py`).
 *
 * Request: `url`; `method` (default POST when there is a body or file, else GET); `params` as query
 * string (Python `str()` of each value, lists repeat the key); runner `headers` plus `User-Agent`
 * and `X-Stanley-Action` (always set by the runner); `cookies` (unless a Cookie header is given);
 * basic auth from `username`/`password`; `body`, which is re-encoded as compact JSON when the
 * Content-Type header is exactly `application/json` (a string body is read as JSON, else as a
 * Python literal; a missing body then becomes `null`, as in StackStorm); an object body without
 * that header is form-encoded. `file_name` + `file_content` (+ `file_content_type`) upload one
 * multipart file. `timeout` (seconds, default 60) bounds connecting and each wait for data.
 * `allow_redirects` (default false) follows up to 30 redirects the way Python requests does.
 * `verify_ssl_cert: false` skips TLS verification. `url_hosts_blacklist`/`whitelist` are checked
 * on the host without port.
 *
 * Result: `{status_code, body, parsed, headers}`; body is JSON-decoded (parsed=true) when the
 * Content-Type before `;` is `application/json`. 200–206 → succeeded, other codes → failed.
 * Timeout → `timeout` with `{error}`; cancel → `canceled` with `{error}`. A request that cannot
 * be made (refused, bad TLS, blacklisted) throws, which the worker records as failed.
 *
 * Not supported yet (clear error instead of ignoring them): `http_proxy`/`https_proxy`, and the
 * `auth` action parameter (StackStorm itself fails on a non-empty string there).
 */

import { ValidationError } from "../../core/errors.ts";
import { pyStr } from "../../core/expr/pyvalue.ts";
import { pyLiteralEval } from "../../core/params/pyliteral.ts";
import type { Runner, RunnerOutcome, RunRequest } from "./contract.ts";
import { exchange, HttpCanceledError, HttpRequestError, HttpTimeoutError } from "./http-client.ts";

export const HTTP_REQUEST = "http-request";
const SUCCESS_MIN = 200;
const SUCCESS_MAX = 206;
const MAX_REDIRECTS = 30;
const DEFAULT_TIMEOUT_SECONDS = 60;

export interface HttpRunnerOptions {
  /** Sent as User-Agent. StackStorm sends `st2/v<version>`. */
  userAgent?: string;
  maxResponseBytes?: number;
}

export function createHttpRunner(options: HttpRunnerOptions = {}): Runner {
  return {
    name: HTTP_REQUEST,
    run: (request) => runHttp(request, options),
  };
}

interface Prepared {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer | null;
  timeoutMs: number;
  verifyTls: boolean;
  allowRedirects: boolean;
}

async function runHttp(request: RunRequest, options: HttpRunnerOptions): Promise<RunnerOutcome> {
  const prepared = prepare(request, options);
  try {
    const response = await send(prepared, request.signal, options.maxResponseBytes);
    const contentType = headerValue(response.headers, "content-type");
    const text = decodeBody(response.body, contentType);
    let body: unknown = text;
    let parsed = false;
    if (contentType !== undefined && contentType.split(";")[0] === "application/json") {
      try {
        body = JSON.parse(text);
        parsed = true;
      } catch {
        // StackStorm keeps the text when the declared JSON does not parse.
      }
    }
    const ok = response.status >= SUCCESS_MIN && response.status <= SUCCESS_MAX;
    return {
      status: ok ? "succeeded" : "failed",
      result: { status_code: response.status, body, parsed, headers: response.headers },
    };
  } catch (error) {
    if (error instanceof HttpTimeoutError) {
      return { status: "timeout", result: { error: error.message } };
    }
    if (error instanceof HttpCanceledError) {
      return { status: "canceled", result: { error: "Action was canceled" } };
    }
    throw error;
  }
}

async function send(p: Prepared, signal: AbortSignal, maxResponseBytes: number | undefined) {
  let { url, method, body } = p;
  const headers = { ...p.headers };
  for (let hop = 0; ; hop++) {
    const response = await exchange({
      url,
      method,
      headers,
      body,
      timeoutMs: p.timeoutMs,
      verifyTls: p.verifyTls,
      signal,
      maxResponseBytes,
    });
    const location = headerValue(response.headers, "location");
    if (!p.allowRedirects || !isRedirect(response.status) || location === undefined) {
      return response;
    }
    if (hop >= MAX_REDIRECTS) throw new HttpRequestError(`Exceeded ${MAX_REDIRECTS} redirects.`);
    const next = new URL(location, url);
    // Python requests' rebuild_method: 303 → GET (except HEAD); 302, and 301 after POST, → GET.
    const status = response.status;
    if (
      (status === 303 && method !== "HEAD") ||
      (status === 302 && method !== "HEAD") ||
      (status === 301 && method === "POST")
    ) {
      method = "GET";
    }
    if (status !== 307 && status !== 308) {
      body = null;
      deleteHeader(headers, "content-length");
      deleteHeader(headers, "content-type");
      deleteHeader(headers, "transfer-encoding");
    }
    // Credentials go only to the host they were meant for (http → https upgrade allowed).
    if (next.hostname !== url.hostname) deleteHeader(headers, "authorization");
    url = next;
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function prepare(request: RunRequest, options: HttpRunnerOptions): Prepared {
  const p = request.parameters;
  const field = (name: string) => ({ field: `parameters.${name}` });
  if (typeof p.url !== "string" || p.url === "") {
    throw new ValidationError('parameter "url" is required', field("url"));
  }
  let url: URL;
  try {
    url = new URL(p.url);
  } catch {
    throw new ValidationError(`url ${p.url} is not a valid URL`, field("url"));
  }
  for (const name of ["http_proxy", "https_proxy"]) {
    if (p[name]) throw new ValidationError(`${name} is not supported yet`, field(name));
  }
  if (p.auth !== undefined && p.auth !== null && p.auth !== "" && !isEmptyObject(p.auth)) {
    throw new ValidationError(
      'the "auth" parameter is not supported; use username/password or headers',
      field("auth"),
    );
  }
  checkHostLists(url, p.url_hosts_blacklist, p.url_hosts_whitelist);

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(objectParam(p.headers, "headers"))) {
    if (v !== null && v !== undefined) headers[k] = pyStr(v);
  }
  deleteHeader(headers, "user-agent");
  deleteHeader(headers, "x-stanley-action");
  headers["User-Agent"] = options.userAgent ?? "st2/v3.9.0 (squall)";
  headers["X-Stanley-Action"] = request.action.name;

  appendQuery(url, objectParam(p.params, "params"));

  const cookies = objectParam(p.cookies, "cookies");
  if (Object.keys(cookies).length > 0 && headerValue(headers, "cookie") === undefined) {
    headers.Cookie = Object.entries(cookies)
      .map(([k, v]) => `${k}=${pyStr(v)}`)
      .join("; ");
  }
  const username = p.username;
  const password = p.password;
  if (username || password) {
    const user = typeof username === "string" ? username : "";
    const pass = typeof password === "string" ? password : "";
    headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
  }

  const hasFile = Boolean(p.file_name) && Boolean(p.file_content);
  const rawBody = p.body;
  const method =
    typeof p.method === "string" && p.method !== ""
      ? p.method.toUpperCase()
      : hasFile || isTruthyBody(rawBody)
        ? "POST"
        : "GET";
  const body = hasFile ? multipartBody(p, headers, rawBody) : encodeBody(rawBody, headers);
  deleteHeader(headers, "content-length");
  if (body !== null) headers["Content-Length"] = String(body.length);

  const timeout = p.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  if (typeof timeout !== "number" || !(timeout > 0)) {
    throw new ValidationError("timeout must be a number of seconds > 0", field("timeout"));
  }
  return {
    url,
    method,
    headers,
    body,
    timeoutMs: timeout * 1000,
    verifyTls: p.verify_ssl_cert !== false,
    allowRedirects: p.allow_redirects === true,
  };
}

function encodeBody(raw: unknown, headers: Record<string, string>): Buffer | null {
  if (headerValue(headers, "content-type") === "application/json") {
    let value = raw;
    if (typeof raw === "string") {
      try {
        value = JSON.parse(raw);
      } catch {
        try {
          value = pyLiteralEval(raw, { jsonKeys: true });
        } catch (error) {
          throw new ValidationError(
            `body is neither JSON nor a Python literal: ${(error as Error).message}`,
            { field: "parameters.body" },
          );
        }
      }
    }
    return Buffer.from(JSON.stringify(value ?? null));
  }
  if (raw === null || raw === undefined || raw === "") return null;
  if (typeof raw === "string") return Buffer.from(raw);
  if (typeof raw === "object" && !Array.isArray(raw)) {
    if (headerValue(headers, "content-type") === undefined) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    return Buffer.from(formEncode(raw as Record<string, unknown>));
  }
  return Buffer.from(pyStr(raw));
}

function multipartBody(
  p: Record<string, unknown>,
  headers: Record<string, string>,
  raw: unknown,
): Buffer {
  if (typeof raw === "string" && raw !== "") {
    throw new ValidationError("body and file_content cannot be sent together", {
      field: "parameters.body",
    });
  }
  const name = pyStr(p.file_name).replace(/["\r\n]/g, "_");
  const boundary = `squall${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
  const type = typeof p.file_content_type === "string" ? p.file_content_type : null;
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}"\r\n` +
    (type ? `Content-Type: ${type}\r\n` : "") +
    "\r\n";
  deleteHeader(headers, "content-type");
  headers["Content-Type"] = `multipart/form-data; boundary=${boundary}`;
  return Buffer.concat([
    Buffer.from(head),
    Buffer.from(pyStr(p.file_content)),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

/** Python's urlencode(doseq=True) with quote_plus. */
function formEncode(values: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (v === null || v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) {
      parts.push(`${quotePlus(k)}=${quotePlus(pyStr(item))}`);
    }
  }
  return parts.join("&");
}

function appendQuery(url: URL, params: Record<string, unknown>): void {
  const encoded = formEncode(params);
  if (encoded === "") return;
  url.search =
    url.search === "" || url.search === "?" ? encoded : `${url.search.slice(1)}&${encoded}`;
}

function quotePlus(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll("%20", "+");
}

function checkHostLists(url: URL, blacklist: unknown, whitelist: unknown): void {
  const black = stringList(blacklist, "url_hosts_blacklist");
  const white = stringList(whitelist, "url_hosts_whitelist");
  if (black.length > 0 && white.length > 0) {
    throw new ValidationError(
      '"url_hosts_blacklist" and "url_hosts_whitelist" parameters are mutually exclusive. Only one should be provided.',
      { field: "parameters.url_hosts_whitelist" },
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (black.includes(host)) {
    throw new ValidationError(`URL "${url.href}" is blacklisted`, { field: "parameters.url" });
  }
  if (white.length > 0 && !white.includes(host)) {
    throw new ValidationError(`URL "${url.href}" is not whitelisted`, { field: "parameters.url" });
  }
}

function stringList(value: unknown, name: string): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new ValidationError(`${name} must be a list of host names`, {
      field: `parameters.${name}`,
    });
  }
  return value as string[];
}

function objectParam(value: unknown, name: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ValidationError(`${name} must be an object`, { field: `parameters.${name}` });
  }
  return value as Record<string, unknown>;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}

function isTruthyBody(value: unknown): boolean {
  if (value === null || value === undefined || value === "" || value === false || value === 0) {
    return false;
  }
  return !(isEmptyObject(value) || (Array.isArray(value) && value.length === 0));
}

function headerValue(headers: Record<string, string>, lowerName: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lowerName) return v;
  return undefined;
}

function deleteHeader(headers: Record<string, string>, lowerName: string): void {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === lowerName) delete headers[k];
}

/** Python requests' `resp.text`: the declared charset, else ISO-8859-1 for text/*, else UTF-8. */
function decodeBody(body: Buffer, contentType: string | undefined): string {
  const charset = /charset=["']?([^;"'\s]+)/i.exec(contentType ?? "")?.[1]?.toLowerCase();
  const fallback = contentType?.trim().toLowerCase().startsWith("text/") ? "iso-8859-1" : "utf-8";
  const label = charset ?? fallback;
  if (label === "iso-8859-1" || label === "latin1" || label === "latin-1") {
    return body.toString("latin1");
  }
  try {
    return new TextDecoder(label).decode(body);
  } catch {
    return new TextDecoder("utf-8").decode(body);
  }
}
