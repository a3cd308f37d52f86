import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import {
  cellText,
  chooseColumns,
  getPath,
  renderData,
  renderRecord,
  renderTable,
  setTableOptions,
  type TableColumn,
  wrapCell,
} from "./format.ts";

interface Row {
  id: string;
  text?: string | null;
  n?: number;
}

const columns = [
  { header: "id", value: (r: Row) => r.id },
  { header: "text", value: (r: Row) => r.text },
];

describe("renderTable", () => {
  it("draws a bordered table sized to the widest cell", () => {
    const out = renderTable(columns, [
      { id: "a", text: "hello" },
      { id: "bbb", text: null },
    ]);
    assert.equal(
      out,
      [
        "+-----+-------+",
        "| id  | text  |",
        "+-----+-------+",
        "| a   | hello |",
        "| bbb |       |",
        "+-----+-------+",
      ].join("\n"),
    );
  });

  it("prints only the header when there are no rows", () => {
    assert.equal(
      renderTable(columns, []),
      ["+----+------+", "| id | text |", "+----+------+"].join("\n"),
    );
  });

  it("wraps cells at maxWidth and keeps the row's other cells on its first line", () => {
    const out = renderTable(
      [
        { header: "id", value: (r: Row) => r.id },
        { header: "text", value: (r: Row) => r.text, maxWidth: 10 },
      ],
      [{ id: "x", text: "one two three four" }],
    );
    assert.equal(
      out,
      [
        "+----+------------+",
        "| id | text       |",
        "+----+------------+",
        "| x  | one two    |",
        "|    | three four |",
        "+----+------------+",
      ].join("\n"),
    );
  });

  it("shrinks flex columns to fit the terminal, never below their minimum", () => {
    const long = "word ".repeat(30).trim();
    const table = renderTable(
      [
        { header: "id", value: (r: Row) => r.id },
        { header: "text", value: (r: Row) => r.text, flex: true },
      ],
      [{ id: "x", text: long }],
      40,
    );
    for (const line of table.split("\n")) assert.equal(line.length, 40);
    const tiny = renderTable(
      [{ header: "text", value: (r: Row) => r.text, flex: true }],
      [{ id: "x", text: long }],
      5,
    );
    assert.equal(tiny.split("\n")[0]?.length, 12 + 4);
  });

  it("puts each line of a multi-line cell on its own table line", () => {
    const out = renderTable(columns, [{ id: "a", text: "l1\nl2" }]);
    assert.match(out, /\| a {2}\| l1 {3}\|\n\| {4}\| l2 {3}\|/);
  });
});

describe("wrapCell", () => {
  const cases: Array<[string, number, string[]]> = [
    ["short", 10, ["short"]],
    ["abcdefghij", 4, ["abcd", "efgh", "ij"]],
    ["aa bb cc", 5, ["aa bb", "cc"]],
    ["x verylongword", 6, ["x very", "longwo", "rd"]],
    ["", 3, [""]],
  ];
  for (const [text, width, expected] of cases) {
    it(`wraps ${JSON.stringify(text)} at ${width}`, () =>
      assert.deepEqual(wrapCell(text, width), expected));
  }
});

describe("cellText", () => {
  const cases: Array<[unknown, string]> = [
    [undefined, ""],
    [null, ""],
    [true, "true"],
    [3, "3"],
    ["a\tb\r\nc", "a  b\nc"],
    [{ a: [1] }, '{"a":[1]}'],
  ];
  for (const [value, expected] of cases) {
    it(`renders ${JSON.stringify(value)}`, () => assert.equal(cellText(value), expected));
  }
});

describe("renderRecord", () => {
  it("prints scalars inline and nested values as indented YAML, in attribute order", () => {
    const out = renderRecord(
      {
        id: "e1",
        action: { ref: "core.local" },
        parameters: { cmd: "date", list: [1, 2] },
        result: { stdout: "line1\nline2", failed: false },
        empty: {},
        context: {},
      },
      ["id", "action.ref", "context.user", "parameters", "empty", "result"],
    );
    assert.equal(
      out,
      [
        "id: e1",
        "action.ref: core.local",
        "context.user: ",
        "parameters:",
        "  cmd: date",
        "  list:",
        "    - 1",
        "    - 2",
        "empty: {}",
        "result:",
        "  stdout: |-",
        "    line1",
        "    line2",
        "  failed: false",
      ].join("\n"),
    );
  });

  it("prints a multi-line string as a block", () => {
    assert.equal(renderRecord({ msg: "a\nb\n" }, ["msg"]), "msg: |\n  a\n  b");
  });
});

describe("getPath and renderData", () => {
  it("reads dotted paths and stops at missing steps", () => {
    assert.equal(getPath({ a: { b: 2 } }, "a.b"), 2);
    assert.equal(getPath({ a: 1 }, "a.b"), undefined);
    assert.equal(getPath(null, "a"), undefined);
  });

  it("renders JSON and YAML that parse back to the data, and nothing for tables", () => {
    const value = [{ id: "x", nested: { list: [1, "two"] } }];
    assert.deepEqual(JSON.parse(renderData("json", value) ?? ""), value);
    assert.deepEqual(parse(renderData("yaml", value) ?? ""), value);
    assert.equal(renderData("table", value), undefined);
  });
});

describe("st2's -a/--attr and -w/--width", () => {
  const rows = [{ id: "e1", status: "succeeded", context: { user: "stanley" } }];
  const cols: TableColumn<(typeof rows)[number]>[] = [
    { header: "id", value: (r) => r.id },
    { header: "status", value: (r) => r.status },
  ];
  it("picks known columns and adds dotted attributes, in the order given", () => {
    const chosen = chooseColumns(cols, { attrs: ["context.user", "id"], widths: [] });
    assert.deepEqual(
      chosen.map((c) => [c.header, c.value(rows[0] as (typeof rows)[number])]),
      [
        ["context.user", "stanley"],
        ["id", "e1"],
      ],
    );
  });
  it("fixes widths in -a order and wraps to them", () => {
    setTableOptions({ attrs: ["status"], widths: [4] });
    try {
      assert.equal(
        renderTable(cols, rows),
        [
          "+------+",
          "| stat |",
          "| us   |",
          "+------+",
          "| succ |",
          "| eede |",
          "| d    |",
          "+------+",
        ].join("\n"),
      );
    } finally {
      setTableOptions({ attrs: [], widths: [] });
    }
  });
  it("narrows non-prose columns too when the terminal is still too narrow", () => {
    const wide = [{ id: "x".repeat(30), status: "y".repeat(30), context: { user: "u" } }];
    const table = renderTable(cols, wide, 40);
    for (const line of table.split("\n")) assert.ok(line.length <= 40, line);
    assert.equal(table.replace(/[^x]/g, "").length, 30);
  });
});
