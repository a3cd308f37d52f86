/**
 * Fetching packs for `POST /packs/install`: a local directory is copied, a git URL cloned
 * (`file://` URLs work offline), into a temporary directory beside the destination; the pack's
 * name is read from its pack.yaml, and only then is it moved into place. StackStorm runs this as
 * its `packs.install` action; Squall does it in the request (see packs.ts for the answer).
 */

import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, cp, mkdir, mkdtemp, readFile, rename, rm, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { ConflictError, SquallError, ValidationError } from "../../core/errors.ts";

const run = promisify(execFile);

/** The pack could not be fetched (git failed, the directory is unreadable). */
export class PackFetchError extends SquallError {
  override readonly code: string = "pack_fetch_failed";
  readonly statusCode = 400;
}

/** What a source string names: a git repository (with an optional ref) or a local directory. */
export type PackSource =
  | { kind: "git"; url: string; ref?: string }
  | { kind: "directory"; path: string };

const GIT_URL = /^(?:https?:\/\/|ssh:\/\/|git:\/\/|file:\/\/|git@[^:\s]+:)/;
const PACK_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * st2's forms: a git URL, optionally `=<branch or tag>`; an absolute directory. A bare name
 * would come from the StackStorm Exchange index, which Squall does not read.
 */
export function parseSource(raw: string): PackSource {
  const text = raw.trim();
  if (text === "" || text.startsWith("-"))
    throw new ValidationError(`"${raw.slice(0, 200)}" is not a pack source`, { field: "packs" });
  if (GIT_URL.test(text) || text.endsWith(".git")) {
    // `url=ref`: the ref follows the last "=" after the path (URLs rarely contain "=").
    const eq = text.lastIndexOf("=");
    const url = eq > text.indexOf("//") + 1 && eq > 0 ? text.slice(0, eq) : text;
    const ref = url === text ? undefined : text.slice(eq + 1);
    if (ref !== undefined && (ref === "" || ref.startsWith("-")))
      throw new ValidationError(`"${ref}" is not a git branch or tag`, { field: "packs" });
    return ref === undefined ? { kind: "git", url } : { kind: "git", url, ref };
  }
  if (isAbsolute(text)) return { kind: "directory", path: resolve(text) };
  throw new ValidationError(
    `"${text.slice(0, 200)}" is neither a git URL nor an absolute directory; installing by name from the StackStorm Exchange is not supported (give the pack's git URL)`,
    { field: "packs" },
  );
}

/** The first of the pack directories Squall may write into (created when missing). */
export async function installDirectory(
  packsPaths: readonly string[],
  bundled: string,
): Promise<string> {
  for (const dir of packsPaths) {
    if (resolve(dir) === resolve(bundled)) continue;
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
      return dir;
    } catch {
      // Read-only or not creatable: try the next one.
    }
  }
  throw new ValidationError(
    `no writable pack directory to install into (pack paths: ${packsPaths.join(", ")}); add one with SQUALL_PACKS_PATH`,
    { field: "packs" },
  );
}

/** The pack's ref as its pack.yaml gives it (`ref`, else `name`), checked as a directory name. */
async function packName(dir: string, source: string): Promise<string> {
  let doc: unknown;
  try {
    doc = parse(await readFile(join(dir, "pack.yaml"), "utf8"));
  } catch (err) {
    throw new PackFetchError(
      `${source} has no readable pack.yaml at its top level: ${(err as Error).message}`,
    );
  }
  const meta = (doc ?? {}) as Record<string, unknown>;
  const name = typeof meta.ref === "string" ? meta.ref : meta.name;
  if (typeof name !== "string" || !PACK_NAME.test(name))
    throw new PackFetchError(
      `${source}: pack.yaml must give a ref or name of letters, digits, "_" and "-" (got ${JSON.stringify(name)})`,
    );
  return name;
}

async function fetchInto(source: PackSource, tmp: string, raw: string): Promise<void> {
  if (source.kind === "directory") {
    const info = await stat(source.path).catch(() => null);
    if (!info?.isDirectory()) throw new PackFetchError(`${source.path} is not a directory`);
    await cp(source.path, tmp, {
      recursive: true,
      // The repository's history is not part of the pack.
      filter: (from) => !relative(source.path, from).split(/[\\/]/).includes(".git"),
    });
    return;
  }
  const args = [
    "clone",
    "--quiet",
    ...(source.ref ? ["--branch", source.ref] : []),
    "--",
    source.url,
    tmp,
  ];
  try {
    await run("git", args, {
      timeout: 300_000,
      maxBuffer: 4 * 1024 * 1024,
      // Never wait for a password nobody will type.
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "true" },
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new PackFetchError(
      `git clone ${raw} failed: ${(e.stderr || e.message).trim().slice(0, 500)}`,
    );
  }
}

export interface FetchedPack {
  pack: string;
  path: string;
  source: string;
}

/**
 * Fetches `raw` and moves it to `<dir>/<pack>`. `refuse(pack)` throws for packs that may not be
 * installed (bundled ones); an installed pack is replaced only with `force`.
 */
export async function fetchPack(
  raw: string,
  dir: string,
  options: { force: boolean; refuse: (pack: string) => Promise<void> },
): Promise<FetchedPack> {
  const source = parseSource(raw);
  const tmp = await mkdtemp(join(dir, ".installing-"));
  try {
    const checkout = join(tmp, "pack");
    await fetchInto(source, checkout, raw);
    const pack = await packName(checkout, raw);
    await options.refuse(pack);
    const target = join(dir, pack);
    if (await stat(target).catch(() => null)) {
      if (!options.force)
        throw new ConflictError(
          `pack ${pack} is already installed at ${target}; install with force to replace it`,
        );
      await rm(target, { recursive: true, force: true });
    }
    await rename(checkout, target);
    return { pack, path: target, source: raw };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
