/**
 * Reading a pack's files for the API (`/packs/views/files`, `/packs/views/file`). Every path is
 * resolved (symlinks included) and must stay inside the pack directory.
 */

import { createHash } from "node:crypto";
import { open, readdir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { NotFoundError, ValidationError } from "../../core/errors.ts";

/** Files larger than this are listed without content (st2web shows text files only). */
export const MAX_VIEW_BYTES = 1024 * 1024;
/** Bounds the walk of a pack with a vendored tree or a virtualenv inside. */
const MAX_FILES = 2000;
const SKIPPED_DIRS = new Set([".git", "__pycache__", "node_modules", ".venv", "virtualenv"]);
const SKIPPED_SUFFIXES = [".pyc", ".pyo"];

export interface PackFile {
  file_path: string;
  content: string;
}

/** Refuses anything but a plain relative path before touching the disk. */
export function checkRelativePath(path: string): void {
  if (
    path === "" ||
    path.includes("\0") ||
    isAbsolute(path) ||
    path.startsWith("\\") ||
    path.split(/[\\/]/).some((part) => part === "..")
  )
    throw new ValidationError(`"${path.slice(0, 200)}" is not a path inside the pack`, {
      field: "file_path",
    });
}

/** The real path of `path` under `root`, or NotFoundError; ValidationError when it escapes. */
export async function resolveInside(root: string, path: string): Promise<string> {
  checkRelativePath(path);
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(join(root, path));
  } catch {
    throw new NotFoundError(`file ${path} does not exist in the pack`);
  }
  if (!real.startsWith(realRoot + sep))
    throw new ValidationError(`"${path}" leads outside the pack`, { field: "file_path" });
  return real;
}

async function textOf(path: string, size: number): Promise<string | null> {
  if (size > MAX_VIEW_BYTES) return null;
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(size);
    await handle.read(buffer, 0, size, 0);
    // A NUL byte marks a binary file, as st2's file view decides.
    if (buffer.includes(0)) return null;
    return buffer.toString("utf8");
  } finally {
    await handle.close();
  }
}

/** Text files of the pack (binary and huge files skipped), paths relative to the pack. */
export async function packFiles(root: string): Promise<PackFile[]> {
  const realRoot = await realpath(root);
  const out: PackFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (out.length >= MAX_FILES) return;
      const full = join(dir, entry.name);
      // Symlinks are not followed: a link out of the pack must not expose the host.
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(full);
      } else if (entry.isFile() && !SKIPPED_SUFFIXES.some((s) => entry.name.endsWith(s))) {
        const info = await stat(full);
        const content = await textOf(full, info.size);
        if (content !== null) out.push({ file_path: relative(realRoot, full), content });
      }
    }
  };
  await walk(realRoot);
  return out;
}

/** The file's bytes and a strong ETag, for conditional GETs. */
export async function readPackFile(
  root: string,
  path: string,
): Promise<{ data: Buffer; etag: string; modified: Date }> {
  const real = await resolveInside(root, path);
  const info = await stat(real);
  if (!info.isFile()) throw new NotFoundError(`${path} is not a file`);
  if (info.size > 16 * MAX_VIEW_BYTES)
    throw new ValidationError(`${path} is too large to view (${info.size} bytes)`, {
      field: "file_path",
    });
  const handle = await open(real, "r");
  try {
    const data = Buffer.alloc(info.size);
    await handle.read(data, 0, info.size, 0);
    const etag = `"${createHash("sha1").update(data).digest("hex")}"`;
    return { data, etag, modified: info.mtime };
  } finally {
    await handle.close();
  }
}
