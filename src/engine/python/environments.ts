/**
 * Per-pack Python virtualenvs, as StackStorm's `packs.setup_virtualenv` makes them: a pack with a
 * `requirements.txt` runs in its own venv with those requirements installed; a pack without one
 * runs with the base interpreter.
 *
 * - A venv lives in `<home>/virtualenvs/<pack>-<hash>`, the hash covering requirements.txt and
 *   the base interpreter, so re-registering an unchanged pack reuses it (a marker file written
 *   last tells a complete venv from one a crash interrupted) and a changed one gets a fresh one.
 * - Builds happen in the background: registration only records the pack and starts the build,
 *   so Squall's startup never waits for pip. `ready(pack)` is what an execution awaits.
 * - A failed build (venv or pip) is reported against that pack only: it is logged, `status()`
 *   shows it, and executions of the pack fail with PythonEnvironmentError naming the pack and
 *   pip's message. Other packs are unaffected. Registering the pack again retries.
 */

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SquallError } from "../../core/errors.ts";
import type { Logger } from "../logger.ts";
import { ProcessStartError, runProcessGroup } from "../runners/process-group.ts";

export const REQUIREMENTS_FILE = "requirements.txt";
export const VENV_DIR = "virtualenvs";
const MARKER_FILE = ".squall-complete";
const DEFAULT_BUILD_TIMEOUT_MS = 15 * 60_000;
/** How much of pip's output the error keeps: the end, where pip says what went wrong. */
const ERROR_TAIL_CHARS = 2_000;

/** A pack's virtualenv could not be built; executions of that pack fail with it. */
export class PythonEnvironmentError extends SquallError {
  override readonly code: string = "python_environment_error";
  constructor(
    readonly pack: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type EnvironmentState = "system" | "building" | "ready" | "failed";

export interface EnvironmentStatus {
  pack: string;
  state: EnvironmentState;
  /** Interpreter executions of the pack use (once ready). */
  python: string;
  /** The venv directory; null for packs without requirements.txt. */
  path: string | null;
  error?: string;
}

export interface PackLocation {
  ref: string;
  /** Absolute path of the pack directory. */
  path: string;
}

export interface PythonEnvironmentsOptions {
  /** Squall's home directory; venvs go under `<home>/virtualenvs`. */
  home: string;
  log: Pick<Logger, "info" | "warn" | "error">;
  /** Base interpreter, used as is for packs without requirements and to create venvs. */
  python?: string;
  /** Extra `pip install` options (StackStorm's `[actionrunner] pip_opts`), e.g. `--no-index`. */
  pipOptions?: readonly string[];
  /** Environment for python/pip (proxies, PIP_* settings); default: Squall's own. */
  env?: Record<string, string | undefined>;
  /** Per build step (venv creation, pip install). Default 15 minutes. */
  buildTimeoutMs?: number;
}

export interface PythonEnvironments {
  /** Records the pack and, if it has requirements, starts building its venv in the background. */
  onPackRegistered(pack: PackLocation): void;
  /**
   * The interpreter for the pack's executions once its venv is ready; rejects with
   * PythonEnvironmentError when the build failed. A pack not seen yet is registered first.
   */
  ready(pack: PackLocation): Promise<string>;
  status(pack: string): EnvironmentStatus | undefined;
  /** Stops builds in progress (their packs end up failed) and waits for them. */
  close(): Promise<void>;
}

interface Entry {
  status: EnvironmentStatus;
  hash: string | null;
  done: Promise<void>;
}

export function createPythonEnvironments(options: PythonEnvironmentsOptions): PythonEnvironments {
  const python = options.python ?? "python3";
  const root = join(options.home, VENV_DIR);
  const entries = new Map<string, Entry>();
  const stop = new AbortController();
  const env = cleanEnv(options.env ?? process.env);

  function register(pack: PackLocation): Entry {
    const requirements = readRequirements(pack.path);
    const previous = entries.get(pack.ref);
    if (requirements === null) {
      const entry: Entry = {
        status: { pack: pack.ref, state: "system", python, path: null },
        hash: null,
        done: previous?.done ?? Promise.resolve(),
      };
      entries.set(pack.ref, entry);
      return entry;
    }
    const hash = createHash("sha256")
      .update(python)
      .update("\0")
      .update(requirements)
      .digest("hex");
    // Same requirements as a build that is running or succeeded: nothing to do.
    if (previous && previous.hash === hash && previous.status.state !== "failed") return previous;
    const dir = join(root, `${safeName(pack.ref)}-${hash.slice(0, 16)}`);
    const venvPython = join(dir, "bin", "python");
    const status: EnvironmentStatus = {
      pack: pack.ref,
      state: "building",
      python: venvPython,
      path: dir,
    };
    const entry: Entry = { status, hash, done: Promise.resolve() };
    // Builds of one pack run one after the other: a re-registration never races the build
    // it replaces.
    entry.done = (previous?.done ?? Promise.resolve()).then(async () => {
      try {
        if (existsSync(join(dir, MARKER_FILE))) {
          status.state = "ready";
          return;
        }
        await build(pack, dir, hash);
        status.state = "ready";
        options.log.info({ pack: pack.ref, virtualenv: dir }, "pack virtualenv ready");
        await removeStale(pack.ref, dir);
      } catch (error) {
        status.state = "failed";
        status.error = error instanceof Error ? error.message : String(error);
        options.log.error({ pack: pack.ref, err: status.error }, "pack virtualenv build failed");
      }
    });
    entries.set(pack.ref, entry);
    return entry;
  }

  async function build(pack: PackLocation, dir: string, hash: string): Promise<void> {
    options.log.info({ pack: pack.ref, virtualenv: dir }, "building pack virtualenv");
    await rm(dir, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    await step(pack.ref, "creating the virtualenv", python, ["-m", "venv", dir], pack.path);
    await step(
      pack.ref,
      "pip install",
      join(dir, "bin", "python"),
      [
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        ...(options.pipOptions ?? []),
        "-r",
        join(pack.path, REQUIREMENTS_FILE),
      ],
      // Relative paths in requirements.txt (./vendor/x) are resolved from the pack directory.
      pack.path,
    );
    await writeFile(
      join(dir, MARKER_FILE),
      `${JSON.stringify({ pack: pack.ref, requirements_sha256: hash, python })}\n`,
    );
  }

  async function step(
    pack: string,
    what: string,
    command: string,
    args: string[],
    cwd: string,
  ): Promise<void> {
    let result: Awaited<ReturnType<typeof runProcessGroup>>;
    try {
      result = await runProcessGroup({
        command,
        args,
        cwd,
        env,
        timeoutMs: options.buildTimeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS,
        signal: stop.signal,
        onOutput: () => {},
      });
    } catch (error) {
      const hint =
        error instanceof ProcessStartError
          ? " (is Python installed? On Debian: apt-get install python3 python3-venv)"
          : "";
      throw new PythonEnvironmentError(
        pack,
        `virtualenv of pack "${pack}": ${what} failed: ${(error as Error).message}${hint}`,
        { cause: error },
      );
    }
    if (result.returnCode === 0 && !result.timedOut && !result.canceled) return;
    const why = result.timedOut
      ? "timed out"
      : result.canceled
        ? "was stopped (Squall is shutting down)"
        : `exited with code ${result.returnCode}`;
    const output = tail(`${result.stderr}\n${result.stdout}`.trim());
    const hint =
      what === "creating the virtualenv" && /ensurepip|venv/.test(output)
        ? "\n(On Debian, install the python3-venv package.)"
        : "";
    throw new PythonEnvironmentError(
      pack,
      `virtualenv of pack "${pack}": ${what} ${why}:\n${output}${hint}`,
    );
  }

  async function removeStale(pack: string, keep: string): Promise<void> {
    const prefix = `${safeName(pack)}-`;
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      return;
    }
    for (const name of names) {
      const dir = join(root, name);
      // Only names of the form <pack>-<16 hex>: another pack's name may start with this one's.
      if (
        dir !== keep &&
        name.startsWith(prefix) &&
        /^[0-9a-f]{16}$/.test(name.slice(prefix.length))
      )
        await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  }

  return {
    onPackRegistered(pack) {
      register(pack);
    },
    async ready(pack) {
      const entry = entries.get(pack.ref) ?? register(pack);
      await entry.done;
      const { status } = entry;
      if (status.state === "failed") {
        throw new PythonEnvironmentError(
          pack.ref,
          status.error ?? `virtualenv of pack "${pack.ref}" failed`,
        );
      }
      return status.python;
    },
    status(pack) {
      const entry = entries.get(pack);
      return entry ? { ...entry.status } : undefined;
    },
    async close() {
      stop.abort();
      await Promise.all([...entries.values()].map((e) => e.done));
    },
  };
}

function readRequirements(packPath: string): string | null {
  try {
    return readFileSync(join(packPath, REQUIREMENTS_FILE), "utf8");
  } catch {
    return null;
  }
}

/** Pack refs are `[a-z0-9_-]`; anything else is replaced so a ref can never escape the root. */
function safeName(ref: string): string {
  return ref.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^\.+/, "_");
}

function tail(text: string): string {
  return text.length <= ERROR_TAIL_CHARS ? text : `…${text.slice(-ERROR_TAIL_CHARS)}`;
}

function cleanEnv(base: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    // SQUALL_* may hold server credentials; a venv's PYTHONPATH must not leak into its build.
    if (value !== undefined && !key.startsWith("SQUALL_") && key !== "PYTHONPATH") env[key] = value;
  }
  return env;
}
