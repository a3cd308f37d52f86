/**
 * `squall key …` in-process against the real /keys routes served on 127.0.0.1, so the CLI's
 * requests, the API's answers and the datastore meet over a real socket.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { errorHandler } from "../../src/api/errors.ts";
import { keyRoutes } from "../../src/api/routes/keys.ts";
import { generateKey, symmetricEncrypt } from "../../src/engine/datastore/crypto.ts";
import { DatastoreService } from "../../src/engine/datastore/service.ts";
import { newId } from "../../src/engine/ids.ts";
import type { Store } from "../../src/engine/store/contract.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";
import { type InProcessResult, runCliInProcess } from "../support/cli-in-process.ts";

let app: FastifyInstance;
let store: Store;
let dir: string;
let url: string;
const key = generateKey();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "squall-key-cli-"));
  store = openSqliteStore(join(dir, "db.sqlite"));
  const datastore = new DatastoreService({
    store,
    key,
    instanceOps: (trigger, payload, traceTag) => {
      const id = newId();
      const instance = {
        id,
        trigger,
        payload,
        occurrence_time: new Date().toISOString(),
        trace_tag: traceTag ?? `trigger_instance-${id}`,
      };
      return [{ op: "instance.create", instance }];
    },
    systemUser: "stanley",
  });
  app = Fastify();
  app.setErrorHandler(errorHandler);
  await app.register(async (scope) => keyRoutes(scope, { datastore }), { prefix: "/api/v1" });
  await app.listen({ host: "127.0.0.1", port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

after(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function squallKey(...args: string[]): Promise<InProcessResult> {
  return runCliInProcess(url, dir, args);
}

describe("squall key", () => {
  it("set, get, list and delete a pair", async () => {
    const set = await squallKey("key", "set", "greeting", "hello world");
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /^name: greeting$/m);
    assert.match(set.out, /^value: hello world$/m);

    const got = await squallKey("--json", "key", "get", "greeting");
    assert.equal(JSON.parse(got.out).value, "hello world");

    const listed = await squallKey("key", "list");
    assert.match(listed.out, /\| greeting +\| hello world +\|/);

    const del = await squallKey("key", "delete", "greeting");
    assert.equal(del.code, 0);
    const missing = await squallKey("key", "get", "greeting");
    assert.equal(missing.code, 1);
    assert.match(missing.err, /Key "greeting" not found\. Run `squall key list`/);
  });

  it("encrypts with -e and decrypts with -d", async () => {
    await squallKey("key", "set", "pw", "hunter2", "-e");
    const masked = JSON.parse((await squallKey("--json", "key", "get", "pw")).out);
    assert.equal(masked.encrypted, true);
    assert.notEqual(masked.value, "hunter2");
    const plain = JSON.parse((await squallKey("--json", "key", "get", "pw", "-d")).out);
    assert.equal(plain.value, "hunter2");
  });

  it("stores --encrypted values as given and refuses -e with --encrypted", async () => {
    const ciphertext = symmetricEncrypt(key, "pre");
    const ok = await squallKey("key", "set", "pre", ciphertext, "--encrypted");
    assert.equal(ok.code, 0, ok.err);
    assert.equal(
      JSON.parse((await squallKey("--json", "key", "get", "pre", "-d")).out).value,
      "pre",
    );
    const both = await squallKey("key", "set", "x", ciphertext, "-e", "--encrypted");
    assert.equal(both.code, 1);
    assert.match(both.err, /not both/);
  });

  it("keeps user-scoped pairs apart and lists with a TTL", async () => {
    await squallKey("key", "set", "tok", "u1", "-s", "user", "-u", "ann", "-l", "3600");
    const got = JSON.parse(
      (await squallKey("--json", "key", "get", "tok", "-s", "user", "-u", "ann")).out,
    );
    assert.equal(got.user, "ann");
    assert.match(got.expire_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const listed = JSON.parse((await squallKey("--json", "key", "list", "-u", "ann")).out);
    assert.deepEqual(
      listed.map((p: { name: string }) => p.name),
      ["tok"],
    );
    assert.equal((await squallKey("key", "get", "tok")).code, 1, "not in system scope");
  });

  it("loads a YAML file, converting with -c, and deletes by prefix", async () => {
    const file = join(dir, "keys.yaml");
    writeFileSync(file, "- name: load.a\n  value: one\n- name: load.b\n  value: {x: 1}\n");
    const refused = await squallKey("key", "load", "keys.yaml");
    assert.equal(refused.code, 1);
    assert.match(refused.err, /-c\/--convert/);
    const loaded = await squallKey("key", "load", "keys.yaml", "-c");
    assert.equal(loaded.code, 0, loaded.err);
    const b = JSON.parse((await squallKey("--json", "key", "get", "load.b")).out);
    assert.equal(b.value, '{"x":1}');

    const listed = await squallKey("--json", "key", "list", "-p", "load.", "-n", "1");
    assert.equal(JSON.parse(listed.out).length, 1);

    const deleted = await squallKey("key", "delete_by_prefix", "-p", "load.");
    assert.match(deleted.out, /Deleted 2 keys/);
    const after = JSON.parse(
      (await squallKey("--json", "key", "list", "-p", "load.", "-n", "-1")).out,
    );
    assert.deepEqual(after, []);
  });
});
