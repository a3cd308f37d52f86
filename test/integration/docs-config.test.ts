/**
 * Tables in docs/operations.md (configuration reference) and docs/concepts.md (execution states)
 * are generated from the code by scripts/gen-config-docs.ts. This test fails when someone changes
 * a setting or a state without regenerating the docs, and checks that the generator really
 * reflects the tables it reads.
 */

import assert from "node:assert/strict";
import { relative } from "node:path";
import { describe, it } from "node:test";
import {
  markdownTable,
  ROOT,
  regenerate,
  renderConfigTable,
  renderStateTable,
  replaceSection,
  SECTIONS,
  settingRows,
} from "../../scripts/gen-config-docs.ts";
import { EXECUTION_STATUSES, TRANSITIONS } from "../../src/core/execution/status.ts";
import { SETTINGS } from "../../src/engine/config.ts";

describe("generated documentation tables", () => {
  for (const section of SECTIONS) {
    const name = relative(ROOT, section.file);
    it(`${name} (${section.marker} table) matches the code`, () => {
      const { current, next } = regenerate(section);
      assert.ok(
        current === next,
        `${name} is out of date with the code: run \`npm run docs:config\``,
      );
    });
  }

  it("has one configuration row per setting, naming its environment variable and doc", () => {
    const rows = settingRows();
    assert.deepEqual(
      rows.map((r) => r.setting),
      Object.keys(SETTINGS),
    );
    for (const row of rows) {
      const spec = SETTINGS[row.setting as keyof typeof SETTINGS];
      assert.equal(row.env, spec.env);
      assert.equal(row.doc, spec.doc);
    }
    assert.equal(renderConfigTable().split("\n").length, rows.length + 2);
  });

  it("shows machine-dependent defaults symbolically", () => {
    const byEnv = new Map(settingRows().map((r) => [r.env, r.defaultText]));
    assert.equal(byEnv.get("SQUALL_HOME"), "`~/.squall`");
    assert.equal(byEnv.get("SQUALL_DB"), "`$SQUALL_HOME/squall.db`");
    assert.equal(byEnv.get("SQUALL_PACKS_PATH"), "`<install>/packs:$SQUALL_HOME/packs`");
    assert.equal(byEnv.get("SQUALL_CONFIGS_DIR"), "`$SQUALL_HOME/configs`");
  });

  it("lists every execution state with the states it may move to", () => {
    const lines = renderStateTable().split("\n").slice(2);
    assert.equal(lines.length, EXECUTION_STATUSES.length);
    EXECUTION_STATUSES.forEach((status, i) => {
      const line = lines[i] ?? "";
      assert.ok(line.startsWith(`| \`${status}\``), line);
      for (const next of TRANSITIONS[status]) assert.ok(line.includes(`\`${next}\``), line);
      if (TRANSITIONS[status].length === 0) assert.ok(line.includes("(none)"), line);
    });
  });

  it("replaces only the text between the markers, and refuses a document without them", () => {
    const doc = "intro\n<!-- x:start -->\nold table\n<!-- x:end -->\noutro\n";
    assert.equal(
      replaceSection(doc, "x", "| new |"),
      "intro\n<!-- x:start -->\n\n| new |\n\n<!-- x:end -->\noutro\n",
    );
    assert.throws(() => replaceSection("no markers here", "x", "| new |"), /x:start/);
    assert.throws(
      () => replaceSection("<!-- x:end -->\n<!-- x:start -->", "x", "| new |"),
      /x:start/,
    );
  });

  it("escapes pipes so a cell cannot break the table", () => {
    const table = markdownTable(["a", "b"], [["1 | 2", "3"]]);
    assert.match(table, /1 \\\| 2/);
    assert.equal(table.split("\n").length, 3);
  });
});
