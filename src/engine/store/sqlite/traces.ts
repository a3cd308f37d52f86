/**
 * Traces on SQLite. A link finds the newest trace with the tag, or starts one. The components
 * linked in the commit that starts a trace are written with the trace row (a webhook's
 * instance, rule and execution: one row instead of four); a later link appends a row of
 * trace_components. Nothing stored is ever rewritten, and a trace is read back with its
 * components in the order they were linked.
 */

import type { Database, Statement } from "better-sqlite3";
import { ConflictError, SquallError, ValidationError } from "../../../core/errors.ts";
import type { Trace, TraceComponent, TraceComponentKind } from "../../../core/reactor/model.ts";
import type { Page, PageResult } from "../contract.ts";
import {
  conditionsOf,
  isoTimestamp,
  isPlainObject,
  normalPage,
  parseJson,
  requireId,
  requireText,
  type StatementCache,
  sqliteCode,
} from "./shared.ts";
import * as sql from "./sql/reactor.ts";

interface TraceRow {
  id: string;
  trace_tag: string;
  start_timestamp: string;
  /** JSON array of {kind, component}: those linked in the commit that started the trace. */
  first_components: string | null;
}

/** A trace started in the current commit, written when the commit's operations are done. */
interface NewTrace {
  id: string;
  trace_tag: string;
  start_timestamp: string;
  components: Array<{ kind: TraceComponentKind; component: TraceComponent }>;
}

/** The list of a trace that holds each kind of component. */
const LIST_OF = {
  trigger_instance: "trigger_instances",
  rule: "rules",
  action_execution: "action_executions",
} as const satisfies Record<TraceComponentKind, keyof Trace>;

const KINDS = Object.keys(LIST_OF) as TraceComponentKind[];

export interface TraceLink {
  trace_tag: string;
  trace_id: string;
  kind: TraceComponentKind;
  component: TraceComponent;
}

/** Validates the component; returns it with `updated_at` normalised (the trace's start time). */
function checkedComponent(component: TraceComponent): TraceComponent {
  if (!isPlainObject(component)) {
    throw new ValidationError("trace component must be an object", { field: "component" });
  }
  requireText(component.object_id, "component.object_id");
  requireText(component.ref, "component.ref");
  if (!isPlainObject(component.caused_by)) {
    throw new ValidationError("component.caused_by must be an object", {
      field: "component.caused_by",
    });
  }
  const updatedAt = isoTimestamp(component.updated_at, "component.updated_at");
  return updatedAt === component.updated_at ? component : { ...component, updated_at: updatedAt };
}

export class TraceTable {
  readonly #newestByTag: Statement<[string], { id: string }>;
  readonly #insert: Statement;
  readonly #append: Statement;
  readonly #components: Statement<[string], { kind: TraceComponentKind; component: string }>;
  readonly #get: Statement<[string], TraceRow>;

  constructor(
    db: Database,
    private readonly lists: StatementCache,
  ) {
    this.#newestByTag = db.prepare(sql.NEWEST_TRACE_BY_TAG);
    this.#insert = db.prepare(sql.INSERT_TRACE);
    this.#append = db.prepare(sql.INSERT_TRACE_COMPONENT);
    this.#components = db.prepare(sql.TRACE_COMPONENTS);
    this.#get = db.prepare(sql.GET_TRACE);
  }

  /**
   * The trace each tag resolved to in the current commit (see `inCommit`): a commit links
   * several components to one trace (instance, rule, execution), and after the first link the
   * answer cannot change within the transaction, since only a link inserts traces and only when
   * the tag has none. Null outside a commit.
   */
  #tags: Map<string, string> | null = null;
  /**
   * Traces started in the current commit, by tag: their components are collected and written
   * with the trace row at the end of the commit (one row instead of one per component).
   */
  #started: Map<string, NewTrace> | null = null;

  /** Runs `fn` (one transaction) with trace lookups remembered for its duration only. */
  inCommit<T>(fn: () => T): T {
    this.#tags = new Map();
    this.#started = new Map();
    try {
      const result = fn();
      for (const trace of this.#started.values()) this.#insertTrace(trace);
      return result;
    } finally {
      this.#tags = null;
      this.#started = null;
    }
  }

  #insertTrace(trace: NewTrace): void {
    try {
      this.#insert.run({
        id: trace.id,
        trace_tag: trace.trace_tag,
        start_timestamp: trace.start_timestamp,
        first_components: trace.components.length > 0 ? JSON.stringify(trace.components) : null,
      });
    } catch (err) {
      if (sqliteCode(err) === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw new ConflictError(`trace ${trace.id} already exists with another tag`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  /** In the caller's transaction. */
  link(link: TraceLink): void {
    requireText(link.trace_tag, "trace_tag");
    if (!KINDS.includes(link.kind)) {
      throw new ValidationError(
        `unknown trace component kind ${String(link.kind)} (one of: ${KINDS.join(", ")})`,
        { field: "kind" },
      );
    }
    const component = checkedComponent(link.component);
    const started = this.#started?.get(link.trace_tag);
    if (started) {
      started.components.push({ kind: link.kind, component });
      return;
    }
    const id = this.#tags?.get(link.trace_tag) ?? this.#newestByTag.get(link.trace_tag)?.id;
    if (id === undefined) {
      const trace: NewTrace = {
        id: requireId(link.trace_id, "trace_id"),
        trace_tag: link.trace_tag,
        start_timestamp: component.updated_at,
        components: [{ kind: link.kind, component }],
      };
      if (this.#started) this.#started.set(link.trace_tag, trace);
      else this.#insertTrace(trace);
      return;
    }
    this.#tags?.set(link.trace_tag, id);
    this.#append.run({ id, kind: link.kind, component: JSON.stringify(component) });
  }

  get(id: string): Trace | null {
    const row = this.#get.get(id);
    return row ? this.#toTrace(row) : null;
  }

  list(filter: { trace_tag?: string }, page: Page): PageResult<Trace> {
    const { limit, offset } = normalPage(page);
    const { conditions, params } = conditionsOf(sql.TRACE_FILTER_SQL, filter);
    const rows = this.lists
      .get(sql.listNewestSql("traces", sql.TRACE_COLUMNS, conditions))
      .all(...params, limit, offset) as TraceRow[];
    const { total } = this.lists.get(sql.countSql("traces", conditions)).get(...params) as {
      total: number;
    };
    return { items: rows.map((row) => this.#toTrace(row)), total };
  }

  #toTrace(row: TraceRow): Trace {
    const trace: Trace = {
      id: row.id,
      trace_tag: row.trace_tag,
      trigger_instances: [],
      rules: [],
      action_executions: [],
      start_timestamp: row.start_timestamp,
    };
    const add = (kind: TraceComponentKind, component: TraceComponent) => {
      const list = LIST_OF[kind];
      if (!list) throw new SquallError(`trace ${row.id} has a component of unknown kind ${kind}`);
      trace[list].push(component);
    };
    if (row.first_components !== null) {
      const first = parseJson<Array<{ kind: TraceComponentKind; component: TraceComponent }>>(
        row.first_components,
        `traces.first_components (trace ${row.id})`,
      );
      for (const { kind, component } of first) add(kind, component);
    }
    for (const { kind, component } of this.#components.all(row.id)) {
      add(kind, parseJson<TraceComponent>(component, `trace_components (trace ${row.id})`));
    }
    return trace;
  }
}
