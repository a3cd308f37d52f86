import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AliasDef } from "../content/model.ts";
import {
  AliasAmbiguityError,
  aliasHelp,
  findMatchingAlias,
  listFormatStrings,
  normaliseFormat,
} from "./match.ts";

function alias(name: string, formats: unknown[], extra: Partial<AliasDef> = {}): AliasDef {
  return {
    ref: `p.${name}`,
    uid: `action_alias:p:${name}`,
    name,
    pack: "p",
    action_ref: "core.local",
    enabled: true,
    formats: formats as AliasDef["formats"],
    metadata_file: "",
    ...extra,
  };
}

const ALIASES = [
  alias("run", ["run {{cmd}} on {{hosts}}", "run {{cmd}}"], { description: "Runs" }),
  alias("deploy", [
    { display: "deploy <app>", representation: ["deploy {{app}}", "ship {{app}}"] },
  ]),
  alias("help_only", [{ display: "status", representation: [] }]),
  alias("off", ["disabled {{x}}"], { enabled: false }),
  alias("dup", [
    {
      display: "duplicate of <key>",
      representation: [String.raw`(?:\b|^)duplicate of (?P<key>[A-Z]+-[0-9]+)(?:\b|$)`],
      match_multiple: true,
    },
  ]),
  alias("other", ["other pack thing"], { pack: "q" }),
];

describe("alias formats", () => {
  it("normalises both format shapes", () => {
    assert.deepEqual(normaliseFormat("a {{b}}"), {
      display: "a {{b}}",
      representations: ["a {{b}}"],
      matchMultiple: false,
    });
    assert.deepEqual(normaliseFormat({ display: "d", representation: "r" }), {
      display: "d",
      representations: ["r"],
      matchMultiple: false,
    });
    assert.throws(() => normaliseFormat(3));
  });

  it("lists one entry per representation, and display-only formats once", () => {
    const list = listFormatStrings(ALIASES.slice(0, 3));
    assert.deepEqual(
      list.map((m) => [m.alias.name, m.representation, m.display]),
      [
        ["run", "run {{cmd}} on {{hosts}}", "run {{cmd}} on {{hosts}}"],
        ["run", "run {{cmd}}", "run {{cmd}}"],
        ["deploy", "deploy {{app}}", "deploy <app>"],
        ["deploy", "ship {{app}}", "deploy <app>"],
        ["help_only", "", "status"],
      ],
    );
  });
});

/** [command, alias name, representation] for commands exactly one format fits. */
const FOUND: Array<[string, string, string]> = [
  ["ship web", "deploy", "ship {{app}}"],
  ["deploy web", "deploy", "deploy {{app}}"],
  ["duplicate of AB-1", "dup", String.raw`(?:\b|^)duplicate of (?P<key>[A-Z]+-[0-9]+)(?:\b|$)`],
];

/** [command, message] for commands no format, or more than one, fits. */
const NOT_FOUND: Array<[string, string]> = [
  ["run ls on host1", "Command 'run ls on host1' matched more than 1 pattern"],
  ["disabled thing", "Command 'disabled thing' matched no patterns"],
  ["nothing like it", "Command 'nothing like it' matched no patterns"],
];

describe("findMatchingAlias", () => {
  for (const [command, name, representation] of FOUND)
    it(`finds ${name} for "${command}"`, () => {
      const match = findMatchingAlias(command, ALIASES);
      assert.equal(match.alias.name, name);
      assert.equal(match.representation, representation);
    });
  for (const [command, message] of NOT_FOUND)
    it(`refuses "${command}"`, () => {
      assert.throws(
        () => findMatchingAlias(command, ALIASES),
        (err: Error) => err instanceof AliasAmbiguityError && err.message === message,
      );
    });

  it("prefers ordinary formats over match_multiple ones", () => {
    const both = [...ALIASES, alias("single_dup", ["duplicate of {{key}}"])];
    assert.equal(findMatchingAlias("duplicate of AB-1", both).alias.name, "single_dup");
  });

  it("skips a broken format instead of failing every match", () => {
    const withBroken = [alias("broken", ["bad {{ no-good }}"]), ...ALIASES];
    assert.equal(findMatchingAlias("ship web", withBroken).alias.name, "deploy");
  });
});

/** [query, available, displays returned] */
const HELP: Array<[Parameters<typeof aliasHelp>[1], number, string[]]> = [
  [
    { limit: 0, offset: 0 },
    6,
    [
      "run {{cmd}} on {{hosts}}",
      "run {{cmd}}",
      "deploy <app>",
      "status",
      "duplicate of <key>",
      "other pack thing",
    ],
  ],
  [{ limit: 2, offset: 0 }, 6, ["run {{cmd}} on {{hosts}}", "run {{cmd}}"]],
  [{ limit: 2, offset: 2 }, 6, ["deploy <app>", "status"]],
  [{ limit: 0, offset: 5 }, 6, ["other pack thing"]],
  [{ filter: "RUN", limit: 0, offset: 0 }, 2, ["run {{cmd}} on {{hosts}}", "run {{cmd}}"]],
  [{ pack: "q", limit: 0, offset: 0 }, 1, ["other pack thing"]],
];

describe("aliasHelp", () => {
  for (const [query, available, displays] of HELP)
    it(`answers ${JSON.stringify(query)}`, () => {
      const result = aliasHelp(ALIASES, query);
      assert.equal(result.available, available);
      assert.deepEqual(
        result.helpstrings.map((h) => h.display),
        displays,
      );
    });

  it("refuses a filter that is not a pattern", () => {
    assert.throws(() => aliasHelp(ALIASES, { filter: "(", limit: 0, offset: 0 }), /filter/);
  });
});
