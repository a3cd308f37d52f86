/**
 * One HTTP exchange over node:http/https, with what the http-request runner needs and fetch
 * makes awkward: per-request TLS verification, an idle timeout like Python requests' `timeout`
 * (connect and between reads, not a total deadline), raw response header names, and a body cap.
 */

import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { SquallError } from "../../core/errors.ts";

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export class HttpTimeoutError extends SquallError {
  override readonly code: string = "http_timeout";
}

export class HttpCanceledError extends SquallError {
  override readonly code: string = "http_canceled";
}

/** The request could not be made or its response could not be read. */
export class HttpRequestError extends SquallError {
  override readonly code: string = "http_request_error";
}

export interface HttpExchange {
  url: URL;
  method: string;
  /** Header name → value, sent as given. */
  headers: Record<string, string>;
  body: Buffer | null;
  timeoutMs: number;
  verifyTls: boolean;
  signal: AbortSignal;
  maxResponseBytes?: number;
}

export interface HttpResponse {
  status: number;
  /** Names as the server sent them; repeated headers joined with ", " (as Python requests). */
  headers: Record<string, string>;
  body: Buffer;
}

export function exchange(ex: HttpExchange): Promise<HttpResponse> {
  const max = ex.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return new Promise((resolve, reject) => {
    if (ex.signal.aborted) {
      reject(new HttpCanceledError("request canceled"));
      return;
    }
    const isHttps = ex.url.protocol === "https:";
    if (!isHttps && ex.url.protocol !== "http:") {
      reject(new HttpRequestError(`unsupported URL scheme ${ex.url.protocol} in ${ex.url.href}`));
      return;
    }
    const make = isHttps ? httpsRequest : httpRequest;
    const req = make(ex.url, {
      method: ex.method,
      headers: ex.headers,
      rejectUnauthorized: ex.verifyTls,
      // A fresh connection per action: TLS settings differ per action and no pool outlives it.
      agent: false,
    });
    let settled = false;
    const finish = (error: Error | null, response?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      ex.signal.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve(response as HttpResponse);
    };
    const onAbort = (): void => {
      req.destroy();
      finish(new HttpCanceledError("request canceled"));
    };
    ex.signal.addEventListener("abort", onAbort, { once: true });

    req.setTimeout(ex.timeoutMs, () => {
      const host = ex.url.hostname;
      const port = ex.url.port || (isHttps ? "443" : "80");
      const seconds = ex.timeoutMs / 1000;
      req.destroy();
      finish(
        new HttpTimeoutError(
          `HTTPConnectionPool(host='${host}', port=${port}): Read timed out. (read timeout=${seconds})`,
        ),
      );
    });
    req.on("error", (error) => {
      finish(
        new HttpRequestError(`request to ${ex.url.href} failed: ${error.message}`, {
          cause: error,
        }),
      );
    });
    req.on("response", (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) {
          req.destroy();
          finish(new HttpRequestError(`response from ${ex.url.href} is larger than ${max} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (error) => {
        finish(
          new HttpRequestError(`reading ${ex.url.href} failed: ${error.message}`, { cause: error }),
        );
      });
      res.on("end", () => {
        finish(null, {
          status: res.statusCode ?? 0,
          headers: rawHeaders(res.rawHeaders),
          body: Buffer.concat(chunks),
        });
      });
    });
    req.end(ex.body ?? undefined);
  });
}

function rawHeaders(raw: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const nameByLower = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const known = nameByLower.get(name.toLowerCase());
    if (known === undefined) {
      nameByLower.set(name.toLowerCase(), name);
      out[name] = value;
    } else {
      out[known] = `${out[known]}, ${value}`;
    }
  }
  return out;
}
