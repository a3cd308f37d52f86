/**
 * What crosses between the main thread and the SQLite writer thread: which store methods write
 * (and so run on the writer's connection), the request and reply messages, and errors.
 *
 * Errors are rebuilt as the same classes on the main thread, because callers branch on them
 * (a ConflictError from a compare-and-set, an IllegalTransitionError, a ValidationError naming
 * its field); a worker's Error object would arrive as a plain Error and lose that.
 */

import {
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
  RenderError,
  SquallError,
  ValidationError,
} from "../../../../core/errors.ts";
import type { Job } from "../../contract.ts";

/** The store aggregates whose methods the writer thread serves. */
export type Aggregate = "executions" | "queue" | "content" | "kv" | "reactor" | "workflows";

/**
 * Every method of every aggregate, as a read (answered on the calling thread's own read-only
 * connection) or a write (sent to the writer thread). A method missing here is refused, and a
 * test enumerates the SQLite store's methods against this table, so a new write method cannot
 * slip onto a read connection unnoticed.
 */
export const ROUTES: Readonly<Record<Aggregate, Readonly<Record<string, "read" | "write">>>> = {
  executions: {
    create: "write",
    transition: "write",
    appendOutput: "write",
    get: "read",
    list: "read",
    distinctValues: "read",
    readOutput: "read",
  },
  queue: {
    enqueue: "write",
    claim: "write",
    complete: "write",
    extend: "write",
    fail: "write",
    releaseOwner: "write",
    nextRunAt: "read",
    waitFor: "read",
    stats: "read",
  },
  content: {
    upsertPack: "write",
    deletePack: "write",
    upsertRunnerType: "write",
    upsertAction: "write",
    deleteAction: "write",
    upsertRule: "write",
    deleteRule: "write",
    upsertSensor: "write",
    setSensorEnabled: "write",
    upsertTriggerType: "write",
    deleteTriggerType: "write",
    upsertAlias: "write",
    deleteAlias: "write",
    upsertPolicy: "write",
    deletePolicy: "write",
    upsertConfigSchema: "write",
    upsertConfig: "write",
    pruneResources: "write",
    getPack: "read",
    listPacks: "read",
    getRunnerType: "read",
    listRunnerTypes: "read",
    getAction: "read",
    listActions: "read",
    getRule: "read",
    listRules: "read",
    getSensor: "read",
    listSensors: "read",
    getTriggerType: "read",
    listTriggerTypes: "read",
    listAliases: "read",
    getAlias: "read",
    getPolicy: "read",
    listPolicies: "read",
    getConfigSchema: "read",
    getConfig: "read",
    listConfigs: "read",
    listConfigSchemas: "read",
  },
  kv: {
    set: "write",
    delete: "write",
    purgeExpired: "write",
    get: "read",
    getEntry: "read",
    listEntries: "read",
    list: "read",
  },
  reactor: {
    commit: "write",
    expireIdempotencyKeys: "write",
    getTrigger: "read",
    findTrigger: "read",
    listTriggers: "read",
    getInstance: "read",
    listInstances: "read",
    getEnforcement: "read",
    listEnforcements: "read",
    getTrace: "read",
    listTraces: "read",
  },
  workflows: { getWorkflow: "read", listWorkflows: "read" },
};

export function isWrite(aggregate: string, method: string): boolean {
  return ROUTES[aggregate as Aggregate]?.[method] === "write";
}

/**
 * Calls whose arguments and result travel as JSON text instead of structured clones. For a
 * commit's operations that is cheaper to decode (V8's deserializer costs the writer about twice
 * what JSON.parse does), and it loses nothing: operations are JSON data that the store writes
 * as JSON columns, and its result is built from those rows.
 */
export function travelsAsJson(aggregate: string, method: string): boolean {
  return aggregate === "reactor" && method === "commit";
}

export type Request =
  | {
      kind: "call";
      id: number;
      aggregate: Aggregate;
      method: string;
      /** The arguments, or (see travelsAsJson) their JSON text. */
      args: unknown[] | string;
      /** The caller's clock when it called: the store's "now" for this call. */
      now: number;
    }
  | { kind: "close"; id: number };

/** After-commit effects the main thread applies before it settles the call (see Writer.run). */
export interface Effects {
  woken: string[];
  leased: Job[];
}

export type Reply =
  /** `json`: the value is JSON text (see travelsAsJson). */
  | ({ id: number; ok: true; value: unknown; json?: true } & Effects)
  | ({ id: number; ok: false; error: SerializedError } & Effects);

/** Sent once, when the writer's store is open (or could not be). */
export type Ready = { kind: "ready" } | { kind: "failed"; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  location?: ValidationError["location"];
  transition?: { from: string; to: string; executionId?: string };
  /** The SQLite result code of a database error (better-sqlite3's SqliteError). */
  sqliteCode?: string;
  cause?: SerializedError;
}

export function serializeError(err: unknown, depth = 0): SerializedError {
  if (!(err instanceof Error)) return { name: "Error", message: String(err) };
  const out: SerializedError = { name: err.name, message: err.message };
  if (err.stack) out.stack = err.stack;
  if (err instanceof ValidationError && err.location) out.location = err.location;
  if (err instanceof IllegalTransitionError) {
    out.transition = {
      from: err.from,
      to: err.to,
      ...(err.executionId !== undefined ? { executionId: err.executionId } : {}),
    };
  }
  const code = (err as { code?: unknown }).code;
  if (!(err instanceof SquallError) && typeof code === "string") out.sqliteCode = code;
  if (err.cause !== undefined && depth < 3) out.cause = serializeError(err.cause, depth + 1);
  return out;
}

/** The error as the main thread's callers expect it: same class, message and fields. */
export function deserializeError(e: SerializedError): Error {
  let err: Error;
  switch (e.name) {
    case "ValidationError":
      err = new ValidationError(e.message, e.location);
      break;
    case "NotFoundError":
      err = new NotFoundError(e.message);
      break;
    case "ConflictError":
      err = new ConflictError(e.message);
      break;
    case "RenderError":
      err = new RenderError(e.message);
      break;
    case "IllegalTransitionError":
      err = e.transition
        ? new IllegalTransitionError(e.transition.from, e.transition.to, e.transition.executionId)
        : new SquallError(e.message);
      break;
    case "SquallError":
      err = new SquallError(e.message);
      break;
    default:
      err = new Error(e.message);
      err.name = e.name;
      if (e.sqliteCode !== undefined) Object.assign(err, { code: e.sqliteCode });
  }
  if (e.stack) err.stack = `${e.stack}\n    (in the SQLite writer thread)`;
  if (e.cause) {
    Object.defineProperty(err, "cause", {
      value: deserializeError(e.cause),
      configurable: true,
      writable: true,
    });
  }
  return err;
}
