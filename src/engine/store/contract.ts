/**
 * The storage contract. Every method is async so a PostgreSQL implementation can satisfy the
 * same interface; the SQLite implementation answers synchronously underneath.
 *
 * Atomicity rule (the transactional outbox of ARCHITECTURE.md): a state change and the work it
 * causes are committed together. That is why `executions.create` and `executions.transition`
 * take `enqueue` and `completeJob` instead of callers juggling transactions.
 */

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
} from "../../core/content/model.ts";
import type { Execution, NewExecution, OutputChunk } from "../../core/execution/model.ts";
import type { ExecutionStatus } from "../../core/execution/status.ts";
import type { Job, JobRef, Page, PageResult, TransitionOptions, WorkItem } from "./common.ts";
import type { ReactorStore } from "./reactor-contract.ts";
import type { WorkflowStore } from "./workflow-contract.ts";

export * from "./common.ts";

export interface ExecutionFilter {
  action?: string;
  status?: ExecutionStatus | ExecutionStatus[];
  parent?: string | null;
  runner_type?: string;
  /** ISO timestamps, compared with start_timestamp. */
  timestamp_gt?: string;
  timestamp_lt?: string;
  /** `context.user`, `context.trigger_instance.id`, `context.rule.ref` (StackStorm's filters). */
  user?: string;
  trigger_instance?: string;
  rule?: string;
  /** Newest first by default (StackStorm's default sort). */
  sort?: "asc" | "desc";
}

export interface ExecutionStore {
  /** Inserts the execution with status `requested` (or the given one) and its first log entry. */
  create(
    execution: NewExecution,
    options?: { enqueue?: WorkItem[]; completeJob?: JobRef },
  ): Promise<Execution>;
  get(id: string): Promise<Execution | null>;
  list(filter: ExecutionFilter, page: Page): Promise<PageResult<Execution>>;
  /**
   * Moves an execution to `to`, checked against the transition table, appending to its log and
   * stamping `end_timestamp` when `to` is terminal. Throws IllegalTransitionError or
   * ConflictError (when `expectFrom` does not hold). Returns the updated record.
   */
  transition(id: string, to: ExecutionStatus, options?: TransitionOptions): Promise<Execution>;
  /** Appends output; chunks get increasing `seq` numbers. */
  appendOutput(
    executionId: string,
    chunks: Array<Pick<OutputChunk, "output_type" | "data">>,
  ): Promise<void>;
  readOutput(
    executionId: string,
    options?: { afterSeq?: number; outputType?: OutputChunk["output_type"]; limit?: number },
  ): Promise<OutputChunk[]>;
  /**
   * The distinct values of one execution attribute over all executions (st2's
   * `/executions/views/filters`), sorted; `null` stands for executions without the attribute.
   */
  distinctValues(field: ExecutionDistinctField): Promise<Array<string | null>>;
}

/** Attributes `/executions/views/filters` lists the values of. */
export type ExecutionDistinctField = "action" | "status" | "runner" | "user" | "rule";

/** A durable queue with leases. A job claimed by a dead process becomes claimable when its lease ends. */
export interface WorkQueue {
  enqueue(items: WorkItem[]): Promise<void>;
  /** Claims up to `n` due jobs of `kind` for `owner`, for `leaseMs`. */
  claim(kind: string, n: number, owner: string, leaseMs: number): Promise<Job[]>;
  complete(job: JobRef, next?: WorkItem[]): Promise<void>;
  extend(job: JobRef, leaseMs: number): Promise<void>;
  /** Gives a job back: to run again at `retryAt`, or dropped when `retryAt` is undefined. */
  fail(job: JobRef, error: string, retryAt?: number): Promise<void>;
  /** Leases held by `owner` are released at once; used at start-up for a node that restarted. */
  releaseOwner(owner: string): Promise<number>;
  /** Earliest `runAt` of a pending job of `kind`, so a worker can sleep until then. */
  nextRunAt(kind: string): Promise<number | null>;
  /** Resolves when work of `kind` may be available (in-process wake-up), or after `timeoutMs`. */
  waitFor(kind: string, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  stats(): Promise<Record<string, { pending: number; leased: number }>>;
}

export interface ContentStore {
  upsertPack(pack: PackMeta): Promise<void>;
  getPack(ref: string): Promise<PackMeta | null>;
  listPacks(page: Page): Promise<PageResult<PackMeta>>;
  /**
   * Removes a pack's own record with its config schema and config (pack uninstall); its
   * resources go with `pruneResources`. False when the pack was not registered.
   */
  deletePack(ref: string): Promise<boolean>;

  upsertRunnerType(runner: RunnerType): Promise<void>;
  getRunnerType(name: string): Promise<RunnerType | null>;
  listRunnerTypes(page: Page): Promise<PageResult<RunnerType>>;

  upsertAction(action: ActionDef): Promise<void>;
  getAction(ref: string): Promise<ActionDef | null>;
  listActions(filter: { pack?: string }, page: Page): Promise<PageResult<ActionDef>>;
  /** Removes one action (API delete); false when there was none. */
  deleteAction(ref: string): Promise<boolean>;

  upsertRule(rule: RuleDef): Promise<void>;
  getRule(ref: string): Promise<RuleDef | null>;
  listRules(
    filter: { pack?: string; enabled?: boolean; trigger_type?: string },
    page: Page,
  ): Promise<PageResult<RuleDef>>;
  /** Removes one rule (API delete); false when there was none. */
  deleteRule(ref: string): Promise<boolean>;

  upsertSensor(sensor: SensorDef): Promise<void>;
  getSensor(ref: string): Promise<SensorDef | null>;
  listSensors(filter: { pack?: string }, page: Page): Promise<PageResult<SensorDef>>;
  /** Flips a sensor's `enabled`; returns the updated record, or null when no such sensor. */
  setSensorEnabled(ref: string, enabled: boolean): Promise<SensorDef | null>;

  upsertTriggerType(triggerType: TriggerTypeDef): Promise<void>;
  getTriggerType(ref: string): Promise<TriggerTypeDef | null>;
  listTriggerTypes(filter: { pack?: string }, page: Page): Promise<PageResult<TriggerTypeDef>>;
  /** Removes one trigger type (API delete); false when there was none. */
  deleteTriggerType(ref: string): Promise<boolean>;

  upsertAlias(alias: AliasDef): Promise<void>;
  listAliases(filter: { pack?: string }, page: Page): Promise<PageResult<AliasDef>>;
  getAlias(ref: string): Promise<AliasDef | null>;
  /** Removes one action alias (API delete); false when there was none. */
  deleteAlias(ref: string): Promise<boolean>;

  upsertPolicy(policy: PolicyDef): Promise<void>;
  getPolicy(ref: string): Promise<PolicyDef | null>;
  listPolicies(
    filter: { pack?: string; resource_ref?: string },
    page: Page,
  ): Promise<PageResult<PolicyDef>>;
  /** Removes one policy (API delete); false when there was none. */
  deletePolicy(ref: string): Promise<boolean>;

  upsertConfigSchema(schema: ConfigSchemaDef): Promise<void>;
  getConfigSchema(pack: string): Promise<ConfigSchemaDef | null>;
  upsertConfig(config: PackConfig): Promise<void>;
  getConfig(pack: string): Promise<PackConfig | null>;
  listConfigs(page: Page): Promise<PageResult<PackConfig>>;
  listConfigSchemas(page: Page): Promise<PageResult<ConfigSchemaDef>>;

  /**
   * Removes a pack's resources that the latest registration did not see, so re-registering a
   * pack after deleting a file leaves no ghost. `keep` lists refs per kind that survive.
   */
  pruneResources(pack: string, keep: Partial<Record<PrunableKind, string[]>>): Promise<number>;
}

export type PrunableKind = "action" | "rule" | "sensor" | "trigger_type" | "alias" | "policy";

/** The key-value datastore (a minimal subset here; the reactor issue extends it). */
export interface KeyValueStore {
  get(scope: string, name: string): Promise<{ value: string; secret: boolean } | null>;
  set(
    scope: string,
    name: string,
    value: string,
    options?: { secret?: boolean; ttlSeconds?: number },
  ): Promise<void>;
  delete(scope: string, name: string): Promise<boolean>;
  list(
    scope: string,
    options: { prefix?: string } & Page,
  ): Promise<PageResult<{ name: string; value: string; secret: boolean; scope: string }>>;
  /** `get` with the pair's expiry, for the datastore API (`expire_timestamp`). */
  getEntry(scope: string, name: string): Promise<KvEntry | null>;
  /** `list` with expiries. */
  listEntries(scope: string, options: { prefix?: string } & Page): Promise<PageResult<KvEntry>>;
  /** Deletes pairs whose TTL has passed (they are already invisible); returns how many. */
  purgeExpired(): Promise<number>;
}

/** A stored pair as the datastore service sees it. */
export interface KvEntry {
  scope: string;
  name: string;
  /** For secrets, the ciphertext. */
  value: string;
  secret: boolean;
  /** ms since the epoch on the store clock, or null when the pair never expires. */
  expiresAt: number | null;
}

export interface Store {
  readonly executions: ExecutionStore;
  readonly queue: WorkQueue;
  readonly content: ContentStore;
  readonly kv: KeyValueStore;
  readonly reactor: ReactorStore;
  /** Read side of workflow state; writes are `workflow.*` operations of `reactor.commit`. */
  readonly workflows: WorkflowStore;
  close(): Promise<void>;
}
