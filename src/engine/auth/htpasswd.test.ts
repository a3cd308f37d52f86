import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import bcrypt from "bcryptjs";
import { ValidationError } from "../../core/errors.ts";
import { apr1 } from "./apr1.ts";
import { ensureAdmin, readCredentialsFile } from "./bootstrap.ts";
import { HtpasswdFile, parseHtpasswd, verifyHash } from "./htpasswd.ts";

const dir = () => mkdtempSync(join(tmpdir(), "squall-htpasswd-"));

describe("htpasswd hashes", () => {
  // Vectors from `openssl passwd -apr1 -salt <salt> <password>` and `htpasswd -s`.
  const cases: Array<[string, string, string, boolean]> = [
    ["apr1", "p@ss wörd", "$apr1$abcdefgh$kOJTMCvat3K9n.uiGZK.J1", true],
    ["apr1 short salt", "secret", "$apr1$xy$94JxxwMvxqQwA3Iid6OL9.", true],
    ["apr1 wrong password", "Secret", "$apr1$xy$94JxxwMvxqQwA3Iid6OL9.", false],
    ["SHA", "secret", "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", true],
    ["SHA wrong password", "secrets", "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", false],
    ["bcrypt $2y$", "secret", bcrypt.hashSync("secret", 4).replace(/^\$2b\$/, "$2y$"), true],
    ["bcrypt $2a$ wrong", "nope", bcrypt.hashSync("secret", 4).replace(/^\$2b\$/, "$2a$"), false],
    ["unknown scheme", "secret", "plain-secret", false],
  ];
  for (const [title, password, hash, ok] of cases)
    it(title, async () => assert.equal(await verifyHash(password, hash), ok));

  it("apr1 matches openssl for the salt it is given", () =>
    assert.equal(apr1("secret", "xy"), "$apr1$xy$94JxxwMvxqQwA3Iid6OL9."));
});

describe("htpasswd file", () => {
  it("refuses a malformed line or an unsupported hash, naming file and line", () => {
    for (const text of ["alice\n", "bob:\n", "carol:$1$crypt$whatever\n"]) {
      assert.throws(
        () => parseHtpasswd(`# users\n${text}`, "/etc/htpasswd"),
        (err: unknown) =>
          err instanceof ValidationError &&
          err.location?.line === 2 &&
          /\/etc\/htpasswd:2/.test(err.message),
      );
    }
  });

  it("adds users with bcrypt, replaces a password, and re-reads edits made by others", async () => {
    const file = new HtpasswdFile(join(dir(), "htpasswd"));
    file.setPassword("alice", "one");
    file.setPassword("bob", "two");
    assert.equal(statSync(file.path).mode & 0o777, 0o600);
    assert.match(readFileSync(file.path, "utf8"), /^alice:\$2y\$10\$/m);
    assert.equal(await file.verify("alice", "one"), true);
    assert.equal(await file.verify("alice", "two"), false);
    assert.equal(await file.verify("nobody", "one"), false);
    file.setPassword("alice", "three");
    assert.equal(await file.verify("alice", "three"), true);
    assert.equal(await file.verify("bob", "two"), true);
    writeFileSync(
      file.path,
      `${readFileSync(file.path, "utf8")}carol:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n`,
    );
    assert.equal(await file.verify("carol", "secret"), true);
    assert.throws(() => file.setPassword("a:b", "x"), ValidationError);
  });
});

describe("first-start administrator", () => {
  it("creates the admin once, with an owner-only credentials file the password works with", async () => {
    const d = dir();
    const users = new HtpasswdFile(join(d, "htpasswd"));
    const credentials = join(d, "credentials");
    assert.deepEqual(ensureAdmin(users, credentials, "st2admin"), { created: true });
    assert.equal(statSync(credentials).mode & 0o777, 0o600);
    const c = readCredentialsFile(credentials);
    assert.equal(c?.username, "st2admin");
    assert.equal(await users.verify("st2admin", c?.password ?? ""), true);
    const before = readFileSync(credentials, "utf8");
    assert.deepEqual(ensureAdmin(users, credentials, "st2admin"), { created: false });
    assert.equal(readFileSync(credentials, "utf8"), before);
  });

  it("explains a credentials file without a password", () => {
    const file = join(dir(), "credentials");
    writeFileSync(file, "[credentials]\nusername = x\n");
    assert.throws(() => readCredentialsFile(file), /needs username and password/);
  });
});
