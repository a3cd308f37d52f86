/**
 * Regenerates the tables in the docs that restate code, so they cannot drift from it:
 * - docs/operations.md, "Configuration reference": the SETTINGS table of src/engine/config.ts;
 * - docs/concepts.md, the execution state table: src/core/execution/status.ts.
 * Each table sits between `<!-- <name>:start -->` and `<!-- <name>:end -->` markers.
 * test/integration/docs-config.test.ts fails when a document disagrees with this output.
 *
 *   npm run docs:config            rewrite the tables in place
 *   npm run docs:config -- --check exit 1 (and change nothing) when a table is out of date
 *
 * Defaults are shown symbolically, never as this machine's values, so the output is the same
 * everywhere: paths under the data directory as `$SQUALL_HOME/…`, the user's home as `~`, the
 * packs bundled with Squall as `<install>/packs`, and the host name as a phrase. A default that
 * still depends on this machine after that is an error, to be given a symbolic form here.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  COMPLETED_STATUSES,
  EXECUTION_STATUSES,
  TRANSITIONS,
} from "../src/core/execution/status.ts";
import { SETTINGS, type Settings } from "../src/engine/config.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** A generated part of a document: its file, marker name and contents. */
export interface GeneratedSection {
  file: string;
  marker: string;
  render: () => string;
}

/**
 * Where config.ts finds the bundled packs (`<repo>/packs`), shown as `<install>/packs`. config.ts
 * takes a URL's pathname, which stays percent-encoded, so both spellings are recognised.
 */
const BUNDLED_PACKS = new Set([
  join(ROOT, "packs"),
  resolve(new URL("../packs", import.meta.url).pathname),
]);
const HOME_SYMBOL = "$SQUALL_HOME";
const HOST_NAME_TEXT = "this machine's host name";

export interface SettingRow {
  setting: string;
  env: string;
  defaultText: string;
  doc: string;
}

/** One row per setting, in SETTINGS order, with defaults in symbolic form. */
export function settingRows(): SettingRow[] {
  // Defaults may read settings resolved before them (paths under `home`), as loadSettings does;
  // feeding them the symbol instead of a real directory yields `$SQUALL_HOME/...`.
  const resolved: Partial<Record<keyof Settings, unknown>> = {};
  const rows: SettingRow[] = [];
  for (const key of Object.keys(SETTINGS) as Array<keyof Settings>) {
    const spec = SETTINGS[key];
    const value: unknown = spec.default(resolved as Partial<Settings>);
    resolved[key] = key === "home" ? HOME_SYMBOL : value;
    rows.push({
      setting: key,
      env: spec.env,
      defaultText: describeDefault(key, value),
      doc: spec.doc,
    });
  }
  return rows;
}

function describeDefault(key: string, value: unknown): string {
  if (typeof value === "string" && value === hostname() && value !== "") return HOST_NAME_TEXT;
  const text = Array.isArray(value)
    ? value.map((v) => symbolicPath(String(v))).join(":")
    : typeof value === "string"
      ? symbolicPath(value)
      : JSON.stringify(value);
  if (machinePaths().some((p) => text.includes(p))) {
    throw new Error(
      `the default of setting "${key}" depends on this machine (${text}); ` +
        "give it a symbolic form in scripts/gen-config-docs.ts",
    );
  }
  return `\`${text}\``;
}

/** Paths that differ between machines and must not appear in the generated text. */
function machinePaths(): string[] {
  return [homedir(), ROOT].filter((p) => p.length > 1);
}

function symbolicPath(path: string): string {
  if (BUNDLED_PACKS.has(path)) return "<install>/packs";
  const home = homedir();
  if (home.length > 1 && (path === home || path.startsWith(`${home}/`)))
    return `~${path.slice(home.length)}`;
  return path;
}

/** The configuration reference table. */
export function renderConfigTable(rows: readonly SettingRow[] = settingRows()): string {
  return markdownTable(
    ["Setting", "Environment variable", "Default", "Description"],
    rows.map((r) => [`\`${r.setting}\``, `\`${r.env}\``, r.defaultText, r.doc]),
  );
}

/** A markdown table with padded columns, so it also reads well as plain text. */
export function markdownTable(header: readonly string[], body: readonly string[][]): string {
  const cells = [header, ...body].map((row) => row.map(escapeCell));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const rule = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  const [head, ...rest] = cells;
  return [line(head ?? []), rule, ...rest.map(line)].join("\n");
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** The execution states: whether each is terminal and where it may go (status.ts). */
export function renderStateTable(): string {
  const rows = EXECUTION_STATUSES.map((status) => {
    const next = TRANSITIONS[status];
    return [
      `\`${status}\``,
      COMPLETED_STATUSES.has(status) ? "yes" : "no",
      next.length === 0 ? "(none)" : next.map((s) => `\`${s}\``).join(", "),
    ];
  });
  return markdownTable(["State", "Terminal", "May move to"], rows);
}

/** `doc` with the text between `<!-- marker:start -->` and `<!-- marker:end -->` replaced. */
export function replaceSection(doc: string, marker: string, body: string): string {
  const startMarker = `<!-- ${marker}:start -->`;
  const endMarker = `<!-- ${marker}:end -->`;
  const start = doc.indexOf(startMarker);
  const end = doc.indexOf(endMarker);
  if (start < 0 || end < 0 || end < start) {
    throw new Error(
      `the document must contain ${startMarker} followed by ${endMarker}; ` +
        "the generated table goes between them",
    );
  }
  return `${doc.slice(0, start + startMarker.length)}\n\n${body}\n\n${doc.slice(end)}`;
}

export const SECTIONS: readonly GeneratedSection[] = [
  {
    file: join(ROOT, "docs", "operations.md"),
    marker: "config",
    render: () => renderConfigTable(),
  },
  { file: join(ROOT, "docs", "concepts.md"), marker: "states", render: renderStateTable },
];

/** The document as the generator would write it. */
export function regenerate(section: GeneratedSection): { current: string; next: string } {
  const current = readFileSync(section.file, "utf8");
  return { current, next: replaceSection(current, section.marker, section.render()) };
}

function main(args: readonly string[]): number {
  const check = args.includes("--check");
  let stale = 0;
  for (const section of SECTIONS) {
    const name = relative(ROOT, section.file);
    const { current, next } = regenerate(section);
    if (next === current) {
      if (!check) process.stdout.write(`${name}: up to date\n`);
      continue;
    }
    stale++;
    if (check) {
      process.stderr.write(`${name} is out of date; run \`npm run docs:config\`\n`);
    } else {
      writeFileSync(section.file, next);
      process.stdout.write(`${name}: ${section.marker} table rewritten\n`);
    }
  }
  return check && stale > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
