/**
 * Shared plumbing for the metadata validators: where a document came from, how schema issues
 * become ContentErrors, and the result type.
 */
import type { ContentError } from "./model.ts";
import { checkAgainst, type SchemaIssue } from "./schema-check.ts";
import type { FieldPath, Locate } from "./yaml-source.ts";

/** Where a metadata document came from. */
export interface SourceContext {
  /** Pack ref the file belongs to (the pack directory's pack). */
  pack: string;
  /** Path of the file relative to the pack directory, e.g. `actions/echo.yaml`. */
  file: string;
  /** Line lookup for field paths; absent for documents that did not come from text. */
  locate?: Locate;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: ContentError[] };

export function fieldName(path: FieldPath): string {
  return path.map(String).join(".");
}

export function contentError(
  ctx: SourceContext,
  path: FieldPath | null,
  message: string,
): ContentError {
  const error: ContentError = { pack: ctx.pack, file: ctx.file, message };
  if (path === null) return error;
  if (path.length > 0) error.field = fieldName(path);
  const pos = ctx.locate?.(path);
  if (pos) {
    error.line = pos.line;
    error.column = pos.column;
  }
  return error;
}

export function issuesToErrors(ctx: SourceContext, issues: readonly SchemaIssue[]): ContentError[] {
  return issues.map((issue) =>
    contentError(
      ctx,
      issue.path,
      issue.path.length > 0 ? `${fieldName(issue.path)} ${issue.message}` : issue.message,
    ),
  );
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Schema check plus "the document is a mapping"; returns errors or the mapping. */
export function checkDocument(
  schemaId: string,
  doc: unknown,
  ctx: SourceContext,
  what: string,
): { doc: Record<string, unknown>; errors: ContentError[] } {
  if (!isRecord(doc)) {
    const shape =
      doc === null || doc === undefined ? "empty" : `a ${Array.isArray(doc) ? "list" : typeof doc}`;
    return {
      doc: {},
      errors: [contentError(ctx, [], `${what} must be a mapping, but the file is ${shape}`)],
    };
  }
  return { doc, errors: issuesToErrors(ctx, checkAgainst(schemaId, doc)) };
}

/**
 * Resources name their pack only to repeat it; StackStorm refuses a file whose `pack` differs
 * from the pack it sits in, since registering it elsewhere would surprise everyone.
 */
export function checkPackField(doc: Record<string, unknown>, ctx: SourceContext): ContentError[] {
  const declared = doc.pack;
  if (typeof declared === "string" && declared !== "" && declared !== ctx.pack) {
    return [
      contentError(
        ctx,
        ["pack"],
        `pack is "${declared}" but the file is in pack "${ctx.pack}"; remove the field or make them match`,
      ),
    ];
  }
  return [];
}

export function normalizeTags(tags: unknown): Array<{ name: string; value: string }> | undefined {
  if (!Array.isArray(tags)) return undefined;
  return tags.filter(isRecord).map((t) => ({
    name: String(t.name),
    value: t.value === undefined || t.value === null ? "" : String(t.value),
  }));
}

export function optionalString(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
