/**
 * `POST /actions/{ref}/clone` (StackStorm ≥ 3.8): copies an action's metadata file and entry
 * point into another pack's directory under a new name and registers the copy. Unlike a plain
 * `POST /actions`, this writes files, so the copy is part of the destination pack from then on.
 *
 * As st2: the destination must be an existing pack directory outside the system packs; an
 * existing destination action is replaced only with `overwrite: true` (and restored if the
 * clone fails). Squall also refuses its bundled packs and directories it cannot write to.
 */

import { constants } from "node:fs";
import { access, mkdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { dirname, extname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { parse, stringify } from "yaml";
import type { ActionDef, PackMeta } from "../../core/content/model.ts";
import { validateAction } from "../../core/content/validate.ts";
import { ValidationError } from "../../core/errors.ts";
import type { ApiContext } from "../context.ts";
import { anyObject, type JsonSchema, pathParams, responses } from "../openapi/schemas.ts";
import { entryPointPath, presentAction, requireAction } from "./actions.ts";
import { orRefuse, PackNotWritableError, refuseSystemPackName } from "./content-write.ts";
import { collectAll, isPlainObject } from "./reactor-query.ts";

/** The packs shipped with Squall (the repository's packs/): part of the installation, not user content. */
const BUNDLED_PACKS = fileURLToPath(new URL("../../../packs", import.meta.url));

const CLONE_BODY: JsonSchema = {
  type: "object",
  description: "Where to clone the action to (st2's ActionCloneAPI).",
  properties: {
    dest_pack: { type: "string", minLength: 1, maxLength: 255 },
    // A file name in the pack's actions directory: no separators, no leading dot.
    dest_action: {
      type: "string",
      minLength: 1,
      maxLength: 255,
      pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
    },
    overwrite: { type: "boolean", default: false },
  },
  required: ["dest_pack", "dest_action"],
  additionalProperties: false,
};

interface CloneBody {
  dest_pack: string;
  dest_action: string;
  overwrite?: boolean;
}

/** Workflows live under actions/workflows/, other entry points keep their extension (as st2). */
function destEntryPoint(source: ActionDef, name: string): string {
  if (source.entry_point === "") return "";
  if (source.runner_type === "orquesta" || source.runner_type === "action-chain")
    return `workflows/${name}.yaml`;
  return `${name}${extname(source.entry_point)}`;
}

async function within(root: string, path: string): Promise<boolean> {
  const real = await realpath(root).catch(() => root);
  return path === real || path.startsWith(real + sep);
}

/** The destination pack's directory, refused when Squall must not write there. */
async function writableDestination(ctx: ApiContext, name: string): Promise<PackMeta> {
  refuseSystemPackName(name, "dest_pack");
  const pack = await ctx.store.content.getPack(name);
  const isDir = pack ? (await stat(pack.path).catch(() => null))?.isDirectory() === true : false;
  if (!pack || !isDir)
    throw new ValidationError(`Destination pack '${name}' doesn't exist`, { field: "dest_pack" });
  const real = await realpath(pack.path);
  if (await within(BUNDLED_PACKS, real))
    throw new ValidationError(
      `pack ${name} is bundled with Squall (${real}); clone into a pack of your own`,
      { field: "dest_pack" },
    );
  for (const dir of [real, join(real, "actions")]) {
    const exists = await stat(dir).catch(() => null);
    if (!exists) continue;
    try {
      await access(dir, constants.W_OK);
    } catch {
      throw new PackNotWritableError(`No permission to write into ${dir} (pack ${name})`);
    }
  }
  return pack;
}

/** A file of the pack, read for a later restore; null when there is none. */
async function snapshot(path: string): Promise<{ path: string; text: string } | null> {
  try {
    return { path, text: await readFile(path, "utf8") };
  } catch {
    return null;
  }
}

/** The source's metadata document: its file when it has one, else its stored definition. */
async function sourceDocument(
  ctx: ApiContext,
  source: ActionDef,
): Promise<Record<string, unknown>> {
  const pack = await ctx.store.content.getPack(source.pack);
  if (pack && source.metadata_file !== "") {
    const found = await snapshot(join(pack.path, source.metadata_file));
    if (found) {
      const doc: unknown = parse(found.text);
      if (isPlainObject(doc)) return doc;
    }
  }
  const { ref: _ref, uid: _uid, metadata_file: _file, notify, ...doc } = source;
  // The model spells notify keys with underscores, action files with hyphens.
  const fileNotify = notify
    ? Object.fromEntries(Object.entries(notify).map(([k, v]) => [k.replace(/_/g, "-"), v]))
    : undefined;
  return { ...doc, ...(fileNotify ? { notify: fileNotify } : {}) };
}

export function actionCloneRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Params: { ref: string }; Body: CloneBody }>(
    "/actions/:ref/clone",
    {
      schema: {
        description: "Copies an action (metadata and entry point) into a pack under a new name.",
        params: pathParams("ref"),
        body: CLONE_BODY,
        response: responses(201, anyObject("The new action."), 400, 403, 404),
      },
    },
    async (request, reply) => {
      const { dest_pack: destPack, dest_action: destName, overwrite = false } = request.body;
      const source = await requireAction(ctx, request.params.ref);
      const pack = await writableDestination(ctx, destPack);
      const destRef = `${destPack}.${destName}`;
      const existing = await ctx.store.content.getAction(destRef);
      if (existing && !overwrite)
        throw new ValidationError("The requested destination action already exists", {
          field: "dest_action",
        });

      const metadataFile = `actions/${destName}.yaml`;
      const entryPoint = destEntryPoint(source, destName);
      const doc = await sourceDocument(ctx, source);
      doc.name = destName;
      if ("pack" in doc) doc.pack = destPack;
      doc.entry_point = entryPoint;
      const runnerTypes = await collectAll((p) => ctx.store.content.listRunnerTypes(p));
      const action = orRefuse(
        validateAction(doc, { pack: destPack, file: metadataFile }, { runnerTypes }),
      );
      const sourceEntry = entryPoint === "" ? null : await entryPointPath(ctx, source);

      // What overwriting replaces, so a failed clone leaves the destination as it was.
      const targets = [join(pack.path, metadataFile)];
      if (entryPoint !== "") targets.push(join(pack.path, "actions", entryPoint));
      if (existing) {
        targets.push(join(pack.path, existing.metadata_file || metadataFile));
        if (existing.entry_point !== "")
          targets.push(join(pack.path, "actions", existing.entry_point));
      }
      const backups = await Promise.all([...new Set(targets)].map(snapshot));
      try {
        if (existing) {
          for (const b of backups) if (b) await rm(b.path, { force: true });
          await ctx.store.content.deleteAction(destRef);
        }
        if (sourceEntry) {
          const target = join(pack.path, "actions", entryPoint);
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, await readFile(sourceEntry));
        }
        await mkdir(join(pack.path, "actions"), { recursive: true });
        await writeFile(join(pack.path, metadataFile), stringify(doc));
        await ctx.store.content.upsertAction(action);
      } catch (err) {
        for (const path of targets) await rm(path, { force: true }).catch(() => undefined);
        for (const b of backups) if (b) await writeFile(b.path, b.text).catch(() => undefined);
        if (existing) await ctx.store.content.upsertAction(existing);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EACCES" || code === "EPERM" || code === "EROFS")
          throw new PackNotWritableError(
            `No permission to write the clone into pack ${destPack}: ${(err as Error).message}`,
          );
        throw err;
      }
      void reply.code(201);
      return presentAction(action);
    },
  );
}
