/**
 * Resolves what a user asked to register (nothing, pack names, or paths) into directories,
 * then registers them. Names are looked up in the configured packs directories, as
 * `st2 pack register <name>` looks in StackStorm's packs base paths.
 */

import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { ContentStore } from "../store/contract.ts";
import { MANIFEST_FILE } from "./loader.ts";
import { emptyCounts, type RegistrationReport, registerPacks } from "./registrar.ts";

export interface PackLocations {
  packsPaths: string[];
  configsDir: string;
}

export async function registerPackPaths(
  store: ContentStore,
  requested: string[],
  locations: PackLocations,
): Promise<RegistrationReport> {
  const paths: string[] = [];
  const unknown: string[] = [];
  if (requested.length === 0) {
    // A configured directory that does not exist yet (e.g. ~/.squall/packs) is simply empty.
    paths.push(...locations.packsPaths.filter((p) => existsSync(p)));
  }
  for (const item of requested) {
    if (isAbsolute(item)) {
      paths.push(item);
      continue;
    }
    const dir = locations.packsPaths
      .map((base) => join(base, item))
      .find((d) => existsSync(join(d, MANIFEST_FILE)));
    if (dir) paths.push(dir);
    else unknown.push(item);
  }
  const report = await registerPacks(store, paths, { configsDir: locations.configsDir });
  for (const name of unknown) {
    const error = {
      pack: name,
      file: name,
      message: `no pack named "${name}" in ${locations.packsPaths.join(", ")}; give a path to register a pack elsewhere`,
    };
    report.errors.push(error);
    report.packs.push({
      pack: name,
      path: "",
      registered: false,
      counts: emptyCounts(),
      pruned: 0,
      errors: [error],
    });
  }
  return report;
}
