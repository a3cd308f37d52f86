/**
 * Traces on SQLite. A link finds the newest trace with the tag, or starts one, and appends the
 * component as a row of trace_components (append-only: no stored document is rewritten); a
 * trace is read back with its components in the order they were linked.
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

  /** Runs `fn` (one transaction) with trace lookups remembered for its duration only. */
  inCommit<T>(fn: () => T): T {
    this.#tags = new Map();
    try {
      return fn();
    } finally {
      this.#tags = null;
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
    let id = this.#tags?.get(link.trace_tag) ?? this.#newestByTag.get(link.trace_tag)?.id;
    if (id === undefined) {
      id = requireId(link.trace_id, "trace_id");
      try {
        this.#insert.run({
          id,
          trace_tag: link.trace_tag,
          start_timestamp: component.updated_at,
        });
      } catch (err) {
        if (sqliteCode(err) === "SQLITE_CONSTRAINT_PRIMARYKEY") {
          throw new ConflictError(`trace ${id} already exists with another tag`, { cause: err });
        }
        throw err;
      }
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
    for (const { kind, component } of this.#components.all(row.id)) {
      const list = LIST_OF[kind];
      if (!list) throw new SquallError(`trace ${row.id} has a component of unknown kind ${kind}`);
      trace[list].push(parseJson<TraceComponent>(component, `trace_components (trace ${row.id})`));
    }
    return trace;
  }
}
