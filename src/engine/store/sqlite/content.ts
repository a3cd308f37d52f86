/**
 * Pack content on SQLite: each kind is a table holding the record as JSON, plus the few
 * columns listings filter on. All kinds share one generic implementation, `Resources`.
 */

import type { Database, Statement } from "better-sqlite3";
import type {
  ActionDef,
  AliasDef,
  ConfigSchemaDef,
  PackConfig,
  PackMeta,
  PolicyDef,
  RuleDef,
  RunnerType,
  SensorDef,
  TriggerTypeDef,
} from "../../../core/content/model.ts";
import { ValidationError } from "../../../core/errors.ts";
import type { ContentStore, Page, PageResult, PrunableKind } from "../contract.ts";
import { normalPage, parseJson, requireText, type Writer } from "./shared.ts";
import * as sql from "./sql/content.ts";

type Column = string | number;

/** The key and filter-column values of one record, validated. */
type Extract<T> = (record: T) => Record<string, Column>;

class Resources<T> {
  readonly #upsert: Statement;
  readonly #get: Statement<[string], { record: string }>;
  readonly #cache = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    readonly spec: sql.ContentTable,
    private readonly extract: Extract<T>,
  ) {
    this.#upsert = db.prepare(sql.upsertSql(spec));
    this.#get = db.prepare(sql.getSql(spec));
  }

  upsert(record: T): void {
    const columns = this.extract(record);
    this.#upsert.run({ ...columns, record: JSON.stringify(record) });
  }

  get(key: string): T | null {
    const row = this.#get.get(key);
    return row ? this.#decode(row.record) : null;
  }

  list(filter: Record<string, Column | undefined>, page: Page): PageResult<T> {
    const { limit, offset } = normalPage(page);
    const columns = Object.keys(filter).filter((c) => filter[c] !== undefined);
    const params = columns.map((c) => filter[c]);
    const rows = this.#statement(sql.listSql(this.spec, columns)).all(
      ...params,
      limit,
      offset,
    ) as Array<{ record: string }>;
    const { total } = this.#statement(sql.countSql(this.spec, columns)).get(...params) as {
      total: number;
    };
    return { items: rows.map((r) => this.#decode(r.record)), total };
  }

  delete(key: string): boolean {
    return this.#statement(sql.deleteSql(this.spec)).run(key).changes > 0;
  }

  /** Deletes the pack's rows not named in `keep`; returns how many went. */
  prune(pack: string, keep: readonly string[]): number {
    return this.#statement(sql.pruneSql(this.spec)).run(pack, JSON.stringify(keep)).changes;
  }

  #decode(text: string): T {
    return parseJson<T>(text, `${this.spec.table}.record`);
  }

  #statement(text: string): Statement {
    let statement = this.#cache.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.#cache.set(text, statement);
    }
    return statement;
  }
}

/** Validates a required text field of a record, naming the kind, the record and the field. */
function text(kind: string, record: unknown, field: string, value: unknown): string {
  if (typeof value === "string" && value.length > 0) return value;
  const key = (record as { ref?: unknown; name?: unknown; pack?: unknown } | null) ?? {};
  const id = [key.ref, key.name, key.pack].find((v) => typeof v === "string") ?? "(unnamed)";
  throw new ValidationError(`${kind} ${String(id)}: ${field} must be a non-empty string`, {
    field,
  });
}

function packResource<T extends { ref: string; pack: string }>(kind: string): Extract<T> {
  return (r) => ({
    ref: text(kind, r, "ref", r?.ref),
    pack: text(kind, r, "pack", r?.pack),
  });
}

function flag(value: boolean | undefined): number | undefined {
  return value === undefined ? undefined : value ? 1 : 0;
}

export class SqliteContentStore implements ContentStore {
  readonly #packs: Resources<PackMeta>;
  readonly #runners: Resources<RunnerType>;
  readonly #actions: Resources<ActionDef>;
  readonly #rules: Resources<RuleDef>;
  readonly #sensors: Resources<SensorDef>;
  readonly #triggerTypes: Resources<TriggerTypeDef>;
  readonly #aliases: Resources<AliasDef>;
  readonly #policies: Resources<PolicyDef>;
  readonly #schemas: Resources<ConfigSchemaDef>;
  readonly #configs: Resources<PackConfig>;
  readonly #prunable: Record<PrunableKind, { prune(pack: string, keep: string[]): number }>;

  constructor(private readonly writer: Writer) {
    const db = writer.db;
    const t = sql.TABLES;
    this.#packs = new Resources(db, t.pack, (p) => ({ ref: text("pack", p, "ref", p?.ref) }));
    this.#runners = new Resources(db, t.runner_type, (r) => ({
      name: text("runner type", r, "name", r?.name),
    }));
    this.#actions = new Resources(db, t.action, packResource("action"));
    this.#rules = new Resources(db, t.rule, (r) => {
      if (typeof r?.enabled !== "boolean") {
        throw new ValidationError(`rule ${String(r?.ref)}: enabled must be a boolean`, {
          field: "enabled",
        });
      }
      return {
        ...packResource("rule")(r),
        enabled: r.enabled ? 1 : 0,
        trigger_type: text("rule", r, "trigger.type", r.trigger?.type),
      };
    });
    this.#sensors = new Resources(db, t.sensor, packResource("sensor"));
    this.#triggerTypes = new Resources(db, t.trigger_type, packResource("trigger type"));
    this.#aliases = new Resources(db, t.alias, packResource("alias"));
    this.#policies = new Resources(db, t.policy, (p) => ({
      ...packResource("policy")(p),
      resource_ref: text("policy", p, "resource_ref", p.resource_ref),
    }));
    this.#schemas = new Resources(db, t.config_schema, (s) => ({
      pack: text("config schema", s, "pack", s?.pack),
    }));
    this.#configs = new Resources(db, t.config, (c) => ({
      pack: text("config", c, "pack", c?.pack),
    }));
    this.#prunable = {
      action: this.#actions,
      rule: this.#rules,
      sensor: this.#sensors,
      trigger_type: this.#triggerTypes,
      alias: this.#aliases,
      policy: this.#policies,
    };
  }

  async upsertPack(pack: PackMeta) {
    this.#packs.upsert(pack);
  }
  async getPack(ref: string) {
    return this.#packs.get(ref);
  }
  async listPacks(page: Page) {
    return this.#packs.list({}, page);
  }
  async deletePack(ref: string) {
    return this.writer.run(() => {
      this.#schemas.delete(ref);
      this.#configs.delete(ref);
      return this.#packs.delete(ref);
    });
  }

  async upsertRunnerType(runner: RunnerType) {
    this.#runners.upsert(runner);
  }
  async getRunnerType(name: string) {
    return this.#runners.get(name);
  }
  async listRunnerTypes(page: Page) {
    return this.#runners.list({}, page);
  }

  async upsertAction(action: ActionDef) {
    this.#actions.upsert(action);
  }
  async getAction(ref: string) {
    return this.#actions.get(ref);
  }
  async deleteAction(ref: string) {
    return this.#actions.delete(ref);
  }
  async listActions(filter: { pack?: string }, page: Page) {
    return this.#actions.list({ pack: filter.pack }, page);
  }

  async upsertRule(rule: RuleDef) {
    this.#rules.upsert(rule);
  }
  async getRule(ref: string) {
    return this.#rules.get(ref);
  }
  async deleteRule(ref: string) {
    return this.#rules.delete(ref);
  }
  async listRules(filter: { pack?: string; enabled?: boolean; trigger_type?: string }, page: Page) {
    return this.#rules.list(
      { pack: filter.pack, enabled: flag(filter.enabled), trigger_type: filter.trigger_type },
      page,
    );
  }

  async upsertSensor(sensor: SensorDef) {
    this.#sensors.upsert(sensor);
  }
  async getSensor(ref: string) {
    return this.#sensors.get(ref);
  }
  async listSensors(filter: { pack?: string }, page: Page) {
    return this.#sensors.list({ pack: filter.pack }, page);
  }
  async setSensorEnabled(ref: string, enabled: boolean) {
    const sensor = this.#sensors.get(ref);
    if (!sensor) return null;
    const updated = { ...sensor, enabled };
    this.#sensors.upsert(updated);
    return updated;
  }

  async upsertTriggerType(triggerType: TriggerTypeDef) {
    this.#triggerTypes.upsert(triggerType);
  }
  async getTriggerType(ref: string) {
    return this.#triggerTypes.get(ref);
  }
  async deleteTriggerType(ref: string) {
    return this.#triggerTypes.delete(ref);
  }
  async listTriggerTypes(filter: { pack?: string }, page: Page) {
    return this.#triggerTypes.list({ pack: filter.pack }, page);
  }

  async upsertAlias(alias: AliasDef) {
    this.#aliases.upsert(alias);
  }
  async listAliases(filter: { pack?: string }, page: Page) {
    return this.#aliases.list({ pack: filter.pack }, page);
  }
  async getAlias(ref: string) {
    return this.#aliases.get(ref);
  }
  async deleteAlias(ref: string) {
    return this.#aliases.delete(ref);
  }

  async upsertPolicy(policy: PolicyDef) {
    this.#policies.upsert(policy);
  }
  async getPolicy(ref: string) {
    return this.#policies.get(ref);
  }
  async deletePolicy(ref: string) {
    return this.#policies.delete(ref);
  }
  async listPolicies(filter: { pack?: string; resource_ref?: string }, page: Page) {
    return this.#policies.list({ pack: filter.pack, resource_ref: filter.resource_ref }, page);
  }

  async upsertConfigSchema(schema: ConfigSchemaDef) {
    this.#schemas.upsert(schema);
  }
  async getConfigSchema(pack: string) {
    return this.#schemas.get(pack);
  }
  async upsertConfig(config: PackConfig) {
    this.#configs.upsert(config);
  }
  async getConfig(pack: string) {
    return this.#configs.get(pack);
  }
  async listConfigs(page: Page) {
    return this.#configs.list({}, page);
  }
  async listConfigSchemas(page: Page) {
    return this.#schemas.list({}, page);
  }

  async pruneResources(
    pack: string,
    keep: Partial<Record<PrunableKind, string[]>>,
  ): Promise<number> {
    requireText(pack, "pack");
    const kinds = Object.keys(keep).filter(
      (k) => keep[k as PrunableKind] !== undefined,
    ) as PrunableKind[];
    for (const kind of kinds) {
      if (!Object.hasOwn(this.#prunable, kind)) {
        throw new ValidationError(`cannot prune unknown kind ${kind}`, { field: `keep.${kind}` });
      }
      if (!Array.isArray(keep[kind])) {
        throw new ValidationError(`keep.${kind} must be an array of refs`, {
          field: `keep.${kind}`,
        });
      }
    }
    // One transaction, so a pack is never seen half-pruned.
    return this.writer.run(() =>
      kinds.reduce((sum, kind) => sum + this.#prunable[kind].prune(pack, keep[kind] ?? []), 0),
    );
  }
}
