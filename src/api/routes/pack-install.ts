/**
 * `POST /packs/install` and `POST /packs/uninstall` (StackStorm's paths and request bodies).
 *
 * StackStorm answers these with an execution of its `packs.install`/`packs.uninstall` workflow
 * and does the work there; Squall has no such pack, so it does the work in the request and
 * answers with what it did: the packs installed (or removed) and the registration report. A
 * client expecting st2's `{execution_id}` (the official `st2 pack install`) cannot follow this;
 * `squall pack install` can.
 *
 * Install copies a directory or clones a git URL into the first writable pack directory and
 * registers it; uninstall unregisters the pack and deletes its directory when it lives in one of
 * the pack directories. Bundled packs (core, linux, …) are refused either way.
 */

import { rm, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import type { PrunableKind, Store } from "../../engine/store/contract.ts";
import type { PackRegistrationSummary } from "../context.ts";
import { anyObject, type JsonSchema, responses } from "../openapi/schemas.ts";
import { fetchPack, installDirectory } from "./pack-sources.ts";

export interface PackInstallDeps {
  store: Store;
  /** Registers packs by absolute path (the node's registration, which reloads rules). */
  registerPacks(packs: string[]): Promise<PackRegistrationSummary>;
  /** The node's pack directories, in order; installs go to the first writable one. */
  packsPaths: readonly string[];
  /** The packs shipped with Squall: never installed over nor removed. Default: the repository's. */
  bundledPacksDir?: string;
  /** Re-reads rules after a pack's rules were removed. */
  reloadRules?: () => Promise<unknown>;
}

const INSTALL_BODY: JsonSchema = {
  type: "object",
  properties: {
    packs: {
      type: "array",
      items: { type: "string", minLength: 1, maxLength: 4096 },
      minItems: 1,
      maxItems: 100,
    },
    force: { type: "boolean" },
    // st2's options that have no meaning here are accepted and ignored, so st2's body passes.
    skip_dependencies: { type: "boolean" },
    checkout_submodules: { type: "boolean" },
    python3: { type: "boolean" },
  },
  required: ["packs"],
  additionalProperties: false,
};

const UNINSTALL_BODY: JsonSchema = {
  type: "object",
  properties: {
    packs: {
      type: "array",
      items: { type: "string", minLength: 1, maxLength: 256 },
      minItems: 1,
      maxItems: 100,
    },
  },
  required: ["packs"],
  additionalProperties: false,
};

const KINDS: PrunableKind[] = ["action", "rule", "sensor", "trigger_type", "alias", "policy"];

function inside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep) && !rel.includes(`..${sep}`);
}

/** Where Squall's own packs are (as src/engine/config.ts places them). */
export const BUNDLED_PACKS_DIR = fileURLToPath(new URL("../../../packs", import.meta.url));

export function packInstallRoutes(app: FastifyInstance, options: PackInstallDeps): void {
  const deps = { ...options, bundledPacksDir: options.bundledPacksDir ?? BUNDLED_PACKS_DIR };
  /** Packs shipped with Squall (core, default, linux…) are its own. */
  const refuseOwn = async (pack: string) => {
    const registered = await deps.store.content.getPack(pack);
    const shipped = await stat(join(deps.bundledPacksDir, pack)).catch(() => null);
    if (shipped !== null || (registered && inside(deps.bundledPacksDir, registered.path)))
      throw new ValidationError(
        `pack ${pack} is bundled with Squall and cannot be replaced or removed`,
        { field: "packs" },
      );
  };

  app.post<{ Body: { packs: string[]; force?: boolean } }>(
    "/packs/install",
    {
      schema: {
        description:
          "Installs packs from git URLs (`url` or `url=branch`) or absolute directories, and registers them. Answers when done, with the packs and the registration report (StackStorm answers with an execution instead).",
        body: INSTALL_BODY,
        response: responses(
          200,
          anyObject("{installed: [{pack, path, source}], registration}"),
          400,
          409,
        ),
      },
    },
    async (request) => {
      const dir = await installDirectory(deps.packsPaths, deps.bundledPacksDir);
      const installed = [];
      for (const source of request.body.packs)
        installed.push(
          await fetchPack(source, dir, { force: request.body.force === true, refuse: refuseOwn }),
        );
      const registration = await deps.registerPacks(installed.map((p) => p.path));
      return { installed, registration };
    },
  );

  app.post<{ Body: { packs: string[] } }>(
    "/packs/uninstall",
    {
      schema: {
        description:
          "Unregisters packs and deletes their directories when they are in a pack directory.",
        body: UNINSTALL_BODY,
        response: responses(200, anyObject("{removed: [{pack, path, files_deleted}]}"), 400, 404),
      },
    },
    async (request) => {
      const metas = [];
      // Every name is checked before anything is removed, so a bad list changes nothing.
      for (const pack of request.body.packs) {
        const meta = await deps.store.content.getPack(pack);
        if (!meta) throw new NotFoundError(`pack ${pack} is not registered`);
        await refuseOwn(pack);
        metas.push(meta);
      }
      const removed = [];
      for (const meta of metas) {
        await deps.store.content.pruneResources(
          meta.ref,
          Object.fromEntries(KINDS.map((k) => [k, []])),
        );
        await deps.store.content.deletePack(meta.ref);
        const deletable =
          meta.path !== "" &&
          deps.packsPaths.some(
            (d) => resolve(d) !== resolve(deps.bundledPacksDir) && inside(d, meta.path),
          );
        if (deletable) await rm(meta.path, { recursive: true, force: true });
        removed.push({ pack: meta.ref, path: meta.path, files_deleted: deletable });
      }
      await deps.reloadRules?.();
      return { removed };
    },
  );
}
