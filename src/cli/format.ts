/**
 * Text rendering for people: bordered tables (st2's look) and `attribute: value` records with
 * nested values as indented YAML. Pure string functions so the layout is unit-tested; commands
 * decide what goes in.
 */

import { stringify } from "yaml";
import type { OutputFormat } from "./config.ts";

export interface TableColumn<Row> {
  header: string;
  value: (row: Row) => unknown;
  /** Wrap cells wider than this (on spaces where possible). */
  maxWidth?: number;
  /** May be narrowed to fit the terminal; prose columns such as descriptions. */
  flex?: boolean;
}

const MIN_FLEX_WIDTH = 12;
/** Below this a column is not narrowed further, even when the table stays too wide. */
const MIN_WIDTH = 6;

/** st2's `-a/--attr` (which attributes, in order) and `-w/--width` (their widths). */
export interface TableOptions {
  attrs: readonly string[];
  widths: readonly number[];
}

/**
 * The options of the command being run. Module state rather than a parameter because every
 * command's tables honour them without each command passing them on; the CLI runs one command
 * at a time (runCommand sets them before each).
 */
let tableOptions: TableOptions = { attrs: [], widths: [] };

export function setTableOptions(options: TableOptions): void {
  tableOptions = options;
}

/** Applies `-a` (pick or add columns by attribute path) and `-w` (fixed widths) to columns. */
export function chooseColumns<Row>(
  columns: ReadonlyArray<TableColumn<Row>>,
  options: TableOptions,
): Array<TableColumn<Row>> {
  const picked: Array<TableColumn<Row>> =
    options.attrs.length === 0
      ? [...columns]
      : options.attrs.map(
          (attr) =>
            columns.find((c) => c.header === attr) ?? {
              header: attr,
              value: (row: Row) => getPath(row, attr),
              flex: true,
            },
        );
  return picked.map((col, i) => {
    const width = options.widths[i];
    return width === undefined ? col : { ...col, maxWidth: width, flex: false };
  });
}

export function renderTable<Row>(
  allColumns: ReadonlyArray<TableColumn<Row>>,
  rows: readonly Row[],
  fitWidth?: number,
): string {
  const columns = chooseColumns(allColumns, tableOptions);
  const widths = columns.map((col) =>
    Math.min(
      col.maxWidth ?? Number.POSITIVE_INFINITY,
      Math.max(
        col.header.length,
        ...rows.flatMap((row) => cellLines(col.value(row)).map((l) => l.length)),
      ),
    ),
  );
  if (fitWidth !== undefined) shrinkToFit(columns, widths, fitWidth);

  const border = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const out = [
    border,
    ...renderRow(
      columns.map((c) => c.header),
      widths,
    ),
    border,
  ];
  for (const row of rows) {
    out.push(
      ...renderRow(
        columns.map((c) => cellText(c.value(row))),
        widths,
      ),
    );
  }
  if (rows.length > 0) out.push(border);
  return out.join("\n");
}

/** Every column of the table adds 3 characters of border and padding, plus one at the end. */
function shrinkToFit<Row>(
  columns: ReadonlyArray<TableColumn<Row>>,
  widths: number[],
  fitWidth: number,
): void {
  const total = () => widths.reduce((sum, w) => sum + w + 3, 1);
  let excess = total() - fitWidth;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < columns.length; i++) {
      const w = widths[i] ?? 0;
      if (columns[i]?.flex && w > MIN_FLEX_WIDTH && (widest === -1 || w > (widths[widest] ?? 0))) {
        widest = i;
      }
    }
    // No prose column left to narrow: narrow the widest of the others (cells wrap, as
    // st2's tables do on a small terminal), except widths fixed by the command or by -w.
    if (widest === -1) {
      for (let i = 0; i < columns.length; i++) {
        const w = widths[i] ?? 0;
        const col = columns[i];
        const fixed = col?.flex || col?.maxWidth !== undefined;
        if (!fixed && w > MIN_WIDTH && (widest === -1 || w > (widths[widest] ?? 0))) widest = i;
      }
    }
    if (widest === -1) return;
    widths[widest] = (widths[widest] ?? 0) - 1;
    excess--;
  }
}

function renderRow(cells: string[], widths: number[]): string[] {
  const wrapped = cells.map((cell, i) => wrapCell(cell, widths[i] ?? 0));
  const height = Math.max(1, ...wrapped.map((lines) => lines.length));
  const lines: string[] = [];
  for (let line = 0; line < height; line++) {
    const parts = wrapped.map((cellLines, i) => (cellLines[line] ?? "").padEnd(widths[i] ?? 0));
    lines.push(`| ${parts.join(" | ")} |`);
  }
  return lines;
}

/** Breaks a cell into lines no wider than `width`, at spaces when a space is close enough. */
export function wrapCell(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of cellLines(text)) {
    let rest = paragraph;
    while (rest.length > width && width > 0) {
      const space = rest.lastIndexOf(" ", width);
      const cut = space > width / 3 ? space : width;
      out.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
    }
    out.push(rest);
  }
  return out;
}

function cellLines(value: unknown): string[] {
  return cellText(value).split("\n");
}

/** Scalars print bare; nested values print as compact JSON so a cell stays one thought. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value.replace(/\t/g, "  ").replace(/\r\n?/g, "\n");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * st2's execution view: one `attribute: value` line per attribute; objects and lists follow on
 * the next lines as YAML indented by two spaces. Attributes use dotted paths (`action.ref`).
 */
export function renderRecord(record: unknown, attributes: readonly string[]): string {
  return attributes
    .map((attr) => {
      const value = getPath(record, attr);
      if (typeof value === "object" && value !== null) {
        const isEmpty = Object.keys(value).length === 0;
        if (isEmpty) return `${attr}: ${Array.isArray(value) ? "[]" : "{}"}`;
        return `${attr}:\n${indent(toYaml(value).trimEnd(), 2)}`;
      }
      if (typeof value === "string" && value.includes("\n")) {
        return `${attr}: |\n${indent(value.replace(/\n$/, ""), 2)}`;
      }
      return `${attr}: ${value === undefined || value === null ? "" : String(value)}`;
    })
    .join("\n");
}

/** Reads a dotted path such as `context.user`; missing steps give undefined. */
export function getPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** The machine-readable renderings shared by every command; undefined means "draw a table". */
export function renderData(format: OutputFormat, value: unknown): string | undefined {
  if (format === "json") return toJson(value);
  if (format === "yaml") return toYaml(value).trimEnd();
  return undefined;
}

function indent(text: string, spaces: number): string {
  const pad = " ".repeat(spaces);
  return text
    .split("\n")
    .map((line) => (line === "" ? line : pad + line))
    .join("\n");
}
