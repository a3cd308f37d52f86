/**
 * `POST /packs/install` and `/packs/uninstall` on a real store: local directories and git
 * repositories (a local bare repository through file://, so no network), force, refusals.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { errorHandler } from "../../src/api/errors.ts";
import { configureValidation } from "../../src/api/openapi/validation.ts";
import { packInstallRoutes } from "../../src/api/routes/pack-install.ts";
import { parseSource } from "../../src/api/routes/pack-sources.ts";
import { registerPackPaths } from "../../src/engine/content/register-paths.ts";
import type { Store } from "../../src/engine/store/contract.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";

let dir = "";
let app: FastifyInstance;
let store: Store;
let installDir = "";
let bundled = "";
let reloads = 0;

function writePack(root: string, name: string, action = "hello"): string {
  const packDir = join(root, name);
  mkdirSync(join(packDir, "actions"), { recursive: true });
  writeFileSync(
    join(packDir, "pack.yaml"),
    `name: ${name}\ndescription: d\nversion: 1.0.0\nauthor: t\n`,
  );
  writeFileSync(
    join(packDir, "actions", `${action}.yaml`),
    `name: ${action}\nrunner_type: local-shell-cmd\nparameters:\n  cmd:\n    default: echo hi\n`,
  );
  return packDir;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], {
    cwd,
    stdio: "pipe",
  });

async function call(url: string, body: unknown) {
  const res = await app.inject({ method: "POST", url: `/api/v1${url}`, payload: body as object });
  return {
    status: res.statusCode,
    body: res.json() as Record<string, unknown> & { faultstring?: string },
  };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "squall-install-"));
  bundled = join(dir, "bundled");
  writePack(bundled, "core", "local");
  installDir = join(dir, "home", "packs");
  store = openSqliteStore(join(dir, "db.sqlite"));
  const locations = { packsPaths: [bundled, installDir], configsDir: join(dir, "configs") };
  await registerPackPaths(store.content, [], locations);
  app = Fastify();
  app.setErrorHandler(errorHandler);
  await app.register(
    async (scope) => {
      // As the v1 scope does: strict bodies, unknown fields refused.
      configureValidation(scope);
      packInstallRoutes(scope, {
        store,
        registerPacks: (packs) => registerPackPaths(store.content, packs, locations),
        packsPaths: locations.packsPaths,
        bundledPacksDir: bundled,
        reloadRules: async () => {
          reloads++;
        },
      });
    },
    { prefix: "/api/v1" },
  );
  await app.ready();

  // A git repository with a tag, served as a bare repository through file://.
  const work = join(dir, "work");
  writePack(work, "gitpack");
  git(join(work, "gitpack"), "init", "--quiet");
  git(join(work, "gitpack"), "add", ".");
  git(join(work, "gitpack"), "commit", "--quiet", "-m", "one");
  git(join(work, "gitpack"), "tag", "v1");
  writeFileSync(
    join(work, "gitpack", "actions", "later.yaml"),
    "name: later\nrunner_type: local-shell-cmd\nparameters:\n  cmd:\n    default: echo later\n",
  );
  git(join(work, "gitpack"), "add", ".");
  git(join(work, "gitpack"), "commit", "--quiet", "-m", "two");
  git(work, "clone", "--quiet", "--bare", "gitpack", join(dir, "gitpack.git"));
});

after(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("pack sources", () => {
  const cases: Array<[string, unknown]> = [
    ["https://github.com/org/pack.git", { kind: "git", url: "https://github.com/org/pack.git" }],
    ["file:///srv/p.git=v1.2", { kind: "git", url: "file:///srv/p.git", ref: "v1.2" }],
    ["git@github.com:org/p.git", { kind: "git", url: "git@github.com:org/p.git" }],
    ["/opt/packs/mine", { kind: "directory", path: "/opt/packs/mine" }],
  ];
  for (const [raw, expected] of cases)
    it(`reads ${raw}`, () => assert.deepEqual(parseSource(raw), expected));
  for (const bad of ["aws", "relative/dir", "-oProxyCommand=x", "file:///p.git=-x"])
    it(`refuses ${bad}`, () => assert.throws(() => parseSource(bad), /not a|neither|branch/));
});

describe("pack install and uninstall", () => {
  it("installs a local directory, refuses it again, and replaces it with force", async () => {
    const source = writePack(join(dir, "src"), "localpack");
    mkdirSync(join(source, ".git"));
    writeFileSync(join(source, ".git", "HEAD"), "ref: x\n");
    const res = await call("/packs/install", { packs: [source] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.installed, [
      { pack: "localpack", path: join(installDir, "localpack"), source },
    ]);
    assert.ok(existsSync(join(installDir, "localpack", "actions", "hello.yaml")));
    assert.ok(!existsSync(join(installDir, "localpack", ".git")), "history left behind");
    assert.equal((await store.content.getAction("localpack.hello"))?.ref, "localpack.hello");

    const again = await call("/packs/install", { packs: [source] });
    assert.equal(again.status, 409);
    assert.match(String(again.body.faultstring), /already installed.*force/);
    writePack(join(dir, "src"), "localpack", "renamed");
    const forced = await call("/packs/install", { packs: [source], force: true });
    assert.equal(forced.status, 200, JSON.stringify(forced.body));
    assert.ok(await store.content.getAction("localpack.renamed"));
  });

  it("clones a git repository, at a tag when asked", async () => {
    const url = `file://${join(dir, "gitpack.git")}`;
    const tagged = await call("/packs/install", { packs: [`${url}=v1`] });
    assert.equal(tagged.status, 200, JSON.stringify(tagged.body));
    assert.ok(await store.content.getAction("gitpack.hello"));
    assert.equal(await store.content.getAction("gitpack.later"), null, "v1 predates later");
    const head = await call("/packs/install", { packs: [url], force: true });
    assert.equal(head.status, 200, JSON.stringify(head.body));
    assert.ok(await store.content.getAction("gitpack.later"));
  });

  const refused: Array<[string, () => unknown, number, RegExp]> = [
    ["a bundled pack", () => ({ packs: [writePack(join(dir, "evil"), "core")] }), 400, /bundled/],
    ["an Exchange name", () => ({ packs: ["aws"] }), 400, /Exchange/],
    [
      "a pack.yaml naming a path",
      () => {
        const evil = mkdtempSync(join(dir, "traversal-"));
        writeFileSync(join(evil, "pack.yaml"), "name: ../escaped\nversion: 1.0.0\n");
        return { packs: [evil] };
      },
      400,
      /letters, digits/,
    ],
    ["a missing directory", () => ({ packs: [join(dir, "nowhere")] }), 400, /not a directory/],
    [
      "a directory without pack.yaml",
      () => ({ packs: [mkdtempSync(join(dir, "empty-"))] }),
      400,
      /pack\.yaml/,
    ],
    [
      "an unreachable repository",
      () => ({ packs: [`file://${join(dir, "missing.git")}`] }),
      400,
      /git clone/,
    ],
    ["an unknown field", () => ({ packs: ["/x"], colour: 1 }), 400, /colour|additional/],
  ];
  for (const [why, body, status, message] of refused)
    it(`refuses ${why}, installing nothing`, async () => {
      const before = (await store.content.listPacks({})).total;
      const res = await call("/packs/install", body());
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.match(String(res.body.faultstring), message);
      assert.equal((await store.content.listPacks({})).total, before);
      assert.ok(!existsSync(join(installDir, "core")));
    });

  it("uninstalls: unregisters, deletes the directory, reloads rules", async () => {
    const res = await call("/packs/uninstall", { packs: ["localpack"] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.removed, [
      { pack: "localpack", path: join(installDir, "localpack"), files_deleted: true },
    ]);
    assert.equal(await store.content.getPack("localpack"), null);
    assert.equal(await store.content.getAction("localpack.renamed"), null);
    assert.ok(!existsSync(join(installDir, "localpack")));
    assert.equal(reloads, 1);
  });

  it("leaves the files of a pack registered from elsewhere", async () => {
    const outside = writePack(join(dir, "outside"), "elsewhere");
    await registerPackPaths(store.content, [outside], {
      packsPaths: [],
      configsDir: join(dir, "c"),
    });
    const res = await call("/packs/uninstall", { packs: ["elsewhere"] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((res.body.removed as Array<{ files_deleted: boolean }>)[0]?.files_deleted, false);
    assert.ok(existsSync(outside));
  });

  it("refuses unknown and bundled packs before removing anything", async () => {
    const unknown = await call("/packs/uninstall", { packs: ["gitpack", "nope"] });
    assert.equal(unknown.status, 404);
    assert.ok(await store.content.getPack("gitpack"), "gitpack untouched");
    const own = await call("/packs/uninstall", { packs: ["core"] });
    assert.equal(own.status, 400);
    assert.match(String(own.body.faultstring), /bundled/);
    assert.ok(await store.content.getPack("core"));
  });
});
