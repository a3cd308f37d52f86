/**
 * Loads a pack directory: reads every metadata file, validates it (src/core/content) and
 * collects the good records and every error. One broken file costs only that file; a broken
 * pack.yaml costs the pack.
 */
import { readdir } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type {
  ContentError,
  PackContent,
  RunnerType,
  TriggerTypeDef,
} from "../../core/content/model.ts";
import { BUILTIN_RUNNER_TYPES } from "../../core/content/runner-types.ts";
import {
  contentError,
  type SourceContext,
  type Validated,
  validateAction,
  validateAlias,
  validateConfig,
  validateConfigSchema,
  validatePackMeta,
  validatePolicy,
  validateRule,
  validateSensor,
  validateTriggerType,
} from "../../core/content/validate.ts";
import { isDirectory, isFile, listPackFiles, metadataFilesIn } from "./pack-files.ts";
import { readMetadataFile } from "./yaml-file.ts";

export const MANIFEST_FILE = "pack.yaml";
export const CONFIG_SCHEMA_FILE = "config.schema.yaml";

/** Runners whose actions are files in the pack, so an empty entry_point cannot work. */
const RUNNERS_NEEDING_ENTRY_POINT = new Set([
  "local-shell-script",
  "remote-shell-script",
  "python-script",
  "orquesta",
  "action-chain",
]);

export interface LoadOptions {
  /** Directory holding `<pack>.yaml` config values (StackStorm's /opt/stackstorm/configs). */
  configsDir?: string;
  /** Runner types actions may use; defaults to the built-in ones. */
  runnerTypes?: readonly RunnerType[];
}

export interface LoadResult {
  content: PackContent | null;
  errors: ContentError[];
}

type ParsedFile =
  | { ok: true; value: unknown; ctx: SourceContext }
  | { ok: false; error: ContentError };

async function parseFile(packDir: string, pack: string, rel: string): Promise<ParsedFile> {
  const parsed = await readMetadataFile(join(packDir, rel));
  if (!parsed.ok) {
    const error: ContentError = { pack, file: rel, message: `not valid YAML: ${parsed.message}` };
    if (parsed.line !== undefined) error.line = parsed.line;
    if (parsed.column !== undefined) error.column = parsed.column;
    return { ok: false, error };
  }
  return { ok: true, value: parsed.value, ctx: { pack, file: rel, locate: parsed.locate } };
}

/** Reads each metadata file of `subdir`, validating it; collects values and errors. */
async function loadKind<T>(
  packDir: string,
  pack: string,
  subdir: string,
  errors: ContentError[],
  validate: (raw: unknown, ctx: SourceContext) => Validated<T> | Promise<Validated<T>>,
  skip: (name: string) => boolean = () => false,
): Promise<T[]> {
  const out: T[] = [];
  for (const name of await metadataFilesIn(join(packDir, subdir))) {
    if (skip(name)) continue;
    const file = await parseFile(packDir, pack, `${subdir}/${name}`);
    if (!file.ok) {
      errors.push(file.error);
      continue;
    }
    const result = await validate(file.value, file.ctx);
    if (result.ok) out.push(result.value);
    else errors.push(...result.errors);
  }
  return out;
}

/** Keeps the first record per ref; later files with the same name are reported. */
function dedupe<T extends { ref: string; metadata_file?: string }>(
  items: T[],
  pack: string,
  kind: string,
  errors: ContentError[],
): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const first = seen.get(item.ref);
    if (first) {
      errors.push({
        pack,
        file: item.metadata_file ?? "",
        field: "name",
        message: `${kind} "${item.ref}" is already defined in ${first.metadata_file ?? "another file"}; this one is ignored`,
      });
    } else {
      seen.set(item.ref, item);
    }
  }
  return [...seen.values()];
}

export async function loadPack(dir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const packDir = resolve(dir);
  const dirName = basename(packDir);
  const errors: ContentError[] = [];
  const manifest = await parseFile(packDir, dirName, MANIFEST_FILE);
  if (!manifest.ok) return { content: null, errors: [manifest.error] };
  const meta = validatePackMeta(manifest.value, {
    file: MANIFEST_FILE,
    locate: manifest.ctx.locate,
    path: packDir,
    dirName,
    files: await listPackFiles(packDir),
  });
  if (!meta.ok) return { content: null, errors: meta.errors };
  const pack = meta.value.ref;
  const runnerTypes = options.runnerTypes ?? BUILTIN_RUNNER_TYPES;

  const actions = await loadKind(
    packDir,
    pack,
    "actions",
    errors,
    async (raw, ctx) => {
      const result = validateAction(raw, ctx, { runnerTypes });
      if (!result.ok) return result;
      const entryErrors = await checkEntryPoint(packDir, "actions", result.value, ctx);
      return entryErrors.length > 0 ? { ok: false, errors: entryErrors } : result;
    },
    // actions/config.yaml is the legacy pack-wide action config, not an action.
    (name) => /^config\.(yaml|yml|json)$/.test(name),
  );
  const rules = await loadKind(packDir, pack, "rules", errors, validateRule);
  const sensorResults = await loadKind(packDir, pack, "sensors", errors, async (raw, ctx) => {
    const result = validateSensor(raw, ctx);
    if (!result.ok) return result;
    const entryErrors = await checkEntryPoint(packDir, "sensors", result.value.sensor, ctx);
    return entryErrors.length > 0 ? { ok: false, errors: entryErrors } : result;
  });
  const triggerFiles = await loadKind(packDir, pack, "triggers", errors, validateTriggerType);
  const aliases = await loadKind(packDir, pack, "aliases", errors, validateAlias);
  const policies = await loadKind(packDir, pack, "policies", errors, validatePolicy);

  const triggerTypes: TriggerTypeDef[] = [
    ...sensorResults.flatMap((s) => s.triggerTypes),
    ...triggerFiles,
  ];

  let configSchema: PackContent["configSchema"] = null;
  if (await isFile(join(packDir, CONFIG_SCHEMA_FILE))) {
    const file = await parseFile(packDir, pack, CONFIG_SCHEMA_FILE);
    if (!file.ok) errors.push(file.error);
    else {
      const result = validateConfigSchema(file.value, file.ctx);
      if (result.ok) configSchema = result.value;
      else errors.push(...result.errors);
    }
  }

  let config: PackContent["config"] = null;
  if (options.configsDir) {
    const configPath = join(resolve(options.configsDir), `${pack}.yaml`);
    if (await isFile(configPath)) {
      const parsed = await readMetadataFile(configPath);
      const ctx: SourceContext = { pack, file: configPath };
      if (!parsed.ok) {
        errors.push({
          pack,
          file: configPath,
          message: `not valid YAML: ${parsed.message}`,
          ...(parsed.line !== undefined ? { line: parsed.line, column: parsed.column ?? 1 } : {}),
        });
      } else {
        const result = validateConfig(parsed.value, configSchema, {
          ...ctx,
          locate: parsed.locate,
        });
        if (result.ok) config = result.value;
        else errors.push(...result.errors);
      }
    }
  }

  return {
    content: {
      pack: meta.value,
      actions: dedupe(actions, pack, "action", errors),
      rules: dedupe(rules, pack, "rule", errors),
      sensors: dedupe(
        sensorResults.map((s) => s.sensor),
        pack,
        "sensor",
        errors,
      ),
      triggerTypes: dedupe(triggerTypes, pack, "trigger type", errors),
      aliases: dedupe(aliases, pack, "alias", errors),
      policies: dedupe(policies, pack, "policy", errors),
      configSchema,
      config,
    },
    errors,
  };
}

async function checkEntryPoint(
  packDir: string,
  subdir: "actions" | "sensors",
  record: { entry_point: string; runner_type?: string },
  ctx: SourceContext,
): Promise<ContentError[]> {
  const entry = record.entry_point;
  if (entry === "") {
    if (record.runner_type && RUNNERS_NEEDING_ENTRY_POINT.has(record.runner_type)) {
      return [
        contentError(
          ctx,
          ["entry_point"],
          `runner "${record.runner_type}" needs an entry_point (a file under ${subdir}/)`,
        ),
      ];
    }
    return [];
  }
  const target = resolve(packDir, subdir, entry);
  if (!target.startsWith(`${packDir}/`)) {
    return [contentError(ctx, ["entry_point"], `entry_point "${entry}" points outside the pack`)];
  }
  if (!(await isFile(target))) {
    return [
      contentError(
        ctx,
        ["entry_point"],
        `entry_point "${entry}" does not exist (looked for ${subdir}/${entry})`,
      ),
    ];
  }
  return [];
}

/**
 * Every pack under the given paths, each either a pack directory or a directory whose
 * subdirectories holding a pack.yaml are packs (in name order).
 */
export async function loadPacks(
  dirs: string[],
  options: LoadOptions = {},
): Promise<Array<LoadResult & { dir: string }>> {
  const out: Array<LoadResult & { dir: string }> = [];
  const found = await packDirectories(dirs);
  for (const missing of found.missing) {
    out.push({
      dir: missing,
      content: null,
      errors: [{ pack: basename(missing), file: missing, message: "no such directory" }],
    });
  }
  for (const dir of found.dirs) out.push({ dir, ...(await loadPack(dir, options)) });
  return out;
}

export async function packDirectories(
  paths: string[],
): Promise<{ dirs: string[]; missing: string[] }> {
  const dirs: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (await isFile(join(abs, MANIFEST_FILE))) {
      dirs.push(abs);
    } else if (!(await isDirectory(abs))) {
      missing.push(abs);
    } else {
      for (const name of (await readdir(abs)).sort()) {
        const sub = join(abs, name);
        if (await isFile(join(sub, MANIFEST_FILE))) dirs.push(sub);
      }
    }
  }
  return { dirs, missing };
}
