/**
 * Traces on SQLite. A link finds the newest trace with the tag, or starts one, and appends the
 * component to the list of its kind inside SQL (json_insert), so a link never decodes and
 * re-encodes the whole trace in JavaScript.
 */

import type { Database, Statement } from "better-sqlite3";
import { ConflictError, ValidationError } from "../../../core/errors.ts";
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
  trigger_instances: string;
  rules: string;
  action_executions: string;
}

function toTrace(row: TraceRow): Trace {
  const list = (column: keyof typeof row) =>
    parseJson<TraceComponent[]>(row[column], `traces.${column} (id ${row.id})`);
  return {
    id: row.id,
    trace_tag: row.trace_tag,
    trigger_instances: list("trigger_instances"),
    rules: list("rules"),
    action_executions: list("action_executions"),
    start_timestamp: row.start_timestamp,
  };
}

const KINDS = Object.keys(sql.TRACE_LIST_COLUMN) as TraceComponentKind[];

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
  readonly #append: Record<TraceComponentKind, Statement>;
  readonly #get: Statement<[string], TraceRow>;

  constructor(
    db: Database,
    private readonly lists: StatementCache,
  ) {
    this.#newestByTag = db.prepare(sql.NEWEST_TRACE_BY_TAG);
    this.#insert = db.prepare(sql.INSERT_TRACE);
    this.#append = {
      trigger_instance: db.prepare(sql.appendTraceSql("trigger_instance")),
      rule: db.prepare(sql.appendTraceSql("rule")),
      action_execution: db.prepare(sql.appendTraceSql("action_execution")),
    };
    this.#get = db.prepare(sql.GET_TRACE);
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
    const json = JSON.stringify(component);
    const existing = this.#newestByTag.get(link.trace_tag);
    if (existing) {
      this.#append[link.kind].run({ id: existing.id, component: json });
      return;
    }
    const id = requireId(link.trace_id, "trace_id");
    const lists = { trigger_instances: "[]", rules: "[]", action_executions: "[]" };
    lists[sql.TRACE_LIST_COLUMN[link.kind]] = `[${json}]`;
    try {
      this.#insert.run({
        id,
        trace_tag: link.trace_tag,
        start_timestamp: component.updated_at,
        ...lists,
      });
    } catch (err) {
      if (sqliteCode(err) === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw new ConflictError(`trace ${id} already exists with another tag`, { cause: err });
      }
      throw err;
    }
  }

  get(id: string): Trace | null {
    const row = this.#get.get(id);
    return row ? toTrace(row) : null;
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
    return { items: rows.map(toTrace), total };
  }
}
