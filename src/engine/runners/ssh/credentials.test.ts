import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  type CredentialInput,
  isEncryptedKey,
  resolveAuth,
  SshCredentialError,
} from "./credentials.ts";

const dir = mkdtempSync(join(tmpdir(), "squall-keys-"));
function keygen(name: string, args: string[]): string {
  const path = join(dir, name);
  const r = spawnSync("ssh-keygen", ["-q", "-f", path, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ssh-keygen (Debian's openssh-client) failed: ${r.stderr}`);
  return path;
}

describe("ssh credentials", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));
  const plain = keygen("plain", ["-t", "ed25519", "-N", ""]);
  const locked = keygen("locked", ["-t", "ed25519", "-N", "pw-12345"]);
  const lockedPem = keygen("locked_pem", [
    "-t",
    "rsa",
    "-b",
    "2048",
    "-N",
    "pw-12345",
    "-m",
    "PEM",
  ]);
  const base: CredentialInput = {
    username: null,
    password: null,
    privateKey: null,
    passphrase: null,
    defaultUser: "stanley",
    defaultKeyFile: null,
  };

  it("detects encrypted keys in OpenSSH and PEM formats", () => {
    assert.equal(isEncryptedKey(readFileSync(plain)), false);
    assert.equal(isEncryptedKey(readFileSync(locked)), true);
    assert.equal(isEncryptedKey(readFileSync(lockedPem)), true);
  });

  it("a password wins over a key, and the default user fills in", () => {
    assert.deepEqual(resolveAuth({ ...base, password: "p", privateKey: plain }), {
      username: "stanley",
      password: "p",
    });
  });

  it("private_key is material when it has a header, else a path", () => {
    const material = readFileSync(plain, "utf8");
    assert.deepEqual(
      resolveAuth({ ...base, username: "u", privateKey: material }).privateKey,
      Buffer.from(material),
    );
    assert.deepEqual(resolveAuth({ ...base, privateKey: plain }).privateKey, readFileSync(plain));
    const unlocked = resolveAuth({ ...base, privateKey: locked, passphrase: "pw-12345" });
    assert.equal(unlocked.passphrase, "pw-12345");
  });

  it("falls back to the configured key file", () => {
    assert.deepEqual(
      resolveAuth({ ...base, defaultKeyFile: plain }).privateKey,
      readFileSync(plain),
    );
  });

  const failures: Array<[string, Partial<CredentialInput>, RegExp]> = [
    ["no credentials at all", {}, /Either password or key/],
    ["passphrase without a key", { passphrase: "x" }, /passphrase should accompany/],
    ["missing key file", { privateKey: join(dir, "nope") }, /cannot read private key file/],
    ["encrypted key, no passphrase", { privateKey: locked }, /passphrase protected/],
    ["wrong passphrase", { privateKey: locked, passphrase: "bad" }, /invalid passphrase/],
    [
      "not a key",
      { privateKey: "-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----" },
      /unsupported key/,
    ],
  ];
  for (const [name, input, message] of failures) {
    it(`fails clearly: ${name}`, () => {
      assert.throws(
        () => resolveAuth({ ...base, ...input }),
        (err: unknown) => err instanceof SshCredentialError && message.test(err.message),
      );
    });
  }
});
