/** Rule enforcements on SQLite: the record as JSON, with the columns listings filter on. */

import type { Database, Statement } from "better-sqlite3";
import { ConflictError, ValidationError } from "../../../core/errors.ts";
import type { RuleEnforcement } from "../../../core/reactor/model.ts";
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

export interface EnforcementFilter {
  rule?: string;
  trigger_instance?: string;
  execution?: string;
}

/** Validates and returns the record to store, its timestamp normalised for ordering. */
function checked(enforcement: RuleEnforcement): RuleEnforcement {
  const id = requireId(enforcement?.id, "enforcement.id");
  requireText(enforcement.trigger_instance_id, `enforcement ${id}: trigger_instance_id`);
  if (enforcement.execution_id !== null) {
    requireText(enforcement.execution_id, `enforcement ${id}: execution_id`);
  }
  if (!isPlainObject(enforcement.rule)) {
    throw new ValidationError(`enforcement ${id}: rule must be an object`, { field: "rule" });
  }
  requireText(enforcement.rule.ref, `enforcement ${id}: rule.ref`);
  requireText(enforcement.rule.uid, `enforcement ${id}: rule.uid`);
  if (enforcement.status !== "succeeded" && enforcement.status !== "failed") {
    throw new ValidationError(`enforcement ${id}: status must be succeeded or failed`, {
      field: "status",
    });
  }
  if (enforcement.failure_reason !== null && typeof enforcement.failure_reason !== "string") {
    throw new ValidationError(`enforcement ${id}: failure_reason must be a string or null`, {
      field: "failure_reason",
    });
  }
  const enforcedAt = isoTimestamp(enforcement.enforced_at, `enforcement ${id}: enforced_at`);
  return enforcedAt === enforcement.enforced_at
    ? enforcement
    : { ...enforcement, enforced_at: enforcedAt };
}

export class EnforcementTable {
  readonly #insert: Statement;
  readonly #get: Statement<[string], { record: string }>;

  constructor(
    db: Database,
    private readonly lists: StatementCache,
  ) {
    this.#insert = db.prepare(sql.INSERT_ENFORCEMENT);
    this.#get = db.prepare(sql.GET_ENFORCEMENT);
  }

  /** In the caller's transaction. */
  create(enforcement: RuleEnforcement): void {
    const record = checked(enforcement);
    try {
      this.#insert.run({
        id: record.id,
        rule_ref: record.rule.ref,
        trigger_instance_id: record.trigger_instance_id,
        execution_id: record.execution_id,
        record: JSON.stringify(record),
      });
    } catch (err) {
      if (sqliteCode(err) === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw new ConflictError(`rule enforcement ${record.id} already exists`, { cause: err });
      }
      throw err;
    }
  }

  get(id: string): RuleEnforcement | null {
    const row = this.#get.get(id);
    return row ? decode(row.record) : null;
  }

  list(filter: EnforcementFilter, page: Page): PageResult<RuleEnforcement> {
    const { limit, offset } = normalPage(page);
    const { conditions, params } = conditionsOf(sql.ENFORCEMENT_FILTER_SQL, filter);
    const table = "rule_enforcements";
    const rows = this.lists
      .get(sql.listNewestSql(table, "record", conditions))
      .all(...params, limit, offset) as Array<{ record: string }>;
    const { total } = this.lists.get(sql.countSql(table, conditions)).get(...params) as {
      total: number;
    };
    return { items: rows.map((r) => decode(r.record)), total };
  }
}

function decode(text: string): RuleEnforcement {
  return parseJson<RuleEnforcement>(text, "rule_enforcements.record");
}
