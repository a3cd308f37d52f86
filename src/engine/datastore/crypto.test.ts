import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../core/errors.ts";
import {
  type AesKeySize,
  DatastoreCryptoError,
  decodeWebSafe,
  generateKey,
  keyFromJson,
  keyToJson,
  symmetricDecrypt,
  symmetricEncrypt,
} from "./crypto.ts";

/**
 * Known answers computed independently by st2's algorithm (crypto.py) run with Python's
 * `cryptography` package: key bytes 0,1,2,… (AES) and 32..63 (HMAC), IV A0..AF.
 */
const IV = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const HMAC_KEY_TEXT = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8";
const PREFIX = "3030303030A0A1A2A3A4A5A6A7A8A9AAABACADAEAF";

const KNOWN_ANSWERS: Array<[AesKeySize, string, string, string]> = [
  [
    128,
    "AAECAwQFBgcICQoLDA0ODw",
    "S3cret!Value",
    "92BB9C804779C1BE8152E07477CBBC0B066ECE015207C4DCF830561E9A4679699309489E",
  ],
  [
    128,
    "AAECAwQFBgcICQoLDA0ODw",
    "pässwörd ✓",
    "0E579791982EA428AE68B0839995DCCC33735B1856CE776B4A574BEA6A296207CDA85F55",
  ],
  [
    192,
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYX",
    "S3cret!Value",
    "A47F8E3480EAD3AA736C77A43F6C97206475692E9427C67068FC453B3C0B9E38979AD979",
  ],
  [
    256,
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
    "S3cret!Value",
    "F486C95AE19E449BB2BC7CC9167DD3579316675FDD376FEF1D793DE420E8C32CC7A195C9",
  ],
  [
    256,
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
    "",
    "600D07A3B9B2C4E4082153D6D1707AA6AD068E35587D7857B9CDDB74D2E5C29F31C7221F",
  ],
  [
    256,
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
    "exactly sixteen!",
    "CCB23E40269BC8CF8CE9ECDEB65C9A38C6463DEA5723E815B72EA134600D89B77E3E388A09970EC949F9AB44F5C2314741B5048E",
  ],
];

function fixedKey(size: AesKeySize, aesText: string) {
  return keyFromJson({
    hmacKey: { hmacKeyString: HMAC_KEY_TEXT, size: 256 },
    aesKeyString: aesText,
    mode: "CBC",
    size,
  });
}

/** StackStorm's own test key and a value its API tests store pre-encrypted ("S3cret!Value"). */
const ST2_TEST_KEY = {
  hmacKey: { hmacKeyString: "685EWJ8U2U_c3Ulv9ibB6aa0Y9aYm-0bCwe2mqjLJuw", size: 256 },
  aesKeyString: "eKGFrfNEUhAgX0uofaU1wQ",
  mode: "CBC",
  size: 128,
};
const ST2_CIPHERTEXT =
  "3030303030298D848B45A24EDCD1A82FAB4E831E3FCE6E60956817A48A180E4C040801E" +
  "B30170DACF79498F30520236A629912C3584847098D";

describe("symmetricEncrypt / symmetricDecrypt", () => {
  for (const [size, aesText, plaintext, body] of KNOWN_ANSWERS) {
    it(`matches st2's output for AES-${size} and ${JSON.stringify(plaintext)}`, () => {
      const key = fixedKey(size, aesText);
      assert.equal(symmetricEncrypt(key, plaintext, { iv: IV }), PREFIX + body);
      assert.equal(symmetricDecrypt(key, PREFIX + body), plaintext);
    });
  }

  it("decrypts a value StackStorm produced with its test key", () => {
    assert.equal(symmetricDecrypt(keyFromJson(ST2_TEST_KEY), ST2_CIPHERTEXT), "S3cret!Value");
  });

  it("accepts lower-case hex and any 5-byte header (Keyczar wrote a version and key hash)", () => {
    const key = generateKey();
    const text = symmetricEncrypt(key, "hello");
    assert.equal(symmetricDecrypt(key, text.toLowerCase()), "hello");
  });

  it("round-trips with generated keys of every size, using a fresh IV each time", () => {
    for (const size of [128, 192, 256] as const) {
      const key = generateKey(size);
      for (const text of ["a b c", "", "x".repeat(100), "ünïcödé ✓ 🎉"]) {
        const a = symmetricEncrypt(key, text);
        const b = symmetricEncrypt(key, text);
        assert.notEqual(a, b);
        assert.match(a, /^[0-9A-F]+$/);
        assert.equal(symmetricDecrypt(key, a), text);
      }
    }
  });

  it("refuses altered values, naming the integrity check", () => {
    const key = generateKey();
    const good = symmetricEncrypt(key, "secret");
    const flips = [0, 12, good.length - 50, good.length - 1];
    for (const at of flips) {
      const c = good[at] === "A" ? "B" : "A";
      const bad = good.slice(0, at) + c + good.slice(at + 1);
      assert.throws(() => symmetricDecrypt(key, bad), DatastoreCryptoError);
    }
  });

  it("refuses a value encrypted with another key", () => {
    const text = symmetricEncrypt(generateKey(), "secret");
    assert.throws(
      () => symmetricDecrypt(generateKey(), text),
      (err: unknown) => err instanceof DatastoreCryptoError && /different key/.test(err.message),
    );
  });

  it("reports a wrong AES key when only the HMAC key matches", () => {
    const key = fixedKey(256, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
    // A fixed IV keeps this deterministic: a random one could, rarely, decrypt to valid padding.
    const text = symmetricEncrypt(key, "secret", { iv: IV });
    const other = { ...key, aesKey: Buffer.alloc(32, 7) };
    assert.throws(() => symmetricDecrypt(other, text), DatastoreCryptoError);
  });

  const malformed: Array<[string, string]> = [
    ["not hex", "corrupted"],
    ["odd length", `${ST2_CIPHERTEXT}0`],
    ["too short", ST2_CIPHERTEXT.slice(0, 40)],
    ["truncated", ST2_CIPHERTEXT.slice(0, -2)],
    ["empty", ""],
  ];
  for (const [what, text] of malformed) {
    it(`refuses a ${what} value`, () => {
      assert.throws(() => symmetricDecrypt(keyFromJson(ST2_TEST_KEY), text), DatastoreCryptoError);
    });
  }
});

describe("key JSON", () => {
  it("round-trips a generated key through st2's key file shape", () => {
    const key = generateKey();
    const json = keyToJson(key);
    assert.deepEqual(Object.keys(json).sort(), ["aesKeyString", "hmacKey", "mode", "size"]);
    assert.equal(json.mode, "CBC");
    assert.equal(json.size, 256);
    assert.equal(json.hmacKey.size, 256);
    assert.doesNotMatch(json.aesKeyString, /[=+/]/);
    const back = keyFromJson(JSON.parse(JSON.stringify(json)));
    assert.deepEqual(back.aesKey, key.aesKey);
    assert.deepEqual(back.hmacKey, key.hmacKey);
  });

  const bad: Array<[string, unknown, string]> = [
    ["not an object", [], "(root)"],
    ["no hmacKey", { ...ST2_TEST_KEY, hmacKey: undefined }, "hmacKey"],
    ["hmac string missing", { ...ST2_TEST_KEY, hmacKey: { size: 256 } }, "hmacKey.hmacKeyString"],
    [
      "hmac size not a number",
      { ...ST2_TEST_KEY, hmacKey: { hmacKeyString: "abcd", size: "256" } },
      "hmacKey.size",
    ],
    ["aes key missing", { ...ST2_TEST_KEY, aesKeyString: 5 }, "aesKeyString"],
    ["mode ECB", { ...ST2_TEST_KEY, mode: "ECB" }, "mode"],
    ["size 64", { ...ST2_TEST_KEY, size: 64 }, "size"],
    ["size disagrees with key", { ...ST2_TEST_KEY, size: 256 }, "aesKeyString"],
    ["bad base64", { ...ST2_TEST_KEY, aesKeyString: "eKGFrfNEUhAgX0uofaU1w!" }, "aesKeyString"],
    [
      "empty hmac key",
      { ...ST2_TEST_KEY, hmacKey: { hmacKeyString: "", size: 256 } },
      "hmacKey.hmacKeyString",
    ],
  ];
  for (const [what, json, field] of bad) {
    it(`rejects a key with ${what}, naming ${field} and the file`, () => {
      assert.throws(
        () => keyFromJson(json, "/etc/key.json"),
        (err: unknown) =>
          err instanceof ValidationError &&
          err.location?.field === field &&
          err.location.file === "/etc/key.json" &&
          err.message.includes("/etc/key.json"),
      );
    });
  }

  it("accepts lower-case mode as st2 does", () => {
    assert.equal(keyFromJson({ ...ST2_TEST_KEY, mode: "cbc" }).mode, "CBC");
  });

  it("decodes web-safe base64 strictly", () => {
    assert.deepEqual(decodeWebSafe("-_8"), Buffer.from([0xfb, 0xff]));
    assert.deepEqual(decodeWebSafe("-_8="), Buffer.from([0xfb, 0xff]));
    assert.equal(decodeWebSafe("ab+c"), null);
    assert.equal(decodeWebSafe("abcde"), null);
  });
});
