/**
 * Symmetric encryption of datastore secrets in StackStorm's format, so secrets exported from an
 * st2 deployment (and its key file) keep working here, and the other way round.
 *
 * StackStorm inherited the format from Keyczar: AES-CBC with PKCS#7 padding, authenticated by
 * HMAC-SHA1 (encrypt-then-MAC). A value is the upper-case hex of
 *   header (5 bytes) | IV (16 bytes) | AES-CBC ciphertext | HMAC-SHA1 (20 bytes)
 * where the HMAC covers everything before it. Keyczar wrote a version byte plus a key hash as
 * the header; st2 writes the ASCII text "00000" and never reads it back, so decryption accepts
 * any header (the HMAC still protects it).
 */

import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { SquallError, ValidationError } from "../../core/errors.ts";

const HEADER = Buffer.from("00000", "ascii");
const HEADER_SIZE = HEADER.length;
const BLOCK_SIZE = 16;
const HMAC_SIZE = 20;

export const AES_KEY_SIZES = [128, 192, 256] as const;
export type AesKeySize = (typeof AES_KEY_SIZES)[number];
export const DEFAULT_AES_KEY_SIZE: AesKeySize = 256;

/** A datastore key: the AES key plus the HMAC key that authenticates what it encrypts. */
export interface DatastoreKey {
  aesKey: Buffer;
  hmacKey: Buffer;
  /** AES key size in bits. */
  size: AesKeySize;
  /** The `hmacKey.size` recorded in the key file (bits). */
  hmacSize: number;
  mode: "CBC";
}

/** The key file's JSON shape (Keyczar's AES key format, as st2 reads and writes it). */
export interface DatastoreKeyJson {
  hmacKey: { hmacKeyString: string; size: number };
  aesKeyString: string;
  mode: "CBC";
  size: number;
}

/**
 * A value could not be decrypted: corrupt, truncated, or encrypted with another key. Distinct
 * from ValidationError because a stored secret that fails is a server-side problem (wrong key
 * file), while a client-sent one is bad input; callers decide which it is.
 */
export class DatastoreCryptoError extends SquallError {
  override readonly code: string = "datastore_crypto";
}

export function generateKey(size: AesKeySize = DEFAULT_AES_KEY_SIZE): DatastoreKey {
  if (!AES_KEY_SIZES.includes(size)) {
    throw new ValidationError(`AES key size must be one of ${AES_KEY_SIZES.join(", ")}`, {
      field: "size",
    });
  }
  // st2's generator makes the HMAC key as long as the AES key; Keyczar's was always 256 bits.
  return {
    aesKey: randomBytes(size / 8),
    hmacKey: randomBytes(size / 8),
    size,
    hmacSize: size,
    mode: "CBC",
  };
}

export function keyToJson(key: DatastoreKey): DatastoreKeyJson {
  return {
    hmacKey: { hmacKeyString: encodeWebSafe(key.hmacKey), size: key.hmacSize },
    aesKeyString: encodeWebSafe(key.aesKey),
    mode: key.mode,
    size: key.size,
  };
}

/**
 * Validates a parsed key file. `source` names the file in errors; each error names the field,
 * because a hand-edited key file is the usual way to get here.
 */
export function keyFromJson(json: unknown, source = "datastore key"): DatastoreKey {
  const fail = (field: string, why: string): never => {
    throw new ValidationError(`invalid datastore key ${source}: ${field} ${why}`, {
      file: source,
      field,
    });
  };
  if (!isRecord(json)) return fail("(root)", "must be a JSON object");
  const hmac = json.hmacKey;
  if (!isRecord(hmac)) return fail("hmacKey", "must be an object");
  if (typeof hmac.hmacKeyString !== "string")
    return fail("hmacKey.hmacKeyString", "must be a string");
  if (!isPositiveInteger(hmac.size)) return fail("hmacKey.size", "must be a positive integer");
  if (typeof json.aesKeyString !== "string") return fail("aesKeyString", "must be a string");
  if (typeof json.mode !== "string" || json.mode.toUpperCase() !== "CBC")
    return fail("mode", `must be "CBC", got ${JSON.stringify(json.mode)}`);
  const size = json.size;
  if (!AES_KEY_SIZES.includes(size as AesKeySize))
    return fail("size", `must be one of ${AES_KEY_SIZES.join(", ")}, got ${JSON.stringify(size)}`);
  const aesKey = decodeWebSafe(json.aesKeyString) ?? fail("aesKeyString", "is not web-safe base64");
  const hmacKey =
    decodeWebSafe(hmac.hmacKeyString) ?? fail("hmacKey.hmacKeyString", "is not web-safe base64");
  if (aesKey.length * 8 !== size)
    fail("aesKeyString", `holds ${aesKey.length * 8} bits but size says ${String(size)}`);
  if (hmacKey.length === 0) fail("hmacKey.hmacKeyString", "is empty");
  return { aesKey, hmacKey, size: size as AesKeySize, hmacSize: hmac.size, mode: "CBC" };
}

/**
 * Encrypts `plaintext` (UTF-8) and returns st2's upper-case hex text. `iv` is for known-answer
 * tests only; leaving it out draws a fresh random IV, which CBC needs for every message.
 */
export function symmetricEncrypt(
  key: DatastoreKey,
  plaintext: string,
  options: { iv?: Uint8Array } = {},
): string {
  const iv = options.iv === undefined ? randomBytes(BLOCK_SIZE) : Buffer.from(options.iv);
  if (iv.length !== BLOCK_SIZE) throw new RangeError(`IV must be ${BLOCK_SIZE} bytes`);
  const cipher = createCipheriv(aesAlgorithm(key), key.aesKey, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const message = Buffer.concat([HEADER, iv, body]);
  const mac = createHmac("sha1", key.hmacKey).update(message).digest();
  return Buffer.concat([message, mac]).toString("hex").toUpperCase();
}

/** Decrypts st2's hex text, checking the HMAC first. Throws DatastoreCryptoError. */
export function symmetricDecrypt(key: DatastoreKey, ciphertext: string): string {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(ciphertext)) {
    throw new DatastoreCryptoError("encrypted value is not hexadecimal text");
  }
  const bytes = Buffer.from(ciphertext, "hex");
  const bodyLength = bytes.length - HEADER_SIZE - BLOCK_SIZE - HMAC_SIZE;
  if (bodyLength < BLOCK_SIZE || bodyLength % BLOCK_SIZE !== 0) {
    throw new DatastoreCryptoError("encrypted value is malformed (wrong length)");
  }
  const message = bytes.subarray(0, bytes.length - HMAC_SIZE);
  const mac = bytes.subarray(bytes.length - HMAC_SIZE);
  const expected = createHmac("sha1", key.hmacKey).update(message).digest();
  if (!timingSafeEqual(mac, expected)) {
    throw new DatastoreCryptoError(
      "encrypted value failed its integrity check: it was encrypted with a different key or altered",
    );
  }
  const iv = message.subarray(HEADER_SIZE, HEADER_SIZE + BLOCK_SIZE);
  const decipher = createDecipheriv(aesAlgorithm(key), key.aesKey, iv);
  // Padding is checked here rather than by OpenSSL so a failure gets our error, not its text.
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([
    decipher.update(message.subarray(HEADER_SIZE + BLOCK_SIZE)),
    decipher.final(),
  ]);
  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK_SIZE || !padded.subarray(-pad).every((b) => b === pad)) {
    // The HMAC matched, so only the AES half of the key can be wrong.
    throw new DatastoreCryptoError("encrypted value has bad padding: the AES key does not match");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(padded.subarray(0, -pad));
  } catch {
    throw new DatastoreCryptoError("decrypted value is not UTF-8 text");
  }
}

function aesAlgorithm(key: DatastoreKey): string {
  return `aes-${key.size}-cbc`;
}

/** Keyczar's "web-safe" base64: URL alphabet, no padding. */
export function encodeWebSafe(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/**
 * Strict web-safe base64 decoding (whitespace ignored, padding optional, as Keyczar allowed).
 * Node's own decoder skips characters it does not know, which would turn a typo into a
 * different key instead of an error; hence the check first. Returns null when invalid.
 */
export function decodeWebSafe(text: string): Buffer | null {
  const compact = text.replace(/\s+/g, "").replace(/=+$/, "");
  if (!/^[A-Za-z0-9_-]*$/.test(compact) || compact.length % 4 === 1) return null;
  return Buffer.from(compact, "base64url");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}
