/**
 * Registers packs from disk into the content store: built-in runner types first, then each
 * pack's metadata and resources, then removal of the pack's resources whose files are gone.
 * Upserts make registration idempotent: running it twice leaves the store as it was.
 */
import type {
  ContentError,
  ContentKind,
  PackContent,
  RunnerType,
} from "../../core/content/model.ts";
import { BUILTIN_RUNNER_TYPES } from "../../core/content/runner-types.ts";
import { type ContentStore, MAX_PAGE_SIZE, type PrunableKind } from "../store/contract.ts";
import { type LoadOptions, loadPack, packDirectories } from "./loader.ts";

export interface RegisterOptions {
  configsDir?: string;
}

export interface PackReport {
  /** Pack ref, or the directory name when pack.yaml could not be read. */
  pack: string;
  path: string;
  /** False when pack.yaml was broken and nothing of the pack was registered. */
  registered: boolean;
  counts: Record<ContentKind, number>;
  /** Resources removed because their files disappeared since the last registration. */
  pruned: number;
  errors: ContentError[];
}

export interface RegistrationReport {
  runnerTypes: number;
  packs: PackReport[];
  /** Every error of every pack, for callers that only want to print them. */
  errors: ContentError[];
}

export function emptyCounts(): Record<ContentKind, number> {
  return {
    pack: 0,
    action: 0,
    rule: 0,
    sensor: 0,
    trigger_type: 0,
    alias: 0,
    policy: 0,
    config_schema: 0,
    config: 0,
  };
}

async function allRunnerTypes(store: ContentStore): Promise<RunnerType[]> {
  const byName = new Map(BUILTIN_RUNNER_TYPES.map((r) => [r.name, r]));
  for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
    const page = await store.listRunnerTypes({ limit: MAX_PAGE_SIZE, offset });
    for (const r of page.items) if (!byName.has(r.name)) byName.set(r.name, r);
    if (page.items.length < MAX_PAGE_SIZE) break;
  }
  return [...byName.values()];
}

type Listed = { ref: string; metadata_file?: string };

async function listAll(
  fetch: (page: { limit: number; offset: number }) => Promise<{ items: Listed[] }>,
): Promise<Listed[]> {
  const out: Listed[] = [];
  for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
    const page = await fetch({ limit: MAX_PAGE_SIZE, offset });
    out.push(...page.items);
    if (page.items.length < MAX_PAGE_SIZE) return out;
  }
}

/**
 * Refs already stored for this pack that survive although this registration did not load them:
 * - those whose metadata file failed to load this time: a typo being fixed should not delete a
 *   rule that is in use;
 * - those created through the API, which have no metadata file: StackStorm's registrars never
 *   remove them either, so `st2 pack register` after `st2 rule create` keeps the rule.
 */
async function heldBack(
  store: ContentStore,
  pack: string,
  brokenFiles: Set<string>,
): Promise<Record<PrunableKind, string[]>> {
  const f = { pack };
  const listings: Record<PrunableKind, Listed[]> = {
    action: await listAll((p) => store.listActions(f, p)),
    rule: await listAll((p) => store.listRules(f, p)),
    sensor: await listAll((p) => store.listSensors(f, p)),
    trigger_type: await listAll((p) => store.listTriggerTypes(f, p)),
    alias: await listAll((p) => store.listAliases(f, p)),
    policy: await listAll((p) => store.listPolicies(f, p)),
  };
  const held = {} as Record<PrunableKind, string[]>;
  for (const kind of Object.keys(listings) as PrunableKind[]) {
    held[kind] = listings[kind]
      .filter(
        (x) =>
          x.metadata_file === "" ||
          (x.metadata_file !== undefined && brokenFiles.has(x.metadata_file)),
      )
      .map((x) => x.ref);
  }
  return held;
}

async function storeContent(
  store: ContentStore,
  content: PackContent,
  errors: readonly ContentError[],
): Promise<number> {
  await store.upsertPack(content.pack);
  // Trigger types before sensors and rules that name them.
  for (const t of content.triggerTypes) await store.upsertTriggerType(t);
  for (const a of content.actions) await store.upsertAction(a);
  for (const s of content.sensors) await store.upsertSensor(s);
  for (const r of content.rules) await store.upsertRule(r);
  for (const a of content.aliases) await store.upsertAlias(a);
  for (const p of content.policies) await store.upsertPolicy(p);
  if (content.configSchema) await store.upsertConfigSchema(content.configSchema);
  if (content.config) await store.upsertConfig(content.config);
  const held = await heldBack(store, content.pack.ref, new Set(errors.map((e) => e.file)));
  const keep: Record<PrunableKind, string[]> = {
    action: [...content.actions.map((x) => x.ref), ...held.action],
    rule: [...content.rules.map((x) => x.ref), ...held.rule],
    sensor: [...content.sensors.map((x) => x.ref), ...held.sensor],
    trigger_type: [...content.triggerTypes.map((x) => x.ref), ...held.trigger_type],
    alias: [...content.aliases.map((x) => x.ref), ...held.alias],
    policy: [...content.policies.map((x) => x.ref), ...held.policy],
  };
  return store.pruneResources(content.pack.ref, keep);
}

/**
 * Registers every pack found at `paths` (each a pack directory or a directory of packs).
 * Resources whose files were deleted are pruned; those whose files are present but broken keep
 * their previously registered version (see heldBack) and the error is reported.
 */
export async function registerPacks(
  store: ContentStore,
  paths: string[],
  options: RegisterOptions = {},
): Promise<RegistrationReport> {
  for (const runner of BUILTIN_RUNNER_TYPES) {
    // As StackStorm's runner registrar: a runner an operator disabled stays disabled, while
    // everything else about it follows the code. (Rules, actions and sensors, by contrast, take
    // `enabled` from their files again, as in StackStorm.)
    const stored = await store.getRunnerType(runner.name);
    await store.upsertRunnerType(
      stored && stored.enabled !== runner.enabled ? { ...runner, enabled: stored.enabled } : runner,
    );
  }
  const loadOptions: LoadOptions = { runnerTypes: await allRunnerTypes(store) };
  if (options.configsDir !== undefined) loadOptions.configsDir = options.configsDir;

  const report: RegistrationReport = {
    runnerTypes: BUILTIN_RUNNER_TYPES.length,
    packs: [],
    errors: [],
  };
  const found = await packDirectories(paths);
  for (const missing of found.missing) {
    report.packs.push({
      pack: missing.split("/").pop() ?? missing,
      path: missing,
      registered: false,
      counts: emptyCounts(),
      pruned: 0,
      errors: [{ pack: "", file: missing, message: "no such pack or packs directory" }],
    });
  }
  const seenRefs = new Map<string, string>();
  for (const dir of found.dirs) {
    const { content, errors } = await loadPack(dir, loadOptions);
    const entry: PackReport = {
      pack: content?.pack.ref ?? dir.split("/").pop() ?? dir,
      path: dir,
      registered: false,
      counts: emptyCounts(),
      pruned: 0,
      errors,
    };
    report.packs.push(entry);
    if (!content) continue;
    const earlier = seenRefs.get(content.pack.ref);
    if (earlier) {
      errors.unshift({
        pack: content.pack.ref,
        file: "pack.yaml",
        message: `pack "${content.pack.ref}" is also at ${earlier}; this copy was not registered`,
      });
      continue;
    }
    seenRefs.set(content.pack.ref, dir);
    entry.pruned = await storeContent(store, content, errors);
    entry.registered = true;
    entry.counts = {
      pack: 1,
      action: content.actions.length,
      rule: content.rules.length,
      sensor: content.sensors.length,
      trigger_type: content.triggerTypes.length,
      alias: content.aliases.length,
      policy: content.policies.length,
      config_schema: content.configSchema ? 1 : 0,
      config: content.config ? 1 : 0,
    };
  }
  report.errors = report.packs.flatMap((p) => p.errors);
  return report;
}
