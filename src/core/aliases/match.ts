/**
 * Which alias a chat command means (StackStorm's actionalias_matching): every representation of
 * every enabled alias is tried; exactly one must fit. Aliases with `match_multiple` formats are
 * tried only when no ordinary format fits.
 */

import type { AliasDef } from "../content/model.ts";
import { ValidationError } from "../errors.ts";
import { AliasParseError, compileFormat, extractParameters } from "./format.ts";

/** No alias, or more than one, fits the command (StackStorm's ActionAliasAmbiguityException). */
export class AliasAmbiguityError extends ValidationError {
  override readonly code: string = "alias_ambiguous";
}

export type AliasFormatEntry = AliasDef["formats"][number];

export interface NormalisedFormat {
  /** The help text; null for a dict format without `display`. */
  display: string | null;
  representations: string[];
  matchMultiple: boolean;
}

/** A format as a string (display and sole representation) or `{display, representation, match_multiple}`. */
export function normaliseFormat(format: unknown): NormalisedFormat {
  if (typeof format === "string")
    return { display: format, representations: [format], matchMultiple: false };
  if (format !== null && typeof format === "object" && !Array.isArray(format)) {
    const f = format as Record<string, unknown>;
    const rep = f.representation;
    const representations =
      typeof rep === "string"
        ? [rep]
        : Array.isArray(rep)
          ? rep.filter((r): r is string => typeof r === "string")
          : [];
    return {
      display: typeof f.display === "string" ? f.display : null,
      representations,
      matchMultiple: f.match_multiple === true,
    };
  }
  throw new ValidationError(
    `alias format ${JSON.stringify(format)} is neither a string nor a {display, representation} object`,
    { field: "formats" },
  );
}

export interface AliasMatch<A extends Pick<AliasDef, "formats"> = AliasDef> {
  alias: A;
  format: AliasFormatEntry;
  display: string | null;
  representation: string;
  matchMultiple: boolean;
}

/** Every (alias, representation) pair; a display-only format stands for the empty command. */
export function listFormatStrings<A extends Pick<AliasDef, "formats">>(
  aliases: readonly A[],
): Array<AliasMatch<A>> {
  const out: Array<AliasMatch<A>> = [];
  for (const alias of aliases)
    for (const format of alias.formats) {
      const { display, representations, matchMultiple } = normaliseFormat(format);
      if (display !== null && representations.length === 0)
        out.push({ alias, format, display, representation: "", matchMultiple });
      for (const representation of representations)
        out.push({ alias, format, display, representation, matchMultiple });
    }
  return out;
}

function fits(representation: string, command: string): boolean {
  let compiled: ReturnType<typeof compileFormat>;
  try {
    compiled = compileFormat(representation);
  } catch {
    // A broken format in one pack must not stop every other alias from matching.
    return false;
  }
  try {
    extractParameters(representation, command, compiled);
    return true;
  } catch (err) {
    if (err instanceof AliasParseError) return false;
    throw err;
  }
}

/** The representations of `aliases` that `command` fits. */
export function matchCommandToAlias<A extends Pick<AliasDef, "formats">>(
  command: string,
  aliases: readonly A[],
): Array<AliasMatch<A>> {
  return listFormatStrings(aliases).filter((m) => fits(m.representation, command));
}

const hasMultiple = (a: Pick<AliasDef, "formats">) =>
  a.formats.some((f) => normaliseFormat(f).matchMultiple);
const hasSingle = (a: Pick<AliasDef, "formats">) =>
  a.formats.some((f) => !normaliseFormat(f).matchMultiple);

/** The one format of the enabled aliases that the command fits; AliasAmbiguityError otherwise. */
export function findMatchingAlias<A extends Pick<AliasDef, "formats" | "enabled">>(
  command: string,
  aliases: readonly A[],
): AliasMatch<A> {
  const enabled = aliases.filter((a) => a.enabled);
  let matches = matchCommandToAlias(command, enabled.filter(hasSingle));
  if (matches.length > 1)
    throw new AliasAmbiguityError(`Command '${command}' matched more than 1 pattern`);
  if (matches.length === 0) {
    matches = matchCommandToAlias(command, enabled.filter(hasMultiple));
    if (matches.length > 1)
      throw new AliasAmbiguityError(`Command '${command}' matched more than 1 (multi) pattern`);
  }
  const [match] = matches;
  if (!match) throw new AliasAmbiguityError(`Command '${command}' matched no patterns`);
  return match;
}

export interface HelpQuery {
  /** A case-insensitive regular expression the display text must contain. */
  filter?: string;
  pack?: string;
  limit: number;
  offset: number;
}

export interface HelpResult {
  available: number;
  helpstrings: Array<{ pack: string; display: string; description: string | null }>;
}

/**
 * `GET /actionalias/help`: the display strings of enabled aliases. `available` counts every
 * string that passes the filters; `limit`/`offset` pick the ones returned (0 = no limit).
 */
export function aliasHelp(
  aliases: ReadonlyArray<Pick<AliasDef, "formats" | "enabled" | "pack" | "description">>,
  query: HelpQuery,
): HelpResult {
  let pattern: RegExp;
  try {
    pattern = new RegExp(query.filter ?? "", "i");
  } catch (err) {
    throw new ValidationError(`filter is not a valid pattern: ${(err as Error).message}`, {
      field: "filter",
    });
  }
  const { limit, offset } = query;
  const helpstrings: HelpResult["helpstrings"] = [];
  let count = 0;
  for (const alias of aliases) {
    if (!alias.enabled || (query.pack && query.pack !== alias.pack)) continue;
    for (const format of alias.formats) {
      const { display } = normaliseFormat(format);
      if (!display || !pattern.test(display)) continue;
      const inWindow = count >= offset && (limit <= 0 || count < offset + limit);
      count++;
      if (inWindow)
        helpstrings.push({ pack: alias.pack, display, description: alias.description ?? null });
    }
  }
  return { available: count, helpstrings };
}
