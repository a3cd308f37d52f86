/**
 * Directory listing for packs: which metadata files a content directory holds, and the pack's
 * file list StackStorm keeps on the pack record.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export const METADATA_EXTENSIONS = [".yaml", ".yml", ".json"] as const;

/** Entries skipped in the pack file list (StackStorm excludes *.pyc and .git). */
const SKIPPED = new Set([".git", "__pycache__", "node_modules", ".venv", "virtualenv"]);
/** A pack with more files than this is listed only this far; the list is informational. */
const MAX_LISTED_FILES = 5000;

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Metadata files directly in `dir` (no recursion, so actions/workflows is not read), sorted. */
export async function metadataFilesIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    if (!METADATA_EXTENSIONS.some((ext) => name.endsWith(ext))) continue;
    if (await isFile(join(dir, name))) out.push(name);
  }
  return out;
}

/** Files of the pack, relative to it, breadth-first and bounded. */
export async function listPackFiles(packDir: string): Promise<string[]> {
  const out: string[] = [];
  const queue: string[] = [""];
  while (queue.length > 0 && out.length < MAX_LISTED_FILES) {
    const rel = queue.shift() as string;
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(join(packDir, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (SKIPPED.has(entry.name) || entry.name.endsWith(".pyc")) continue;
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) queue.push(path);
      else if (entry.isFile() && out.length < MAX_LISTED_FILES) out.push(path);
    }
  }
  return out.sort();
}
