import assert from "node:assert/strict";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ValidationError } from "../../core/errors.ts";
import { symmetricDecrypt, symmetricEncrypt } from "./crypto.ts";
import { defaultKeyPath, loadOrCreateDatastoreKey, readKeyFile } from "./key-file.ts";

function tempHome(): string {
  return mkdtempSync(join(tmpdir(), "squall-key-"));
}

describe("loadOrCreateDatastoreKey", () => {
  it("creates the key file with mode 0600 in a 0700 directory, then reuses it", () => {
    const home = tempHome();
    const path = defaultKeyPath(home);
    assert.equal(path, join(home, "keys", "datastore_key.json"));

    const first = loadOrCreateDatastoreKey(path);
    assert.equal(first.created, true);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, "keys")).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(join(home, "keys")), ["datastore_key.json"]);

    const json = JSON.parse(readFileSync(path, "utf8"));
    assert.equal(json.mode, "CBC");
    assert.equal(json.size, 256);

    const second = loadOrCreateDatastoreKey(path);
    assert.equal(second.created, false);
    const text = symmetricEncrypt(first.key, "kept");
    assert.equal(symmetricDecrypt(second.key, text), "kept");
  });

  it("never replaces a broken key file", () => {
    const home = tempHome();
    const path = join(home, "key.json");
    writeFileSync(path, "{not json");
    assert.throws(
      () => loadOrCreateDatastoreKey(path),
      (err: unknown) =>
        err instanceof ValidationError &&
        err.location?.file === path &&
        /not valid JSON/.test(err.message),
    );
    assert.equal(readFileSync(path, "utf8"), "{not json");
  });

  it("names the file when it cannot be created", () => {
    const home = tempHome();
    // A regular file where the directory should be makes mkdir fail.
    writeFileSync(join(home, "keys"), "");
    const path = join(home, "keys", "datastore_key.json");
    assert.throws(
      () => loadOrCreateDatastoreKey(path),
      (err: unknown) => err instanceof ValidationError && err.message.includes(path),
    );
  });
});

describe("readKeyFile", () => {
  it("reads StackStorm's key file format", () => {
    const home = tempHome();
    const path = join(home, "st2.json");
    writeFileSync(
      path,
      JSON.stringify({
        hmacKey: { hmacKeyString: "685EWJ8U2U_c3Ulv9ibB6aa0Y9aYm-0bCwe2mqjLJuw", size: 256 },
        aesKeyString: "eKGFrfNEUhAgX0uofaU1wQ",
        mode: "CBC",
        size: 128,
      }),
    );
    const key = readKeyFile(path);
    assert.equal(key.size, 128);
    assert.equal(key.aesKey.length, 16);
  });

  it("reports a missing file by name", () => {
    const path = join(tempHome(), "absent.json");
    assert.throws(
      () => readKeyFile(path),
      (err: unknown) =>
        err instanceof ValidationError &&
        err.message === `datastore key file ${path} does not exist`,
    );
  });

  it("reports a field error with the file and field", () => {
    const home = tempHome();
    mkdirSync(join(home, "k"));
    const path = join(home, "k", "key.json");
    writeFileSync(path, JSON.stringify({ hmacKey: { hmacKeyString: "abcd", size: 256 } }));
    assert.throws(
      () => readKeyFile(path),
      (err: unknown) =>
        err instanceof ValidationError &&
        err.location?.file === path &&
        err.location.field === "aesKeyString",
    );
  });
});
