/**
 * Apache's `$apr1$` password hash (MD5-crypt with Apache's magic string), as written by
 * `htpasswd -m`. Only verification needs it; Squall writes bcrypt hashes itself.
 */

import { createHash } from "node:crypto";

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function md5(...parts: Buffer[]): Buffer {
  const h = createHash("md5");
  for (const p of parts) h.update(p);
  return h.digest();
}

function to64(value: number, count: number): string {
  let out = "";
  let v = value;
  for (let i = 0; i < count; i++) {
    out += ITOA64[v & 0x3f];
    v >>>= 6;
  }
  return out;
}

/** The full `$apr1$salt$hash` string for `password` and `salt` (at most 8 characters used). */
export function apr1(password: string, salt: string): string {
  const magic = "$apr1$";
  const pw = Buffer.from(password, "utf8");
  const s = Buffer.from(salt.slice(0, 8), "utf8");
  const alternate = md5(pw, s, pw);
  const parts: Buffer[] = [pw, Buffer.from(magic), s];
  for (let left = pw.length; left > 0; left -= 16)
    parts.push(alternate.subarray(0, Math.min(16, left)));
  // The original algorithm's odd quirk: a NUL byte or the first password byte per bit of the length.
  for (let bits = pw.length; bits > 0; bits >>= 1)
    parts.push(bits & 1 ? Buffer.alloc(1) : pw.subarray(0, 1));
  let digest = md5(...parts);
  // 1000 rounds to slow down guessing, mixing password, salt and the previous digest.
  for (let round = 0; round < 1000; round++) {
    const mix: Buffer[] = [];
    mix.push(round & 1 ? pw : digest);
    if (round % 3) mix.push(s);
    if (round % 7) mix.push(pw);
    mix.push(round & 1 ? digest : pw);
    digest = md5(...mix);
  }
  const b = (i: number) => digest[i] ?? 0;
  const encoded =
    to64((b(0) << 16) | (b(6) << 8) | b(12), 4) +
    to64((b(1) << 16) | (b(7) << 8) | b(13), 4) +
    to64((b(2) << 16) | (b(8) << 8) | b(14), 4) +
    to64((b(3) << 16) | (b(9) << 8) | b(15), 4) +
    to64((b(4) << 16) | (b(10) << 8) | b(5), 4) +
    to64(b(11), 2);
  return `${magic}${salt.slice(0, 8)}$${encoded}`;
}
