/**
 * The HTTP client for the Squall API (StackStorm v1 paths). The CLI's only way to touch state:
 * every command goes through here, so connection failures, auth headers and error bodies are
 * handled once.
 */

import type { ActionDef, ContentError, PackMeta, RunnerType } from "../core/content/model.ts";
import type { Execution, OutputChunk } from "../core/execution/model.ts";
import type { ClientConfig } from "./config.ts";
import {
  ApiError,
  CancelRefusedError,
  ProtocolError,
  type ResourceKind,
  ResourceNotFoundError,
  ServerUnreachableError,
} from "./errors.ts";
import { readEventStream, type SseEvent } from "./sse.ts";

/** Long enough for `pack register` of many packs; streams have no timeout. */
const REQUEST_TIMEOUT_MS = 120_000;
/** The server caps pages at this size (StackStorm's max_page_size default). */
const PAGE_SIZE = 100;

export interface Page<T> {
  items: T[];
  /** From `X-Total-Count`; undefined when the server did not send it. */
  total: number | undefined;
}

export interface ExecutionRequest {
  action: string;
  parameters?: Record<string, unknown>;
  context?: { trace_context?: { trace_tag: string } };
  delay?: number;
}

export interface ExecutionFilter {
  action?: string;
  status?: string;
  parent?: string;
  limit?: number;
  offset?: number;
}

export interface PackRegistration {
  packs: Array<{
    pack: string;
    path: string;
    /** False when the pack's pack.yaml was broken and nothing of it was registered. */
    registered: boolean;
    counts: Record<string, number>;
    /** Resources removed because their files disappeared. */
    pruned: number;
    errors: ContentError[];
  }>;
  errors: ContentError[];
}

type Query = Record<string, string | number | undefined>;

/** An open event stream; `close` ends it (the server never does). */
export interface EventStream extends AsyncIterable<SseEvent> {
  close(): Promise<void>;
}

export class SquallClient {
  constructor(private readonly config: ClientConfig) {}

  get url(): string {
    return this.config.url;
  }

  async listActions(pack?: string): Promise<ActionDef[]> {
    return this.listAll<ActionDef>("/api/v1/actions", { pack });
  }

  async getAction(ref: string): Promise<ActionDef> {
    return this.getOne<ActionDef>("action", ref, `/api/v1/actions/${seg(ref)}`);
  }

  async listPacks(): Promise<PackMeta[]> {
    return this.listAll<PackMeta>("/api/v1/packs", {});
  }

  async getPack(ref: string): Promise<PackMeta> {
    return this.getOne<PackMeta>("pack", ref, `/api/v1/packs/${seg(ref)}`);
  }

  async registerPacks(packs: string[]): Promise<PackRegistration> {
    const body = packs.length > 0 ? { packs } : {};
    return (await this.request("POST", "/api/v1/packs/register", {}, body))
      .json as PackRegistration;
  }

  async listRunnerTypes(): Promise<RunnerType[]> {
    return this.listAll<RunnerType>("/api/v1/runnertypes", {});
  }

  async createExecution(request: ExecutionRequest): Promise<Execution> {
    return (await this.request("POST", "/api/v1/executions", {}, request)).json as Execution;
  }

  async listExecutions(filter: ExecutionFilter): Promise<Page<Execution>> {
    const res = await this.request("GET", "/api/v1/executions", { ...filter });
    return { items: asArray<Execution>(res.json, res.request), total: res.total };
  }

  async getExecution(id: string): Promise<Execution> {
    return this.getOne<Execution>("execution", id, `/api/v1/executions/${seg(id)}`);
  }

  async cancelExecution(id: string): Promise<Execution> {
    let json: unknown;
    try {
      json = (await this.request("DELETE", `/api/v1/executions/${seg(id)}`, {})).json;
    } catch (err) {
      throw notFoundAs(err, "execution", id);
    }
    // StackStorm answers a cancel of a finished execution with 200 and a faultstring body.
    if (isRecord(json) && typeof json.faultstring === "string" && !("id" in json)) {
      throw new CancelRefusedError(id, json.faultstring);
    }
    return json as Execution;
  }

  async getOutput(id: string, afterSeq?: number): Promise<OutputChunk[]> {
    try {
      const res = await this.request("GET", `/api/v1/executions/${seg(id)}/output`, {
        after_seq: afterSeq,
      });
      return asArray<OutputChunk>(res.json, res.request);
    } catch (err) {
      throw notFoundAs(err, "execution", id);
    }
  }

  /** Opens the execution's output stream; the generator ends when the server closes it. */
  async *streamOutput(id: string): AsyncGenerator<SseEvent, void, undefined> {
    const path = `/stream/v1/executions/${seg(id)}/output`;
    const res = await this.send("GET", path, {}, undefined, "text/event-stream", false);
    if (!res.ok) throw notFoundAs(await apiError(res, `GET ${path}`), "execution", id);
    if (res.body === null) return;
    yield* readEventStream(res.body);
  }

  /** Every descendant of an execution (a workflow's tasks and theirs), breadth first. */
  async listDescendants(id: string): Promise<Execution[]> {
    try {
      const res = await this.request("GET", `/api/v1/executions/${seg(id)}/children`, {
        depth: -1,
      });
      return asArray<Execution>(res.json, res.request);
    } catch (err) {
      throw notFoundAs(err, "execution", id);
    }
  }

  /** Opens the event stream for these events; resolves once connected. Close it when done. */
  async openEventStream(events: readonly string[]): Promise<EventStream> {
    const path = "/stream/v1/stream";
    const res = await this.send(
      "GET",
      path,
      { events: events.join(",") },
      undefined,
      "text/event-stream",
      false,
    );
    if (!res.ok) throw await apiError(res, `GET ${path}`);
    const body = res.body;
    const stream = body === null ? (async function* () {})() : readEventStream(body);
    return {
      [Symbol.asyncIterator]: () => stream,
      async close() {
        // Ends a read in progress (which cancels the body), else cancels the unread body: an
        // open stream would keep the process alive.
        await stream.return(undefined);
        if (body && !body.locked) await body.cancel().catch(() => undefined);
      },
    };
  }

  /** GET one resource; a 404 becomes a not-found error that names the resource. */
  async getOne<T>(kind: ResourceKind, id: string, path: string): Promise<T> {
    try {
      return (await this.request("GET", path, {})).json as T;
    } catch (err) {
      throw notFoundAs(err, kind, id);
    }
  }

  /** Follows offset pages until the server has nothing more, so lists are never cut short. */
  async listAll<T>(path: string, query: Query): Promise<T[]> {
    const all: T[] = [];
    for (;;) {
      const res = await this.request("GET", path, {
        ...query,
        limit: PAGE_SIZE,
        offset: all.length,
      });
      const page = asArray<T>(res.json, res.request);
      all.push(...page);
      const more = res.total === undefined ? page.length === PAGE_SIZE : all.length < res.total;
      if (!more || page.length === 0) return all;
    }
  }

  /** Any JSON request: the building block for commands that need no dedicated method. */
  async request(
    method: string,
    path: string,
    query: Query,
    body?: unknown,
  ): Promise<{ json: unknown; total: number | undefined; request: string }> {
    const request = `${method} ${path}`;
    const res = await this.send(method, path, query, body, "application/json", true);
    if (!res.ok) throw await apiError(res, request);
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      throw new ProtocolError(`${request} returned a body that is not JSON: ${text.slice(0, 200)}`);
    }
    const totalHeader = res.headers.get("x-total-count");
    const total = totalHeader === null ? undefined : Number(totalHeader);
    return { json, total: Number.isFinite(total) ? total : undefined, request };
  }

  private async send(
    method: string,
    path: string,
    query: Query,
    body: unknown,
    accept: string,
    timeout: boolean,
  ): Promise<Response> {
    const url = new URL(this.config.url + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== "") url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept };
    if (body !== undefined) headers["content-type"] = "application/json";
    const { token, apiKey, session } = this.config;
    if (token !== undefined) headers["x-auth-token"] = token;
    else if (apiKey !== undefined) headers["st2-api-key"] = apiKey;
    else {
      const cached = session?.current();
      if (cached !== undefined) headers["x-auth-token"] = cached;
    }
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const attempt = () =>
      fetch(url, {
        method,
        headers,
        body: payload,
        signal: timeout ? AbortSignal.timeout(REQUEST_TIMEOUT_MS) : undefined,
      });
    try {
      const res = await attempt();
      // Refused without a token of our own (none cached, or it expired or was revoked): log in
      // with the local credentials file and try once more.
      if (res.status === 401 && session) {
        const renewed = await session.renew();
        if (renewed !== undefined) {
          await res.body?.cancel();
          headers["x-auth-token"] = renewed;
          return await attempt();
        }
      }
      return res;
    } catch (err) {
      throw new ServerUnreachableError(this.config.url, networkReason(err), { cause: err });
    }
  }
}

async function apiError(res: Response, request: string): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  let faultstring = text.trim() || res.statusText || "no details";
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed) && typeof parsed.faultstring === "string")
      faultstring = parsed.faultstring;
  } catch {
    // Not JSON (a proxy's HTML page, say): the raw text is the best explanation available.
  }
  return new ApiError(res.status, faultstring, request);
}

function notFoundAs(err: unknown, kind: ResourceKind, id: string): unknown {
  return err instanceof ApiError && err.status === 404 ? new ResourceNotFoundError(kind, id) : err;
}

/**
 * fetch() reports every network failure as a bare TypeError; the socket error code sits in
 * `cause` (or, when several addresses were tried, in `cause.errors`).
 */
function networkReason(err: unknown): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return "timeout";
  }
  const cause = err instanceof Error ? err.cause : undefined;
  const codes: string[] = [];
  if (isRecord(cause)) {
    if (typeof cause.code === "string") codes.push(cause.code);
    if (Array.isArray(cause.errors)) {
      for (const inner of cause.errors) {
        if (isRecord(inner) && typeof inner.code === "string") codes.push(inner.code);
      }
    }
  }
  if (codes.length > 0 && codes.every((c) => c === "ECONNREFUSED")) return "ECONNREFUSED";
  if (codes[0] !== undefined) return codes[0];
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

function asArray<T>(json: unknown, request: string): T[] {
  if (!Array.isArray(json)) throw new ProtocolError(`${request} did not return a list`);
  return json as T[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function seg(value: string): string {
  return encodeURIComponent(value);
}
