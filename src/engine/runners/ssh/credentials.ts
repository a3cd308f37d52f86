/**
 * Which credentials a remote action logs in with, decided as StackStorm's paramiko runner does:
 *
 * 1. `password` given → password authentication only (any `private_key` is ignored);
 * 2. else `private_key` given → key material when it contains a "PRIVATE KEY-----" header
 *    (case-insensitive), otherwise a path to a key file on this node;
 * 3. else the configured key file of the system user (StackStorm `[system_user] ssh_key_file`).
 * `passphrase` unlocks the key; a passphrase with no key to unlock is an error, and so is an
 * encrypted key without a passphrase. The user is `username`, else the configured system user.
 * No SSH agent, no ~/.ssh/config (StackStorm's `use_ssh_config` is not supported).
 */

import { readFileSync } from "node:fs";
import { SquallError } from "../../../core/errors.ts";
import { ssh2 } from "./library.ts";

/** The credentials cannot be used (missing key file, wrong passphrase, key type unknown). */
export class SshCredentialError extends SquallError {
  override readonly code: string = "ssh_credential_error";
}

const KEY_HEADER = "private key-----";

export interface SshAuth {
  username: string;
  password?: string;
  privateKey?: Buffer;
  passphrase?: string;
}

export interface CredentialInput {
  username: string | null;
  password: string | null;
  privateKey: string | null;
  passphrase: string | null;
  defaultUser: string;
  defaultKeyFile: string | null;
}

export function resolveAuth(input: CredentialInput): SshAuth {
  const username = input.username || input.defaultUser;
  if (input.password) return { username, password: input.password };

  let keyText: Buffer;
  let source: string;
  if (input.privateKey) {
    if (input.privateKey.toLowerCase().includes(KEY_HEADER)) {
      keyText = Buffer.from(input.privateKey);
      source = "private_key";
    } else {
      keyText = readKeyFile(input.privateKey);
      source = `private key file ${input.privateKey}`;
    }
  } else {
    if (input.passphrase) {
      throw new SshCredentialError("passphrase should accompany private key material");
    }
    if (!input.defaultKeyFile) {
      throw new SshCredentialError(
        "Either password or key file location or key material should be supplied for action",
      );
    }
    keyText = readKeyFile(input.defaultKeyFile);
    source = `private key file ${input.defaultKeyFile}`;
  }

  const parsed = ssh2().utils.parseKey(keyText, input.passphrase ?? undefined);
  if (parsed instanceof Error) {
    if (!input.passphrase && isEncryptedKey(keyText)) {
      throw new SshCredentialError(`${source} is passphrase protected. Supply a passphrase.`);
    }
    throw new SshCredentialError(
      input.passphrase
        ? `${source}: invalid passphrase or invalid/unsupported key type`
        : `${source}: invalid or unsupported key type`,
    );
  }
  const auth: SshAuth = { username, privateKey: keyText };
  if (input.passphrase) auth.passphrase = input.passphrase;
  return auth;
}

function readKeyFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = err instanceof Error && "code" in err ? String(err.code) : "unreadable";
    throw new SshCredentialError(`cannot read private key file ${path} (${reason})`);
  }
}

/** PEM "ENCRYPTED" markers, or an OpenSSH-format key whose cipher is not "none". */
export function isEncryptedKey(key: Buffer | string): boolean {
  const text = key.toString();
  if (/ENCRYPTED/.test(text.split(/-----END/)[0] ?? "")) return true;
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END/.exec(text)?.[1];
  if (body === undefined) return false;
  const raw = Buffer.from(body.replace(/\s+/g, ""), "base64");
  const magic = "openssh-key-v1\0";
  if (raw.subarray(0, magic.length).toString("latin1") !== magic) return false;
  if (raw.length < magic.length + 4) return false;
  const len = raw.readUInt32BE(magic.length);
  const cipher = raw.subarray(magic.length + 4, magic.length + 4 + len).toString("latin1");
  return cipher !== "none";
}
